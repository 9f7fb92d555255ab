/**
 * Which HTTP version each origin answers the inspected page with, from DevTools' network log (a
 * HAR, `devtools.network.getHAR()`): the doctor's `six-connections` finding holds only for HTTP/1.1,
 * and a hook in the page cannot see the protocol. A browser speaks one protocol to an origin at a
 * time (one HTTP/2 or /3 connection, or a pool of HTTP/1.1 ones), so the latest answered request to
 * an origin tells how its streams go, the one still waiting for its answer included. The log is the
 * page's traffic: read field by field, bounded, and a version is kept only if it looks like one.
 */
import { originOf } from '../origin.js';

/** Log entries read at most (the latest): the log holds every request since DevTools opened. */
const MAX_ENTRIES = 20_000;
const MAX_ORIGINS = 200;
const VERSION = /^(?:http\/(?:0\.9|1\.0|1\.1|2(?:\.0)?|3)|h2c?|h3(?:-\d+)?|spdy\/\d)$/i;

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/** 'http/1.1', 'HTTP/1.1' → 'HTTP/1.1'; 'h2', 'h3' as they are: the names users meet in DevTools' Protocol column. */
function normalized(version: string): string {
  return version.toLowerCase().startsWith('http/') ? version.toUpperCase() : version.toLowerCase();
}

/** Origin → the HTTP version of its latest answered request in `har` (a getHAR result, or a whole HAR). Never throws. */
export function httpVersionsInHar(har: unknown): Map<string, string> {
  const h = obj(har);
  const entries = Array.isArray(h.entries) ? h.entries : Array.isArray(obj(h.log).entries) ? (obj(h.log).entries as unknown[]) : [];
  const out = new Map<string, string>();
  for (const raw of entries.slice(-MAX_ENTRIES)) {
    const e = obj(raw);
    const response = obj(e.response);
    // A request still waiting has no answer yet, so nothing says which protocol it will get.
    if (typeof response.status !== 'number' || response.status <= 0) continue;
    const version = response.httpVersion;
    if (typeof version !== 'string' || !VERSION.test(version)) continue;
    const origin = originOf(obj(e.request).url);
    if (origin === null || (!out.has(origin) && out.size >= MAX_ORIGINS)) continue;
    // Later entries win: the log is in request order.
    out.delete(origin);
    out.set(origin, normalized(version));
  }
  return out;
}
