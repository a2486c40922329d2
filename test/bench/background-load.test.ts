// bench:speed's --background-load (bench/lib/background-load.ts): the spinners run and burn CPU
// while the bench runs, and none is left once it stops.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startBackgroundLoad } from '../../bench/lib/background-load.js';

/** User + system CPU ticks a process has used, from /proc (Linux). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('background load: N spinning processes, all gone after stop', { skip: process.platform === 'linux' ? false : 'reads /proc' }, async () => {
  const load = startBackgroundLoad(2);
  assert.equal(load.pids.length, 2);
  try {
    await new Promise((r) => setTimeout(r, 1500));
    // Each spinner has used CPU time of its own (a sleeping process would show ~0 ticks).
    for (const pid of load.pids) assert.ok(cpuTicks(pid) > 10, `spinner ${pid} used ${cpuTicks(pid)} ticks`);
  } finally {
    await load.stop();
  }
  for (const pid of load.pids) assert.equal(alive(pid), false, `spinner ${pid} still running`);
  assert.throws(() => startBackgroundLoad(-1), /--background-load must be a non-negative integer, got '-1'/);
});
