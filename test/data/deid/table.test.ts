import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPseudonymiser, DeidKeyError, keyEntropyBits, missingKeyMessage, resolveDeidKey } from '../../../src/data/deid/table.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');

test('pseudonyms are the keyed HMAC-SHA256 of the value: stable, key-dependent, not the value', () => {
  const p = createPseudonymiser(KEY);
  const expected = `p-${createHmac('sha256', KEY).update('MRN-1').digest('hex').slice(0, 24)}`;
  assert.equal(p('MRN-1'), expected);
  assert.equal(p('MRN-1'), createPseudonymiser(Buffer.from(KEY))('MRN-1'));
  assert.notEqual(p('MRN-1'), p('MRN-2'));
  assert.notEqual(p('MRN-1'), createPseudonymiser(Buffer.from('another-key-of-16+bytes'))('MRN-1'));
  assert.ok(!p('MRN-1').includes('MRN'));
});

test('the key comes from a key file, else MEDTL_DEID_KEY_FILE, else MEDTL_DEID_KEY', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-key-'));
  await writeFile(join(dir, 'a.key'), 'file-key-aaaaaaaaaaaaaaaa\n');
  await writeFile(join(dir, 'b.key'), 'file-key-bbbbbbbbbbbbbbbb');
  assert.equal(resolveDeidKey({ env: {} }), undefined);
  assert.equal(resolveDeidKey({ env: { MEDTL_DEID_KEY: 'env-key-cccccccccccccccc' } })?.toString(), 'env-key-cccccccccccccccc');
  assert.equal(resolveDeidKey({ env: { MEDTL_DEID_KEY: 'env-key-cccccccccccccccc', MEDTL_DEID_KEY_FILE: join(dir, 'b.key') } })?.toString(), 'file-key-bbbbbbbbbbbbbbbb');
  // The trailing newline of a key file is not part of the key.
  assert.equal(resolveDeidKey({ keyFile: join(dir, 'a.key'), env: { MEDTL_DEID_KEY_FILE: join(dir, 'b.key') } })?.toString(), 'file-key-aaaaaaaaaaaaaaaa');
});

test('bad keys are refused with a message naming the problem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-key-'));
  assert.throws(() => resolveDeidKey({ env: { MEDTL_DEID_KEY: 'too-short' } }), (e: Error) => e instanceof DeidKeyError && /9 bytes; use at least 16/.test(e.message));
  assert.throws(() => resolveDeidKey({ keyFile: join(dir, 'missing.key'), env: {} }), /missing\.key: cannot read the de-identification key file \(ENOENT\)/);
  await writeFile(join(dir, 'ws.key'), 'inside-the-workspace-key');
  assert.throws(() => resolveDeidKey({ keyFile: join(dir, 'ws.key'), workspace: dir, env: {} }), /ws\.key: the de-identification key file is inside the workspace/);
  assert.throws(() => createPseudonymiser(Buffer.from('short')), DeidKeyError);
  assert.match(missingKeyMessage("site 'a'"), /site 'a' asks to pseudonymise PHI columns, but no de-identification key is set: export MEDTL_DEID_KEY=/);
});

test('degenerate keys of 16 bytes or more are refused: 16 spaces, one repeated byte, two alternating bytes', () => {
  for (const k of [' '.repeat(16), 'a'.repeat(40), 'ab'.repeat(8)]) {
    assert.throws(() => resolveDeidKey({ env: { MEDTL_DEID_KEY: k } }), (e: Error) => e instanceof DeidKeyError && /too uniform \(\d+ bits of byte entropy, at least 32 needed\)/.test(e.message), JSON.stringify(k));
  }
  assert.equal(keyEntropyBits(Buffer.from(' '.repeat(16))), 0);
  assert.equal(keyEntropyBits(Buffer.from('ab'.repeat(8))), 16);
  // 32 distinct characters, each once: 32 x log2(32) = 160 bits.
  assert.equal(keyEntropyBits(Buffer.from('0123456789abcdefghijklmnopqrstuv')), 160);
  assert.ok(resolveDeidKey({ env: { MEDTL_DEID_KEY: '0123456789abcdef0123456789abcdef' } }));
});
