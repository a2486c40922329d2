// Prints the target flags binding.gyp compiles the addon with. The default is a portable baseline,
// so a built addon can be copied to any CPU of its architecture: x86-64-v2 (SSE4.2, POPCNT; every
// x86-64 server CPU since 2009) on x86-64, the compiler's default elsewhere (aarch64 included).
// The hot loops carry AVX2 clones picked at load time (medtl_native.c); -DMEDTL_NO_CLONES is
// printed where the toolchain cannot build them (no ifunc, e.g. musl).
//   MEDTL_NATIVE_MARCH=native   build for this CPU only, as medtl did before (for comparisons)
//   MEDTL_NATIVE_CLONES=0       leave the AVX2 clones out
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';

const cc = process.env.CC || 'cc';
const dir = mkdtempSync(join(tmpdir(), 'medtl-cflags-'));

/** Whether `cc` compiles and links `source` with `flags`. */
function builds(source, flags) {
  writeFileSync(join(dir, 't.c'), source);
  const r = spawnSync(cc, [...flags, join(dir, 't.c'), '-o', join(dir, 't')], { stdio: 'ignore' });
  return r.status === 0;
}

const main = 'int main(void) { return 0; }\n';
const clone = '__attribute__((target_clones("avx2", "default"))) int f(int x) { return x + 1; }\nint main(void) { return f(-1); }\n';
try {
  const flags = [];
  const march = process.env.MEDTL_NATIVE_MARCH?.trim();
  if (march) {
    flags.push(`-march=${march}`);
  } else if (arch() === 'x64') {
    flags.push(...(builds(main, ['-march=x86-64-v2']) ? ['-march=x86-64-v2', '-mtune=generic'] : ['-msse4.2', '-mpopcnt']));
  }
  const clones = arch() === 'x64' && process.env.MEDTL_NATIVE_CLONES !== '0' && builds(clone, flags);
  if (!clones) flags.push('-DMEDTL_NO_CLONES');
  process.stdout.write(flags.join(' '));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
