/** The open observed streams per origin of the inspected tab: what the doctor's six-connections finding counts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnectionState } from '../../core/timeline.js';
import { openStreamsOfOrigin } from './open-streams.js';
import type { ConnView } from './timeline-store.js';

const OPEN: ConnectionState = { phase: 'open', attempt: 1, since: 0 };
const PENDING: ConnectionState = { phase: 'connecting', attempt: 1, since: 0 };
const CLOSED: ConnectionState = { phase: 'closed', why: 'done', since: 0 };
const WAITING: ConnectionState = { phase: 'waiting', attempt: 2, until: null };

function conn(id: string, url: string, state: ConnectionState, { tabId = 1, observed = true, imported = null as string | null } = {}): ConnView {
  const o = observed ? { api: 'eventsource', mode: 'hook', tabId, pageUrl: 'http://127.0.0.1:1/', frameUrl: 'http://127.0.0.1:1/', withCredentials: false } : undefined;
  return { info: { id, config: { url }, state, ...(o ? { observed: o } : {}) }, imported } as unknown as ConnView;
}

test('counts the open and pending streams of each origin per tab; closed, reconnecting, lab and imported ones are not counted', () => {
  const A = 'http://127.0.0.1:5000/events';
  const list = [
    conn('a1', A, OPEN),
    conn('a2', `${A}?n=2`, OPEN),
    conn('a3', A, PENDING),
    conn('a4', A, CLOSED),
    conn('a5', A, WAITING),
    conn('b1', 'http://127.0.0.1:5001/events', OPEN),
    conn('t2', A, OPEN, { tabId: 2 }),
    conn('lab', A, OPEN, { observed: false }),
    conn('file', A, OPEN, { imported: 'capture.json' }),
    conn('bad', 'not a url', OPEN),
  ];
  const counts = openStreamsOfOrigin(list);
  assert.deepEqual(Object.fromEntries([...counts].map(([id, c]) => [id, c.open])), { a1: 3, a2: 3, a3: 3, b1: 1, t2: 1 });
  assert.equal(counts.get('a1')?.origin, 'http://127.0.0.1:5000');
});
