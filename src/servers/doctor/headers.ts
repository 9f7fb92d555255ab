/** Streams whose response headers are the trouble: compression and the header traps. */
import { createGzip } from 'node:zlib';
import type { DoctorStreamSpec } from './spec.js';
import { event, GOOD_HEADERS, pause, streamHead, writeApart } from './script.js';

const THREE = [1, 2, 3].map((n) => event(n, JSON.stringify({ n })));

/** Good headers but `change` (a header set to null is left out): three events, then the end. */
const withHeaders = (change: Record<string, string | null>, body: readonly (string | Uint8Array)[] = THREE): DoctorStreamSpec['script'] =>
  async (res) => {
    const headers = Object.fromEntries(Object.entries({ ...GOOD_HEADERS, ...change }).filter((e): e is [string, string] => e[1] !== null));
    streamHead(res, headers);
    await writeApart(res, body);
    res.end();
  };

const THREE_BYTES = THREE.join('');

export const HEADER_STREAMS: readonly DoctorStreamSpec[] = [
  {
    name: 'gzip',
    does: 'Content-Encoding: gzip, the compressor flushed after each event (so it works here; behind nginx with gzip on it is held)',
    codes: ['compressed'],
    watchMs: 2000,
    script: async (res) => {
      streamHead(res, { ...GOOD_HEADERS, 'Content-Encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(res);
      res.on('close', () => gzip.destroy());
      for (const text of THREE) {
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
    watchMs: 2000,
    script: withHeaders({ 'Content-Type': 'text/plain; charset=utf-8' }),
  },
  {
    name: 'charset',
    does: 'Content-Type: text/event-stream; charset=iso-8859-1, and text encoded so: clients decode UTF-8 and show U+FFFD',
    codes: ['charset'],
    watchMs: 2000,
    script: withHeaders({ 'Content-Type': 'text/event-stream; charset=iso-8859-1' }, [Buffer.from(event(1, '{"city":"Zürich"}'), 'latin1'), ...THREE.slice(1)]),
  },
  {
    name: 'no-cache-control',
    does: 'no Cache-Control header: caches and proxies may keep or hold it',
    codes: ['cache-control'],
    watchMs: 2000,
    script: withHeaders({ 'Cache-Control': null }),
  },
  {
    name: 'content-length',
    does: 'a Content-Length: the stream is a fixed-size document that ends at that size',
    codes: ['content-length'],
    watchMs: 2000,
    script: withHeaders({ 'Content-Length': String(Buffer.byteLength(THREE_BYTES)) }),
  },
  {
    name: 'connection-close',
    does: 'Connection: close: every reconnect pays a new TCP (and TLS) handshake',
    codes: ['connection-close'],
    watchMs: 2000,
    script: withHeaders({ Connection: 'close' }),
  },
];
