/**
 * Compression on an event stream (issue 14, item 2): a `Content-Encoding` other than identity. A
 * compressor flushes when its buffer fills, not when an event ends, unless the server flushes it
 * after every event; proxies that compress or recompress (nginx `gzip on` with buffering, measured
 * in ../shared/recipes/real-proxies.md) hold the whole stream.
 */
import type { DoctorCheck, DoctorFold } from './check.js';
import { createFindingSet, evidenceOf, headerValue } from './finding-set.js';

const TEXT = {
  severity: 'warning',
  title: 'The event stream is compressed (Content-Encoding): some proxies and compressors hold its bytes back',
  why:
    'A compressor emits bytes when its buffer fills, not when an event ends. Unless every layer flushes after each event, events wait in a gzip buffer (nginx with gzip on and buffering held a compressed stream for 30 s and more), so the stream looks dead or arrives in bursts. It works with some proxies and not others, so it breaks when the path changes.',
  fix:
    'Do not compress text/event-stream: leave it out of the compression middleware (Express compression\'s filter, nginx gzip_types, a CDN\'s compression rule), and send `Cache-Control: no-cache, no-transform` so proxies that honour no-transform do not compress it either. If you must compress, flush the compressor after every event.',
} as const;

export const compressionCheck: DoctorCheck = {
  name: 'compression',
  create(): DoctorFold {
    const set = createFindingSet('compression');
    return {
      add(entry) {
        if (entry.kind !== 'response' || entry.status !== 200) return;
        const encoding = headerValue(entry.headers, 'content-encoding');
        if (encoding === null || /^\s*(identity)?\s*$/i.test(encoding.value)) return;
        set.report('compressed', TEXT, evidenceOf(entry.connectionId, entry.seq, `${encoding.name}: ${encoding.value} on attempt ${entry.attempt}`, encoding.name));
      },
      findings: set.findings,
    };
  },
};
