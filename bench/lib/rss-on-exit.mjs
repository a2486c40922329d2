// Preloaded (node --import) into a process whose peak RSS bench/speed.ts reports without changing its
// code, e.g. the `medtl demo` CLI: at exit it writes resourceUsage().maxRSS (KiB) to $MEDTL_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.MEDTL_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
