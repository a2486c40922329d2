// Prints 1 when oneDNN's C headers and library are usable here (Debian: libdnnl-dev), else 0;
// binding.gyp compiles the oneDNN convolution path only then.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'medtl-onednn-'));
try {
  writeFileSync(join(dir, 't.c'), '#include <dnnl.h>\nint main(void) { return dnnl_version() == 0; }\n');
  const r = spawnSync(process.env.CC || 'cc', [join(dir, 't.c'), '-o', join(dir, 't'), '-ldnnl'], { stdio: 'ignore' });
  process.stdout.write(r.status === 0 ? '1' : '0');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
