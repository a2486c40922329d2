/**
 * DICOM PS3.15 Annex E Table E.1-1, Basic Application Level Confidentiality Profile: the action the
 * table gives each attribute, as data. Transcribed from the table (2013 edition, the attributes it lists),
 * one row per attribute: `gggg,eeee ACTION Name`. How each action is carried out, and what happens to
 * attributes the table does not list, is in dicom.ts and docs/data.md.
 */

/**
 * A Table E.1-1 action: D dummy value, Z zero-length, X remove, K keep, C clean, U replace UID;
 * 'A/B' lets the de-identifier choose, and U* means "replace the UIDs inside the sequence".
 */
export type ProfileAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U' | 'Z/D' | 'X/Z' | 'X/D' | 'X/Z/D' | 'X/Z/U*';

const ACTIONS: ReadonlySet<string> = new Set(['D', 'Z', 'X', 'K', 'C', 'U', 'Z/D', 'X/Z', 'X/D', 'X/Z/D', 'X/Z/U*']);

// Table E.1-1. Repeating groups (50xx curves, 60xx overlay data/comments) are matched in dicom.ts.
const TABLE = `
0008,0014 U InstanceCreatorUID
0008,0018 U SOPInstanceUID
0008,0020 Z StudyDate
0008,0021 X/D SeriesDate
0008,0022 X/Z AcquisitionDate
0008,0023 Z/D ContentDate
0008,0024 X OverlayDate
0008,0025 X CurveDate
0008,002A X/D AcquisitionDateTime
0008,0030 Z StudyTime
0008,0031 X/D SeriesTime
0008,0032 X/Z AcquisitionTime
0008,0033 Z/D ContentTime
0008,0034 X OverlayTime
0008,0035 X CurveTime
0008,0050 Z AccessionNumber
0008,0058 U FailedSOPInstanceUIDList
0008,0080 X/Z/D InstitutionName
0008,0081 X InstitutionAddress
0008,0082 X/Z/D InstitutionCodeSequence
0008,0090 Z ReferringPhysicianName
0008,0092 X ReferringPhysicianAddress
0008,0094 X ReferringPhysicianTelephoneNumbers
0008,0096 X ReferringPhysicianIdentificationSequence
0008,010D U ContextGroupExtensionCreatorUID
0008,0201 X TimezoneOffsetFromUTC
0008,1010 X/Z/D StationName
0008,1030 X StudyDescription
0008,103E X SeriesDescription
0008,1040 X InstitutionalDepartmentName
0008,1048 X PhysiciansOfRecord
0008,1049 X PhysiciansOfRecordIdentificationSequence
0008,1050 X PerformingPhysicianName
0008,1052 X PerformingPhysicianIdentificationSequence
0008,1060 X NameOfPhysiciansReadingStudy
0008,1062 X PhysiciansReadingStudyIdentificationSequence
0008,1070 X/Z/D OperatorsName
0008,1072 X/D OperatorIdentificationSequence
0008,1080 X AdmittingDiagnosesDescription
0008,1084 X AdmittingDiagnosesCodeSequence
0008,1110 X/Z ReferencedStudySequence
0008,1111 X/Z/D ReferencedPerformedProcedureStepSequence
0008,1120 X ReferencedPatientSequence
0008,1140 X/Z/U* ReferencedImageSequence
0008,1155 U ReferencedSOPInstanceUID
0008,1195 U TransactionUID
0008,2111 X DerivationDescription
0008,2112 X/Z/U* SourceImageSequence
0008,3010 U IrradiationEventUID
0008,4000 X IdentifyingComments
0008,9123 U CreatorVersionUID
0010,0010 Z PatientName
0010,0020 Z PatientID
0010,0021 X IssuerOfPatientID
0010,0030 Z PatientBirthDate
0010,0032 X PatientBirthTime
0010,0040 Z PatientSex
0010,0050 X PatientInsurancePlanCodeSequence
0010,0101 X PatientPrimaryLanguageCodeSequence
0010,0102 X PatientPrimaryLanguageModifierCodeSequence
0010,1000 X OtherPatientIDs
0010,1001 X OtherPatientNames
0010,1002 X OtherPatientIDsSequence
0010,1005 X PatientBirthName
0010,1010 X PatientAge
0010,1020 X PatientSize
0010,1030 X PatientWeight
0010,1040 X PatientAddress
0010,1050 X InsurancePlanIdentification
0010,1060 X PatientMotherBirthName
0010,1080 X MilitaryRank
0010,1081 X BranchOfService
0010,1090 X MedicalRecordLocator
0010,2000 X MedicalAlerts
0010,2110 X Allergies
0010,2150 X CountryOfResidence
0010,2152 X RegionOfResidence
0010,2154 X PatientTelephoneNumbers
0010,2160 X EthnicGroup
0010,2180 X Occupation
0010,21A0 X SmokingStatus
0010,21B0 X AdditionalPatientHistory
0010,21C0 X PregnancyStatus
0010,21D0 X LastMenstrualDate
0010,21F0 X PatientReligiousPreference
0010,2203 X/Z PatientSexNeutered
0010,2297 X ResponsiblePerson
0010,2299 X ResponsibleOrganization
0010,4000 X PatientComments
0018,0010 Z/D ContrastBolusAgent
0018,1000 X/Z/D DeviceSerialNumber
0018,1002 U DeviceUID
0018,1004 X PlateID
0018,1005 X GeneratorID
0018,1007 X CassetteID
0018,1008 X GantryID
0018,1030 X/D ProtocolName
0018,1400 X/D AcquisitionDeviceProcessingDescription
0018,4000 X AcquisitionComments
0018,700A X/D DetectorID
0018,9424 X AcquisitionProtocolDescription
0018,A003 X ContributionDescription
0020,000D U StudyInstanceUID
0020,000E U SeriesInstanceUID
0020,0010 Z StudyID
0020,0052 U FrameOfReferenceUID
0020,0200 U SynchronizationFrameOfReferenceUID
0020,3401 X ModifyingDeviceID
0020,3404 X ModifyingDeviceManufacturer
0020,3406 X ModifiedImageDescription
0020,4000 X ImageComments
0020,9158 X FrameComments
0020,9161 U ConcatenationUID
0020,9164 U DimensionOrganizationUID
0028,1199 U PaletteColorLookupTableUID
0028,1214 U LargePaletteColorLookupTableUID
0028,4000 X ImagePresentationComments
0032,0012 X StudyIDIssuer
0032,1020 X ScheduledStudyLocation
0032,1021 X ScheduledStudyLocationAETitle
0032,1030 X ReasonForStudy
0032,1032 X RequestingPhysician
0032,1033 X RequestingService
0032,1060 X/Z RequestedProcedureDescription
0032,1070 X RequestedContrastAgent
0032,4000 X StudyComments
0038,0004 X ReferencedPatientAliasSequence
0038,0010 X AdmissionID
0038,0011 X IssuerOfAdmissionID
0038,001E X ScheduledPatientInstitutionResidence
0038,0020 X AdmittingDate
0038,0021 X AdmittingTime
0038,0040 X DischargeDiagnosisDescription
0038,0050 X SpecialNeeds
0038,0060 X ServiceEpisodeID
0038,0061 X IssuerOfServiceEpisodeID
0038,0062 X ServiceEpisodeDescription
0038,0300 X CurrentPatientLocation
0038,0400 X PatientInstitutionResidence
0038,0500 X PatientState
0038,4000 X VisitComments
0040,0001 X ScheduledStationAETitle
0040,0002 X ScheduledProcedureStepStartDate
0040,0003 X ScheduledProcedureStepStartTime
0040,0004 X ScheduledProcedureStepEndDate
0040,0005 X ScheduledProcedureStepEndTime
0040,0006 X ScheduledPerformingPhysicianName
0040,0007 X ScheduledProcedureStepDescription
0040,000B X ScheduledPerformingPhysicianIdentificationSequence
0040,0010 X ScheduledStationName
0040,0011 X ScheduledProcedureStepLocation
0040,0012 X PreMedication
0040,0241 X PerformedStationAETitle
0040,0242 X PerformedStationName
0040,0243 X PerformedLocation
0040,0244 X PerformedProcedureStepStartDate
0040,0245 X PerformedProcedureStepStartTime
0040,0250 X PerformedProcedureStepEndDate
0040,0251 X PerformedProcedureStepEndTime
0040,0253 X PerformedProcedureStepID
0040,0254 X PerformedProcedureStepDescription
0040,0275 X RequestAttributesSequence
0040,0280 X CommentsOnThePerformedProcedureStep
0040,0555 X AcquisitionContextSequence
0040,1001 X RequestedProcedureID
0040,1004 X PatientTransportArrangements
0040,1005 X RequestedProcedureLocation
0040,1010 X NamesOfIntendedRecipientsOfResults
0040,1011 X IntendedRecipientsOfResultsIdentificationSequence
0040,1101 D PersonIdentificationCodeSequence
0040,1102 X PersonAddress
0040,1103 X PersonTelephoneNumbers
0040,1400 X RequestedProcedureComments
0040,2001 X ReasonForTheImagingServiceRequest
0040,2008 X OrderEnteredBy
0040,2009 X OrderEntererLocation
0040,2010 X OrderCallbackPhoneNumber
0040,2016 Z PlacerOrderNumberImagingServiceRequest
0040,2017 Z FillerOrderNumberImagingServiceRequest
0040,2400 X ImagingServiceRequestComments
0040,3001 X ConfidentialityConstraintOnPatientDataDescription
0040,4023 U ReferencedGeneralPurposeScheduledProcedureStepTransactionUID
0040,4025 X ScheduledStationNameCodeSequence
0040,4027 X ScheduledStationGeographicLocationCodeSequence
0040,4028 X PerformedStationNameCodeSequence
0040,4030 X PerformedStationGeographicLocationCodeSequence
0040,4034 X ScheduledHumanPerformersSequence
0040,4035 X ActualHumanPerformersSequence
0040,4036 X HumanPerformerOrganization
0040,4037 X HumanPerformerName
0040,A027 X VerifyingOrganization
0040,A073 D VerifyingObserverSequence
0040,A075 D VerifyingObserverName
0040,A078 X AuthorObserverSequence
0040,A07A X ParticipantSequence
0040,A07C X CustodialOrganizationSequence
0040,A088 Z VerifyingObserverIdentificationCodeSequence
0040,A123 D PersonName
0040,A124 U UID
0040,A730 X ContentSequence
0040,DB0C U TemplateExtensionOrganizationUID
0040,DB0D U TemplateExtensionCreatorUID
0070,0001 D GraphicAnnotationSequence
0070,0084 Z ContentCreatorName
0070,0086 X ContentCreatorIdentificationCodeSequence
0070,031A U FiducialUID
0088,0140 U StorageMediaFileSetUID
0088,0200 X IconImageSequence
0088,0904 X TopicTitle
0088,0906 X TopicSubject
0088,0910 X TopicAuthor
0088,0912 X TopicKeywords
0400,0100 X DigitalSignatureUID
0400,0402 X ReferencedDigitalSignatureSequence
0400,0403 X ReferencedSOPInstanceMACSequence
0400,0404 X MAC
0400,0550 X ModifiedAttributesSequence
0400,0561 X OriginalAttributesSequence
2030,0020 X TextString
3006,0024 U ReferencedFrameOfReferenceUID
3006,00C2 U RelatedFrameOfReferenceUID
300A,0013 U DoseReferenceUID
300E,0008 X/Z ReviewerName
4000,0010 X Arbitrary
4000,4000 X TextComments
4008,0042 X ResultsIDIssuer
4008,0102 X InterpretationRecorder
4008,010A X InterpretationTranscriber
4008,010B X InterpretationText
4008,010C X InterpretationAuthor
4008,0111 X InterpretationApproverSequence
4008,0114 X PhysicianApprovingInterpretation
4008,0115 X InterpretationDiagnosisDescription
4008,0118 X ResultsDistributionListSequence
4008,0119 X DistributionName
4008,011A X DistributionAddress
4008,0202 X InterpretationIDIssuer
4008,0300 X Impressions
4008,4000 X ResultsComments
FFFA,FFFA X DigitalSignaturesSequence
FFFC,FFFC X DataSetTrailingPadding
0002,0003 U MediaStorageSOPInstanceUID
0004,1511 U ReferencedSOPInstanceUIDInFile
`;

/** One Table E.1-1 row. */
export interface ProfileEntry {
  readonly action: ProfileAction;
  /** The attribute's name as the table's row gives it (for messages and docs). */
  readonly name: string;
}

function parseTable(text: string): ReadonlyMap<string, ProfileEntry> {
  const out = new Map<string, ProfileEntry>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([0-9A-F]{4}),([0-9A-F]{4}) (\S+) (\w+)$/.exec(line.trim());
    if (m === null || !ACTIONS.has(m[3])) throw new Error(`dicom-profile: malformed table row '${line}'`);
    const tag = m[1] + m[2];
    if (out.has(tag)) throw new Error(`dicom-profile: duplicate table row for ${tag}`);
    out.set(tag, { action: m[3] as ProfileAction, name: m[4] });
  }
  return out;
}

/** Table E.1-1 keyed by tag as 8 upper-case hex digits ('00100010'). */
export const PROFILE_TABLE: ReadonlyMap<string, ProfileEntry> = parseTable(TABLE);

/**
 * Attributes the table does not list that medtl keeps (after the VR check in dicom.ts): those the
 * readers need for pixels, geometry and intensity, plus acquisition settings the harmonisation
 * report uses. Every other attribute the table does not list is removed: the profile's "keep what
 * is not listed" would let any new or misfiled attribute through, so the unknown fails closed.
 */
export const SAFE_KEYWORDS: ReadonlySet<string> = new Set([
  // File meta
  'FileMetaInformationGroupLength', 'FileMetaInformationVersion', 'MediaStorageSOPClassUID', 'TransferSyntaxUID',
  'ImplementationClassUID', 'ImplementationVersionName',
  // SOP and series identity (instance UIDs are in the table as U)
  'SpecificCharacterSet', 'ImageType', 'SOPClassUID', 'Modality', 'SeriesNumber', 'InstanceNumber', 'AcquisitionNumber',
  // Equipment and acquisition settings
  'Manufacturer', 'ManufacturerModelName', 'BodyPartExamined', 'SliceThickness', 'KVP', 'SpacingBetweenSlices',
  'MagneticFieldStrength', 'RepetitionTime', 'EchoTime', 'InversionTime', 'FlipAngle', 'ScanningSequence',
  'SequenceVariant', 'MRAcquisitionType', 'ConvolutionKernel', 'PatientPosition', 'Laterality', 'ImageLaterality',
  'ViewPosition', 'PhotometricInterpretation',
  // Image plane and geometry
  'ImagePositionPatient', 'ImageOrientationPatient', 'SliceLocation', 'PositionReferenceIndicator', 'PixelSpacing',
  'ImagerPixelSpacing', 'PixelAspectRatio', 'GridFrameOffsetVector', 'FrameIncrementPointer',
  // Image pixel module
  'SamplesPerPixel', 'PlanarConfiguration', 'NumberOfFrames', 'Rows', 'Columns', 'BitsAllocated', 'BitsStored',
  'HighBit', 'PixelRepresentation', 'SmallestImagePixelValue', 'LargestImagePixelValue', 'PixelPaddingValue',
  'PixelPaddingRangeLimit', 'RedPaletteColorLookupTableDescriptor', 'GreenPaletteColorLookupTableDescriptor',
  'BluePaletteColorLookupTableDescriptor', 'RedPaletteColorLookupTableData', 'GreenPaletteColorLookupTableData',
  'BluePaletteColorLookupTableData', 'PixelData', 'FloatPixelData', 'DoubleFloatPixelData', 'ExtendedOffsetTable',
  'ExtendedOffsetTableLengths',
  // Compression history, modality and VOI LUT
  'LossyImageCompression', 'LossyImageCompressionRatio', 'LossyImageCompressionMethod', 'RescaleIntercept',
  'RescaleSlope', 'RescaleType', 'WindowCenter', 'WindowWidth', 'VOILUTFunction',
  // RT dose grids
  'DoseUnits', 'DoseType', 'DoseSummationType', 'DoseGridScaling',
  // Multi-frame functional groups: the items are cleaned by the same rules
  'SharedFunctionalGroupsSequence', 'PerFrameFunctionalGroupsSequence', 'PixelMeasuresSequence', 'PlanePositionSequence',
  'PlaneOrientationSequence', 'PixelValueTransformationSequence', 'FrameVOILUTSequence',
  // Inside U* sequences (ReferencedImageSequence, SourceImageSequence)
  'ReferencedSOPClassUID', 'ReferencedFrameNumber',
  // What the de-identifier itself writes
  'PatientIdentityRemoved', 'DeidentificationMethod', 'DeidentificationMethodCodeSequence', 'CodeValue',
  'CodingSchemeDesignator', 'CodeMeaning', 'LongitudinalTemporalInformationModified',
]);
