import { spawn } from 'node:child_process';

/** What a benchmark child process printed and how long it ran. */
export interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs a command to completion, capturing its output; never throws on a non-zero exit. */
export function runChild(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** The last line of `text` that parses as a JSON object, or undefined. */
export function lastJsonLine<T>(text: string): T | undefined {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** A short excerpt of a child's stderr for an error message (the wasm runtime can dump its whole source on a crash). */
export function stderrTail(text: string, chars = 600): string {
  const lines = text
    .split('\n')
    .filter((l) => l.length < 400)
    .join('\n')
    .trim();
  return lines.length > chars ? `...${lines.slice(-chars)}` : lines;
}
