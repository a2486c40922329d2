/**
 * Test helper: an HTTP proxy in front of a real DICOMweb server that can answer a request with an
 * error status or cut a response body short, to exercise retries and per-instance failures.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

/** What to do with one request: pass it on, answer with a status, or send half the real body and drop the connection. */
export type Fault = 'pass' | 'cut' | { status: number; retryAfter?: string };

/** A running proxy. */
export interface FaultProxy {
  readonly url: string;
  /** Every request seen, in order: path with query, and headers. */
  readonly requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** Starts a loopback proxy to `upstream`; `decide(path, nth)` picks the fault, `nth` counting 1, 2... per path. */
export async function startFaultProxy(upstream: string, decide: (path: string, nth: number) => Fault): Promise<FaultProxy> {
  const requests: FaultProxy['requests'] = [];
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const nth = (seen.get(path) ?? 0) + 1;
    seen.set(path, nth);
    const fault = decide(path, nth);
    if (typeof fault === 'object') {
      res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      res.end(`injected HTTP ${fault.status}`);
      return;
    }
    void (async () => {
      const up = await fetch(upstream + path, { headers: { accept: req.headers.accept ?? '*/*' } });
      const body = Buffer.from(await up.arrayBuffer());
      const headers: Record<string, string> = { 'content-type': up.headers.get('content-type') ?? 'application/octet-stream' };
      if (fault === 'cut') {
        headers['content-length'] = String(body.length);
        res.writeHead(up.status, headers);
        res.write(body.subarray(0, body.length >> 1), () => res.destroy());
        return;
      }
      res.writeHead(up.status, headers);
      res.end(body);
    })().catch((e: Error) => {
      res.writeHead(599);
      res.end(e.message);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
