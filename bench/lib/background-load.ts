// The documented background load of `bench:speed --background-load N`: N child processes, each
// spinning one core in a pure arithmetic loop at normal priority, started before the first workload
// and stopped after the last, so medtl and PyTorch run alongside the same steady competition for
// the cores (other processes busy on a shared machine).
import { spawn, type ChildProcess } from 'node:child_process';

/** The loop each load process runs: integer arithmetic only, no memory traffic to speak of. */
export const SPINNER_SOURCE = 'let x = 0; for (;;) { x = (x * 1103515245 + 12345) | 0; }';

/** Running load processes; `stop` ends them (also done at exit). */
export interface BackgroundLoad {
  /** Process ids of the spinners. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

/** Starts `n` spinning processes (none for 0). */
export function startBackgroundLoad(n: number): BackgroundLoad {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`--background-load must be a non-negative integer, got '${n}'`);
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) children.push(spawn(process.execPath, ['-e', SPINNER_SOURCE], { stdio: 'ignore' }));
  const kill = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  // A bench that throws must not leave spinners behind.
  process.once('exit', kill);
  const stop = async () => {
    const exited = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))));
    kill();
    await Promise.all(exited);
    process.removeListener('exit', kill);
  };
  return { pids: children.map((c) => c.pid!), stop };
}
