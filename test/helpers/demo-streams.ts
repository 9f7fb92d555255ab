/**
 * Runs the demo server's imitated APIs through the real engine, as `sse-devtools capture -X POST -d`
 * does (one connection, one attempt: an LLM request is not repeated), and reads the timeline with
 * the lens the panel would pick.
 */
import type { HeaderPair, TimelineEntry } from '../../src/core/timeline.js';
import { detectLens } from '../../src/core/lenses/registry.js';
import type { LensSummary } from '../../src/core/lenses/lens.js';
import { config, run, type Run } from './harness.js';

export const BEARER: HeaderPair = ['Authorization', 'Bearer demo-token'];
export const JSON_BODY: HeaderPair = ['Content-Type', 'application/json'];

/** One POST through the engine, until its attempt ends; the connection is closed then. */
export async function post(url: string, body: unknown, headers: HeaderPair[] = [BEARER, JSON_BODY], id = 'c1'): Promise<Run> {
  const r = run(config(url, { method: 'POST', headers, body: JSON.stringify(body), reconnect: { maxAttempts: 1 } }), undefined, id);
  await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the attempt end');
  r.connection.close();
  return r;
}

/** One GET through the engine, kept open until `done` holds. */
export function get(url: string, headers: HeaderPair[], lastEventId: string | null = null, id = 'g1'): Run {
  return run(config(url, { headers, initialLastEventId: lastEventId, reconnect: { maxAttempts: 1 } }), undefined, id);
}

export function lensOf(entries: readonly TimelineEntry[]): { name: string | null; summary: LensSummary | null } {
  const lens = detectLens(entries);
  if (lens === null) return { name: null, summary: null };
  const fold = lens.create();
  entries.forEach((e) => fold.add(e));
  return { name: lens.name, summary: fold.summary() };
}

/** The text of a summary's parts of one kind, in order, joined. */
export const textOf = (s: LensSummary, kind = 'text'): string =>
  s.messages
    .flatMap((m) => m.parts)
    .filter((p) => p.kind === kind)
    .map((p) => p.text)
    .join('');
