/**
 * A real HTTP server whose responses a test scripts byte by byte: for the parsing rules
 * (line endings, BOM, split UTF-8) that the scenario server has no reason to break.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export type Script = (res: ServerResponse, req: IncomingMessage, index: number) => Promise<void> | void;

export interface RawServer {
  url: string;
  requests: RawRequest[];
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check`: what a server logged or the extension stored has no event a test could await. */
export async function until(what: string, check: () => boolean | Promise<boolean>, guardMs: number): Promise<void> {
  const deadline = Date.now() + guardMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await sleep(50);
  }
}

/** Writes each piece as its own TCP segment (a pause between), so the client sees separate chunks. */
export async function writeChunks(res: ServerResponse, pieces: (string | Uint8Array)[], pauseMs = 15): Promise<void> {
  for (const p of pieces) {
    if (res.destroyed) return;
    res.write(p);
    await sleep(pauseMs);
  }
}

export function sseHead(res: ServerResponse, contentType = 'text/event-stream'): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache' });
  res.flushHeaders();
}

export async function startRawServer(script: Script): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    Promise.resolve(script(res, req, requests.length - 1)).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
