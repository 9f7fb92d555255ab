/** Streams whose response headers are the trouble: compression and the header traps. */
import { createGzip } from 'node:zlib';
import type { DoctorStreamSpec } from './spec.js';
import { event, GOOD_HEADERS, pause, resumeFrom, streamHead, writeApart } from './script.js';

/** Three events numbered after where a resuming client stopped. */
const three = (after: number): string[] => [1, 2, 3].map((k) => event(after + k, JSON.stringify({ n: after + k })));

/** Good headers but `change` (a header set to null is left out; a function of the body): three events, then the end. */
const withHeaders =
  (change: Record<string, string | null | ((body: string) => string)>, encode: (text: string) => string | Uint8Array = (t) => t): DoctorStreamSpec['script'] =>
  async (res, req) => {
    const body = three(resumeFrom(req));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...GOOD_HEADERS, ...change })) {
      if (value !== null) headers[name] = typeof value === 'function' ? value(body.join('')) : value;
    }
    streamHead(res, headers);
    await writeApart(res, body.map(encode));
    res.end();
  };

export const HEADER_STREAMS: readonly DoctorStreamSpec[] = [
  {
    name: 'gzip',
    does: 'Content-Encoding: gzip, the compressor flushed after each event (so it works here; behind nginx with gzip on it is held)',
    codes: ['compressed'],
    watchMs: 6000,
    script: async (res, req) => {
      streamHead(res, { ...GOOD_HEADERS, 'Content-Encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(res);
      res.on('close', () => gzip.destroy());
      for (const text of three(resumeFrom(req))) {
        gzip.write(text);
        gzip.flush();
        await pause(res, 30);
      }
      gzip.end();
    },
  },
  {
    name: 'content-type',
    does: 'Content-Type: text/plain (a framework default) on an event stream: EventSource fails it for good',
    codes: ['content-type'],
    watchMs: 6000,
    script: withHeaders({ 'Content-Type': 'text/plain; charset=utf-8' }),
  },
  {
    name: 'charset',
    does: 'Content-Type: text/event-stream; charset=iso-8859-1, and text encoded so: clients decode UTF-8 and show U+FFFD',
    codes: ['charset'],
    watchMs: 6000,
    script: withHeaders({ 'Content-Type': 'text/event-stream; charset=iso-8859-1' }, (text) => Buffer.from(text.replace('{"n"', '{"city":"Zürich","n"'), 'latin1')),
  },
  {
    name: 'no-cache-control',
    does: 'no Cache-Control header: caches and proxies may keep or hold it',
    codes: ['cache-control'],
    watchMs: 6000,
    script: withHeaders({ 'Cache-Control': null }),
  },
  {
    name: 'content-length',
    does: 'a Content-Length: the stream is a fixed-size document that ends at that size',
    codes: ['content-length'],
    watchMs: 6000,
    script: withHeaders({ 'Content-Length': (body) => String(Buffer.byteLength(body)) }),
  },
  {
    name: 'connection-close',
    does: 'Connection: close: every reconnect pays a new TCP (and TLS) handshake',
    codes: ['connection-close'],
    watchMs: 6000,
    script: withHeaders({ Connection: 'close' }),
  },
];
