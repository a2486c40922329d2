/**
 * The attribute actions of the PS3.15 Annex E Basic Application Level Confidentiality Profile
 * (Table E.1-1) that medtl applies, with the Retain Longitudinal Temporal Information with
 * Modified Dates Option (dates shifted, not blanked). Where the table offers a choice (X/Z, X/Z/D)
 * the stricter removal is used unless the attribute is Type 2 in common IODs, which keeps it present but empty.
 * Retired attributes carry dcmjs's RETIRED_ prefix.
 */

/** What happens to an attribute: remove it, keep it present but empty, or put the pseudonym in it. */
export type DeidAction = 'remove' | 'blank' | 'pseudonym';

/** Patient name and ID carry the caller's pseudonym (profile action D, dummy value). */
const PSEUDONYM = ['PatientName', 'PatientID'] as const;

/** Type 2 attributes of the Patient/Study modules: present but empty (action Z). */
const BLANK = [
  'PatientBirthDate', 'PatientSex', 'ReferringPhysicianName', 'AccessionNumber', 'StudyID', 'ContentCreatorName',
  'VerifyingObserverName', 'PersonName', 'ReviewerName',
] as const;

/** Attributes removed outright (action X, or X chosen among X/Z/D). */
const REMOVE = [
  // Patient
  'OtherPatientIDs', 'OtherPatientIDsSequence', 'OtherPatientNames', 'PatientBirthName', 'PatientMotherBirthName',
  'PatientAddress', 'PatientTelephoneNumbers', 'PatientAge', 'PatientSize', 'PatientWeight', 'PatientBirthTime',
  'MilitaryRank', 'BranchOfService', 'EthnicGroup', 'Occupation', 'AdditionalPatientHistory', 'PatientComments',
  'PatientReligiousPreference', 'MedicalRecordLocator', 'RETIRED_InsurancePlanIdentification', 'CountryOfResidence',
  'RegionOfResidence', 'PatientInsurancePlanCodeSequence', 'PatientPrimaryLanguageCodeSequence', 'ResponsiblePerson',
  'ResponsibleOrganization', 'PregnancyStatus', 'SmokingStatus', 'MedicalAlerts', 'Allergies', 'LastMenstrualDate',
  'SpecialNeeds', 'PatientState', 'IssuerOfPatientID', 'PatientSexNeutered', 'ReferencedPatientSequence',
  'PatientTransportArrangements', 'CurrentPatientLocation', 'PatientInstitutionResidence', 'VisitComments',
  'AdmissionID', 'RETIRED_IssuerOfAdmissionID', 'AdmittingDiagnosesDescription', 'RETIRED_DischargeDiagnosisDescription',
  'ServiceEpisodeID', 'RETIRED_ScheduledPatientInstitutionResidence',
  // Institution, equipment and staff
  'InstitutionName', 'InstitutionAddress', 'InstitutionalDepartmentName', 'InstitutionCodeSequence',
  'ReferringPhysicianAddress', 'ReferringPhysicianTelephoneNumbers', 'ReferringPhysicianIdentificationSequence',
  'ConsultingPhysicianName', 'PhysiciansOfRecord', 'PhysiciansOfRecordIdentificationSequence',
  'PerformingPhysicianName', 'PerformingPhysicianIdentificationSequence', 'NameOfPhysiciansReadingStudy',
  'PhysiciansReadingStudyIdentificationSequence', 'OperatorsName', 'OperatorIdentificationSequence',
  'RequestingPhysician', 'ScheduledPerformingPhysicianName', 'EvaluatorName', 'StationName', 'DeviceSerialNumber',
  'PerformedStationName', 'PerformedLocation', 'CustodialOrganizationSequence', 'AuthorObserverSequence',
  'ParticipantSequence', 'ContributingEquipmentSequence',
  // Free text and request details
  'StudyDescription', 'SeriesDescription', 'ImageComments', 'FrameComments', 'RETIRED_StudyComments',
  'RequestAttributesSequence', 'DerivationDescription', 'PerformedProcedureStepID', 'PerformedProcedureStepDescription',
  'RequestedProcedureDescription', 'RequestedProcedureID', 'ScheduledProcedureStepDescription',
  'ScheduledProcedureStepID', 'FillerOrderNumberImagingServiceRequest', 'PlacerOrderNumberImagingServiceRequest',
  'RETIRED_AcquisitionComments', 'ProtocolName', 'TextValue', 'ReferencedPerformedProcedureStepSequence',
  'ReferencedStudySequence',
  // Records of the original values, signatures and padding
  'ModifiedAttributesSequence', 'OriginalAttributesSequence', 'DigitalSignaturesSequence', 'MACParametersSequence',
  'DataSetTrailingPadding',
  // File meta: the sending application's AE titles name the site
  'SourceApplicationEntityTitle', 'SendingApplicationEntityTitle', 'ReceivingApplicationEntityTitle',
] as const;

/** Keyword → action for every attribute the profile names (UIDs and dates are handled by VR, see dicom.ts). */
export const DEID_ACTIONS: ReadonlyMap<string, DeidAction> = new Map<string, DeidAction>([
  ...PSEUDONYM.map((k): [string, DeidAction] => [k, 'pseudonym']),
  ...BLANK.map((k): [string, DeidAction] => [k, 'blank']),
  ...REMOVE.map((k): [string, DeidAction] => [k, 'remove']),
]);

/**
 * UI-valued attributes kept as they are: they name standard classes and syntaxes, not instances.
 * Every other UID that is not under the DICOM root 1.2.840.10008 is remapped (profile action U).
 */
export const KEPT_UID_KEYWORDS: ReadonlySet<string> = new Set([
  'SOPClassUID', 'ReferencedSOPClassUID', 'MediaStorageSOPClassUID', 'TransferSyntaxUID', 'ImplementationClassUID',
  'CodingSchemeUID', 'ContextGroupExtensionCreatorUID', 'PrivateInformationCreatorUID', 'RelatedGeneralSOPClassUID',
  'OriginalSpecializedSOPClassUID', 'SOPClassesInStudy', 'ReferencedTransferSyntaxUIDInFile', 'ReferencedSOPClassUIDInFile',
  'MappingResourceUID',
]);
