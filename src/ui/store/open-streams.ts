/**
 * HTTP/1.1's six connections per origin (issue 14, the doctor's `six-connections`): how many of the
 * inspected tab's observed streams hold a connection to each origin, or wait for one. A stream
 * still waiting for its response counts: it holds a socket, or queues for one, which is the very
 * thing the finding is about. A stream waiting to reconnect holds none until it does.
 */
import type { ConnView } from './timeline-store.js';
import { originOf } from '../../core/origin.js';

const HOLDS_A_CONNECTION: ReadonlySet<string> = new Set(['connecting', 'open']);

/**
 * Per connection id: the open or pending observed streams of its tab to its origin, itself
 * included; only live observed connections that hold or wait for a connection get a count (an
 * imported one is a record, not a socket; a lab connection is the extension's, not the tab's).
 */
export function openStreamsOfOrigin(list: readonly ConnView[]): Map<string, { origin: string; open: number }> {
  const counted = list.flatMap((v) => {
    const o = v.info.observed;
    const origin = originOf(v.info.config.url);
    if (!o || v.imported !== null || origin === null || !HOLDS_A_CONNECTION.has(v.info.state.phase)) return [];
    return [{ id: v.info.id, key: `${o.tabId} ${origin}`, origin }];
  });
  const per = new Map<string, number>();
  for (const c of counted) per.set(c.key, (per.get(c.key) ?? 0) + 1);
  return new Map(counted.map((c) => [c.id, { origin: c.origin, open: per.get(c.key)! }]));
}
