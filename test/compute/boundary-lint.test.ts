// The lint rule that keeps src/compute/index.ts the compute layer's only public face
// (eslint.config.js): an import of compute/kernels/* from outside src/compute is an error, the
// same import inside src/compute and an import of compute/index.js are not.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: root });

/** The rule ids eslint reports for `code` linted as if it were the file `path` (relative to the repository root). */
async function ruleIds(code: string, path: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result.messages.map((m) => m.ruleId);
}

describe('compute boundary lint rule', () => {
  const kernels = "import { nativeAdamStep } from '../compute/kernels/native.js';\nexport const f = nativeAdamStep;\n";
  it('rejects compute/kernels imports outside src/compute', async () => {
    assert.deepEqual(await ruleIds(kernels, 'src/train/boundary-fixture.ts'), ['no-restricted-imports']);
    assert.deepEqual(await ruleIds("import { loadNative } from '../../src/compute/native.js';\nexport const f = loadNative;\n", 'test/pipeline/boundary-fixture.ts'), ['no-restricted-imports']);
  });

  it('allows them inside src/compute, and compute/index.js everywhere', async () => {
    assert.deepEqual(await ruleIds("import { nativeAdamStep } from './kernels/native.js';\nexport const f = nativeAdamStep;\n", 'src/compute/boundary-fixture.ts'), []);
    assert.deepEqual(await ruleIds("import { withKernelThreads } from '../compute/index.js';\nexport const f = withKernelThreads;\n", 'src/train/boundary-fixture.ts'), []);
  });
});
