/**
 * Streams that cannot be resumed as they should: no ids, ids out of order, a server that ignores
 * Last-Event-ID or skips past it, and a `retry:` that makes clients storm. The reconnecting ones
 * end after two events and say `retry: 1000` (the shortest delay that is no storm), so a client
 * comes back within a second and shows what the server does with its Last-Event-ID.
 */
import type { DoctorStreamSpec } from './spec.js';
import { event, pause, pieces, streamHead, writeApart } from './script.js';

const RECONNECT_SOON = 'retry: 1000\n\n';

export const RESUMABILITY_STREAMS: readonly DoctorStreamSpec[] = [
  {
    name: 'no-ids',
    does: 'events without id: a reconnect cannot say where it stopped',
    codes: ['no-ids'],
    watchMs: 6000,
    script: pieces(() => [event(null, '{"n":1}'), event(null, '{"n":2}'), event(null, '{"n":3}')]),
  },
  {
    name: 'bad-ids',
    does: 'ids 1, 2, 2, 1: one repeats, then they go backwards (a reconnect resumes after the last one)',
    codes: ['id-repeated', 'id-backwards'],
    watchMs: 6000,
    script: pieces((after) => [1, 2, 2, 1].map((k, i) => event(after + k, JSON.stringify({ n: i + 1 })))),
  },
  {
    name: 'ignores-last-event-id',
    does: 'starts over at id 1 whatever Last-Event-ID the reconnect sends (two events, then the end)',
    codes: ['last-event-id-ignored'],
    reconnects: 1,
    watchMs: 8000,
    script: pieces(() => [RECONNECT_SOON, event(1, '{"n":1}'), event(2, '{"n":2}')]),
  },
  {
    name: 'gap-after-reconnect',
    does: 'resumes from its live position: after Last-Event-ID: 2 comes id 7 (the four sent during the drop are lost)',
    codes: ['gap-after-reconnect'],
    reconnects: 1,
    watchMs: 8000,
    script: pieces((after) => {
      const next = after === 0 ? 1 : after + 5;
      return [RECONNECT_SOON, event(next, JSON.stringify({ n: next })), event(next + 1, JSON.stringify({ n: next + 1 }))];
    }),
  },
  {
    name: 'retry-storm',
    does: 'retry: 10, then events and heartbeats for 20 s: when it ends (or the server restarts), every client is back within 10 ms',
    codes: ['retry-storm'],
    watchMs: 1500,
    script: async (res) => {
      streamHead(res);
      await writeApart(res, ['retry: 10\n\n', event(1, '{"n":1}'), event(2, '{"n":2}')]);
      for (let s = 0; s < 20 && !res.destroyed; s++) {
        await pause(res, 1000);
        if (!res.destroyed) res.write(': heartbeat\n\n');
      }
      res.end();
    },
  },
];
