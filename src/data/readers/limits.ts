import { ImageReadError } from './types.js';

/** Decoded-size cap when MEDTL_MAX_DECODED_MB is unset, in MiB. */
export const DEFAULT_MAX_DECODED_MB = 1024;
/** The environment variable that sets the cap. */
export const MAX_DECODED_ENV = 'MEDTL_MAX_DECODED_MB';

/** Thrown when a file would decode to more than the cap; the file is quarantined with this message. */
export class DecodeLimitError extends ImageReadError {}

/** The cap on one file's decoded bytes (pixels as stored, or a decompressed stream), from MEDTL_MAX_DECODED_MB. */
export function maxDecodedBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_DECODED_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_DECODED_MB * 2 ** 20;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`${MAX_DECODED_ENV} must be a positive number of MiB, got '${raw}'`);
  return Math.floor(mb * 2 ** 20);
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Throws DecodeLimitError naming `source` and `what` when `bytes` exceeds the cap; called before allocating. */
export function checkDecodedSize(bytes: number, what: string, source: string): void {
  const limit = maxDecodedBytes();
  if (!(bytes <= limit)) {
    throw new DecodeLimitError(`${source}: ${what} would decode to ${mib(bytes)}, over the limit of ${mib(limit)} (${MAX_DECODED_ENV})`);
  }
}

/** The message for a stream that inflated past the cap (zlib's maxOutputLength stopped it). */
export function inflateLimitMessage(source: string, what: string): string {
  return `${source}: ${what} inflates to more than ${mib(maxDecodedBytes())}, the limit (${MAX_DECODED_ENV}); decoding stopped`;
}

/** True for the RangeError zlib throws when maxOutputLength is reached. */
export function isOutputLimitError(e: unknown): boolean {
  return e instanceof RangeError && (e as RangeError & { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}
