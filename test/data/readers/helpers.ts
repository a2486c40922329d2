import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = new URL('../../fixtures/images/', import.meta.url).pathname;

export interface Reference {
  readonly format: string;
  readonly shape: number[];
  readonly spacing?: number[];
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly sha256: string;
  readonly [key: string]: unknown;
}

/** reference.json, written by test/fixtures/images/make_reference.py (struct + numpy). */
export const REFERENCE = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Record<string, Reference>;

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

const scratch = mkdtempSync(join(tmpdir(), 'medtl-readers-'));

/** Writes bytes to a scratch file and returns its path. */
export function scratchFile(name: string, bytes: Uint8Array | string): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

export function assertClose(actual: number | null, expected: number, what: string, rel = 1e-9): void {
  if (actual === null || Math.abs(actual - expected) > rel * Math.max(1, Math.abs(expected))) {
    throw new Error(`${what}: got ${actual}, expected ${expected}`);
  }
}
