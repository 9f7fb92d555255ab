/** Resuming a replay by Last-Event-ID picks up where the original client did. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCapture } from '../../src/core/capture/format.js';
import { defaultConfig } from '../../src/core/config.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { startReplayServer } from '../../src/servers/replay-server.js';
import { config, run } from '../helpers/harness.js';

test('a heartbeat after the last event of an attempt does not hold a resuming client in that attempt', async () => {
  const c = 'c1';
  const url = 'http://127.0.0.1:1/events';
  let seq = 1;
  let time = 1_700_000_000_000;
  const entries: TimelineEntry[] = [];
  const add = (attempt: number, body: Record<string, unknown>): void => {
    entries.push({ connectionId: c, attempt, seq: seq++, time: (time += 5), ...body } as TimelineEntry);
  };
  for (const [attempt, ids] of [[1, ['1', '2']], [2, ['3', '4']]] as const) {
    add(attempt, { kind: 'attempt-started', method: 'GET', url, headers: [], lastEventId: attempt === 1 ? null : '2', lastEventIdVia: attempt === 1 ? 'none' : 'header' });
    add(attempt, { kind: 'response', status: 200, statusText: 'OK', url, redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 1 });
    add(attempt, { kind: 'retry-changed', delayMs: 10 });
    for (const id of ids) add(attempt, { kind: 'event', type: 'message', id, lastEventId: id, data: `event ${id}`, size: 7 });
    // The original server sent a heartbeat after the attempt's last event, then closed.
    add(attempt, { kind: 'comment', text: 'heartbeat' });
    add(attempt, { kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail: 'the server ended the response', durationMs: 20, bytes: 0, events: 2 });
  }
  const capture = buildCapture([{ id: c, config: defaultConfig(url), entries }], '0.0.0');
  const replay = await startReplayServer({ capture, speed: 0 });
  try {
    const r = run(config(replay.url, { reconnect: { initialDelayMs: 10, maxAttempts: 3 } }));
    await r.untilClosed();
    assert.deepEqual(r.events().map((e) => e.id), ['1', '2', '3', '4']);
    assert.equal(r.ends()[2]?.reason, 'no-content');
  } finally {
    await replay.close();
  }
});
