/**
 * Who put each header in a request, by comparing what was asked for with what went out: a header
 * sent as asked is the form's or SSE DevTools', anything else the HTTP client's, and what was
 * asked for but did not go out is listed as dropped rather than shown as if it had been sent.
 */
import type { HeaderPair, HeaderSource, SentHeader } from '../timeline.js';

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The request's headers, each marked as the form's (as typed) or SSE DevTools' (Accept, Last-Event-ID, the connection's cookies, a simulation's). */
export function plannedSources(planned: readonly HeaderPair[], form: readonly HeaderPair[]): SentHeader[] {
  return planned.map(([name, value]) => [name, value, form.some(([n, v]) => same(n, name) && v === value) ? 'form' : 'sse-devtools']);
}

export function attributeSent(planned: readonly SentHeader[], observed: readonly HeaderPair[] | null): { headers: SentHeader[]; dropped: HeaderPair[] } {
  if (observed === null) return { headers: [...planned], dropped: [] };
  const headers = observed.map(([name, value]): SentHeader => {
    const asked = planned.find(([n]) => same(n, name));
    const source: HeaderSource = asked && asked[1] === value ? asked[2] : 'browser';
    return [name, value, source];
  });
  const dropped = planned.filter(([name]) => !observed.some(([n]) => same(n, name))).map(([n, v]): HeaderPair => [n, v]);
  return { headers, dropped };
}
