/**
 * Test harness: a real Orthanc PACS with the DICOMweb plugin on a free loopback port, its storage in
 * a temporary folder, loaded with fixture files over its REST API, and stopped afterwards.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { FIXTURE_PATHS } from './fixtures.js';

/** The Orthanc binary (Debian package `orthanc`); MEDTL_ORTHANC_BIN overrides. */
export const ORTHANC_BIN = process.env.MEDTL_ORTHANC_BIN ?? '/usr/sbin/Orthanc';

const PLUGIN_CANDIDATES = [
  process.env.MEDTL_ORTHANC_DICOMWEB_PLUGIN,
  '/usr/share/orthanc/plugins/libOrthancDicomWeb.so',
  '/usr/lib/orthanc/libOrthancDicomWeb.so',
].filter((p): p is string => !!p);

/** The DICOMweb plugin (Debian package `orthanc-dicomweb`), or undefined when not installed. */
export function dicomWebPlugin(): string | undefined {
  return PLUGIN_CANDIDATES.find((p) => existsSync(p));
}

/**
 * Why the Orthanc tests must skip, or undefined when they can run. With MEDTL_REQUIRE_ORTHANC=1
 * (set by .ci/run once Orthanc has started there) nothing skips: a missing Orthanc then fails.
 */
export function orthancSkipReason(): string | undefined {
  if (process.env.MEDTL_REQUIRE_ORTHANC === '1') return undefined;
  const missing = [];
  if (!existsSync(ORTHANC_BIN)) missing.push('orthanc');
  if (!dicomWebPlugin()) missing.push('orthanc-dicomweb');
  if (missing.length === 0) return undefined;
  return `Orthanc with its DICOMweb plugin is not installed (apt-get install ${missing.join(' ')}; looked for ${ORTHANC_BIN} and ${PLUGIN_CANDIDATES.join(', ')})`;
}

/** A running Orthanc. */
export interface OrthancServer {
  /** REST root, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** DICOMweb root, e.g. http://127.0.0.1:40123/dicom-web */
  readonly dicomWebUrl: string;
  readonly logFile: string;
  /** Stores Part 10 files through POST /instances; returns Orthanc's status per file (Success or AlreadyStored). */
  upload(paths: readonly string[]): Promise<string[]>;
  /** Stops Orthanc (SIGTERM, then SIGKILL after 10 s) and deletes its storage. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
}

/** SIGKILLs the direct children of `pid` (Linux /proc); quietly does nothing elsewhere. */
function killChildren(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) {
      if (c) process.kill(Number(c), 'SIGKILL');
    }
  } catch {
    // no /proc or the child is already gone: the SIGTERM below still reaches Orthanc through the wrapper
  }
}

/** Hard cap on an Orthanc's life, so one leaked by a crashed test run cannot outlive it by long. */
const MAX_LIFETIME_S = 600;

async function startOnce(dir: string, plugin: string): Promise<OrthancServer | { failed: string }> {
  const port = await freePort();
  const storage = join(dir, 'db');
  const config = {
    Name: 'medtl-test',
    HttpPort: port,
    HttpServerEnabled: true,
    RemoteAccessAllowed: false, // loopback only
    AuthenticationEnabled: false,
    DicomServerEnabled: false, // no DIMSE port to collide with anything
    StorageDirectory: storage,
    IndexDirectory: storage,
    Plugins: [plugin],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
    SaveJobs: false,
    ConcurrentJobs: 1,
  };
  const configFile = join(dir, `orthanc-${port}.json`);
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const logFile = join(dir, `orthanc-${port}.log`);
  // Output to a file, not a pipe: a child holding the test runner's pipes could keep it waiting.
  const fd = openSync(logFile, 'w');
  const hasTimeout = existsSync('/usr/bin/timeout');
  const [cmd, args] = hasTimeout
    ? ['/usr/bin/timeout', ['--foreground', '--signal=KILL', String(MAX_LIFETIME_S), ORTHANC_BIN, configFile]]
    : [ORTHANC_BIN, [configFile]];
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      // Its storage is thrown away, so no graceful shutdown (which takes Orthanc 1-3 s): kill it, and the wrapper follows.
      if (hasTimeout) killChildren(child.pid);
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(t);
    }
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      return { failed: `Orthanc exited (${child.exitCode ?? child.signalCode}) before answering on ${url}; ${logFile}:\n${log}` };
    }
    try {
      const res = await fetch(`${url}/system`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        await res.text();
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      return { failed: `Orthanc did not answer ${url}/system within 30 s (log: ${logFile})` };
    }
    await sleep(100);
  }

  return {
    url,
    dicomWebUrl: `${url}/dicom-web`,
    logFile,
    stop,
    async upload(paths) {
      const statuses: string[] = [];
      for (const p of paths) {
        const res = await fetch(`${url}/instances`, {
          method: 'POST',
          headers: { 'content-type': 'application/dicom' },
          body: await readFile(p),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`POST ${url}/instances (${p}): HTTP ${res.status}: ${text}`);
        statuses.push((JSON.parse(text) as { Status: string }).Status);
      }
      return statuses;
    },
  };
}

/** Starts Orthanc with the DICOMweb plugin on a free loopback port (three tries, in case another process takes the port first). */
export async function startOrthanc(): Promise<OrthancServer> {
  const plugin = dicomWebPlugin();
  if (!existsSync(ORTHANC_BIN) || !plugin) throw new Error(orthancSkipReason() ?? `Orthanc or its DICOMweb plugin is missing (${ORTHANC_BIN})`);
  const dir = await mkdtemp(join(tmpdir(), 'medtl-orthanc-'));
  let why = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await startOnce(dir, plugin);
    if (!('failed' in r)) {
      const stop = r.stop;
      return { ...r, stop: async () => { await stop(); await rm(dir, { recursive: true, force: true }); } };
    }
    why = r.failed;
  }
  throw new Error(why); // the temporary folder is kept for its logs
}

/** A test file's Orthanc loaded with the fixtures, and a scratch folder; hooks start and clean up both. */
export interface OrthancFixture {
  /** Why the tests skip (Orthanc not installed), or undefined. */
  readonly skip: string | undefined;
  readonly scratch: string;
  /** The running server; only valid inside tests that did not skip. */
  server(): OrthancServer;
}

/** Registers before/after hooks that start Orthanc with FIXTURE_PATHS uploaded and remove the scratch folder. */
export function orthancWithFixtures(what: string, scratchPrefix: string): OrthancFixture {
  const skip = orthancSkipReason();
  if (skip) console.log(`skipping ${what}: ${skip}`);
  let orthanc: OrthancServer | undefined;
  const scratch = mkdtempSync(join(tmpdir(), scratchPrefix));
  before(async () => {
    if (skip) return;
    orthanc = await startOrthanc();
    await orthanc.upload(FIXTURE_PATHS);
  });
  after(async () => {
    await orthanc?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });
  return {
    skip,
    scratch,
    server() {
      if (!orthanc) throw new Error('Orthanc is not running (the test should have been skipped)');
      return orthanc;
    },
  };
}
