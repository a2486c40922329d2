import { createRequire } from 'node:module';

/** One element of a dcmjs dataset: VR plus values (sequence items are nested datasets). */
export interface DcmjsElement {
  vr: string;
  Value?: unknown[];
  /** dcmjs writes this instead of Value when Value looks unchanged; cleared whenever Value is edited. */
  _rawValue?: unknown;
}

/** A dcmjs dataset: tag as 8 upper-case hex digits ('00100010') → element. */
export type DcmjsDataset = Record<string, DcmjsElement>;

/** A parsed Part 10 file as dcmjs holds it. */
export interface DcmjsDicomDict {
  meta: DcmjsDataset;
  dict: DcmjsDataset;
  write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
}

/** dcmjs's data dictionary entry. */
export interface DcmjsDictionaryEntry {
  readonly tag: string;
  readonly vr: string;
  readonly name: string;
}

/** The part of dcmjs this project uses (dcmjs ships no type declarations). */
export interface DcmjsApi {
  readonly log: { getLogger(name: string): { setLevel(level: 'warn' | 'error' | 'silent'): void } };
  readonly data: {
    readonly DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string | null }): DcmjsDicomDict;
    };
    readonly DicomDict: new (meta: DcmjsDataset) => DcmjsDicomDict;
    readonly DicomMetaDictionary: {
      readonly nameMap: Record<string, DcmjsDictionaryEntry | undefined>;
      readonly dictionary: Record<string, DcmjsDictionaryEntry | undefined>;
    };
  };
}

// createRequire instead of `import`: dcmjs has no .d.ts and a module declaration here could clash with another module's.
/** The dcmjs library, typed with the subset above. */
export const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsApi;
// dcmjs logs an error line for every implicit-VR 'xs'/'ox' element it resolves itself (normal in implicit VR files).
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

/** The dictionary keyword of a tag ('00100010' → 'PatientName'); undefined for private or unknown tags. */
export function tagKeyword(tag: string): string | undefined {
  return dcmjs.data.DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4, 8)})`]?.name;
}

/** The tag ('00100010') of a dictionary keyword ('PatientName'); throws for an unknown keyword. */
export function keywordTag(keyword: string): string {
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[keyword];
  if (entry === undefined) throw new Error(`unknown DICOM keyword ${keyword}`);
  return entry.tag.replace(/[(),]/g, '').toUpperCase();
}
