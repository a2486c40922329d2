import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';

/** The environment variable holding the de-identification key (text). */
export const DEID_KEY_ENV = 'MEDTL_DEID_KEY';
/** The environment variable holding the path of a file with the key. */
export const DEID_KEY_FILE_ENV = 'MEDTL_DEID_KEY_FILE';

/** Fewest bytes a key may have; a short key makes pseudonyms guessable by brute force over MRNs. */
export const MIN_KEY_BYTES = 16;

/**
 * Fewest bits a key's byte frequencies may carry (Shannon entropy per byte × length). This only catches
 * degenerate keys (16 spaces: 0 bits, 'abab…': 16); a guessable passphrase can still score high.
 */
export const MIN_KEY_BITS = 32;

/** Shannon entropy of a key's byte frequencies times its length, in bits: an upper bound on its strength. */
export function keyEntropyBits(key: Uint8Array): number {
  const counts = new Map<number, number>();
  for (const b of key) counts.set(b, (counts.get(b) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / key.length) * Math.log2(n / key.length);
  return h * key.length;
}

/** Thrown when pseudonymisation is needed and no usable key is given. */
export class DeidKeyError extends Error {
  override readonly name = 'DeidKeyError';
}

/** Where to look for the key. */
export interface DeidKeyOptions {
  /** A key file path (e.g. from `--key-file`); wins over the environment. */
  readonly keyFile?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The workspace; a key file inside it is refused, since the key must never be stored there. */
  readonly workspace?: string;
}

/** The de-identification key from `keyFile`, MEDTL_DEID_KEY_FILE or MEDTL_DEID_KEY, or undefined when none is set. */
export function resolveDeidKey(options: DeidKeyOptions = {}): Buffer | undefined {
  const env = options.env ?? process.env;
  const file = options.keyFile ?? env[DEID_KEY_FILE_ENV];
  let key: Buffer | undefined;
  if (file !== undefined && file !== '') {
    if (options.workspace !== undefined) {
      const rel = relative(resolve(options.workspace), resolve(file));
      if (!rel.startsWith('..') && !isAbsolute(rel)) throw new DeidKeyError(`${file}: the de-identification key file is inside the workspace ${options.workspace}; keep the key outside it`);
    }
    try {
      key = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
    } catch (e) {
      throw new DeidKeyError(`${file}: cannot read the de-identification key file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  } else if (env[DEID_KEY_ENV] !== undefined && env[DEID_KEY_ENV] !== '') {
    key = Buffer.from(env[DEID_KEY_ENV] as string, 'utf8');
  }
  if (key !== undefined && key.length < MIN_KEY_BYTES) throw new DeidKeyError(`the de-identification key has ${key.length} bytes; use at least ${MIN_KEY_BYTES} (e.g. openssl rand -hex 32)`);
  if (key !== undefined && keyEntropyBits(key) < MIN_KEY_BITS) {
    throw new DeidKeyError(`the de-identification key is too uniform (${keyEntropyBits(key).toFixed(0)} bits of byte entropy, at least ${MIN_KEY_BITS} needed); use a random key (e.g. openssl rand -hex 32)`);
  }
  return key;
}

/** The message given when a manifest asks to pseudonymise and no key is set. */
export function missingKeyMessage(what: string): string {
  return `${what} asks to pseudonymise PHI columns, but no de-identification key is set: export ${DEID_KEY_ENV}=<secret> or ${DEID_KEY_FILE_ENV}=<path>, or pass --key-file <path> (keep the key outside the workspace; it is never written there)`;
}

/** Maps a PHI value to a stable pseudonym: `p-` + the first 24 hex digits (96 bits) of HMAC-SHA256(key, value). */
export type Pseudonymiser = (value: string) => string;

/** A keyed pseudonymiser; equal values give equal pseudonyms, so the same patient links across sites and runs. */
export function createPseudonymiser(key: Uint8Array): Pseudonymiser {
  if (key.length < MIN_KEY_BYTES) throw new DeidKeyError(`the de-identification key has ${key.length} bytes; use at least ${MIN_KEY_BYTES}`);
  const k = Buffer.from(key);
  return (value) => `p-${createHmac('sha256', k).update(value, 'utf8').digest('hex').slice(0, 24)}`;
}
