import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resourceUsage } from 'node:process';
import { test } from 'node:test';
import { deidentifyDicom } from '../../../src/data/deid/dicom.js';
import { parseDicom } from '../../../src/data/readers/dicom/read.js';

const FIXTURES = new URL('../../fixtures/dicom/', import.meta.url).pathname;
const NAMES = ['CT_small.dcm', 'MR_small_RLE.dcm', 'image_dfl.dcm', 'SC_rgb_jpeg_dcmtk.dcm', 'MR_small_jp2klossless.dcm'];
const MUTANTS = 200;

test(`${MUTANTS} seeded byte mutants of 5 DICOM fixtures: every error names its file; peak RSS stays under 1 GiB`, async () => {
  const originals = NAMES.map((n) => readFileSync(`${FIXTURES}${n}`));
  // A fixed LCG, so the same mutants come back every run (seed 12345 found a 775 MB UN value read by dcmjs).
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const unnamed: string[] = [];
  let failures = 0;
  for (let i = 0; i < MUTANTS; i++) {
    const b = Buffer.from(originals[i % NAMES.length]);
    const n = 1 + Math.floor(rnd() * 4);
    // Mutations land in the first 2,000 bytes after the preamble, where the meta and the header are.
    for (let k = 0; k < n; k++) b[128 + Math.floor(rnd() * Math.min(b.length - 128, 2000))] = Math.floor(rnd() * 256);
    const source = `mutant-${i}.dcm`;
    const runs = [() => parseDicom(b, source), async () => deidentifyDicom(b, { pseudonym: 'S1', dateShiftDays: 3, key: 'fuzz-slice-key-0123456789', source })];
    for (const run of runs) {
      try {
        await run();
      } catch (e) {
        failures++;
        const message = e instanceof Error ? e.message : String(e);
        if (!message.startsWith(`${source}: `)) unnamed.push(`${source}: ${message.slice(0, 120)}`);
      }
    }
  }
  assert.deepEqual(unnamed, []);
  assert.ok(failures > 0, 'the mutants must exercise the error paths');
  // maxRSS is in KiB; before the value-size check one mutant drove the re-scan to 4.6 GB.
  assert.ok(resourceUsage().maxRSS < 2 ** 20, `peak RSS ${resourceUsage().maxRSS} KiB`);
});
