/**
 * The panel's doctor store: entries that arrive in batches (one sync per frame), some dropped from
 * the front meanwhile, give the same health as one doctor fed the whole stream at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDoctor } from '../../core/doctor/doctor.js';
import type { TimelineEntry } from '../../core/timeline.js';
import { createDoctorStore } from './doctor-store.js';
import type { ConnView } from './timeline-store.js';

const URL_ = 'http://127.0.0.1:1/stream';

function entries(): TimelineEntry[] {
  let seq = 0;
  let time = 1_800_000_000_000;
  const at = (body: Record<string, unknown>) => ({ connectionId: 'c1', attempt: 1, seq: ++seq, time: (time += 10), ...body }) as TimelineEntry;
  const out = [
    at({ kind: 'attempt-started', method: 'GET', url: URL_, headers: [], lastEventId: null, lastEventIdVia: 'none' }),
    at({ kind: 'response', status: 200, statusText: 'OK', url: URL_, redirected: false, headers: [['content-type', 'text/event-stream'], ['content-encoding', 'gzip']], timeToHeadersMs: 5 }),
  ];
  for (let i = 0; i < 200; i++) out.push(at({ kind: 'event', type: 'message', id: null, lastEventId: '', data: `tick ${i}`, size: 6 }));
  return out;
}

test('batched syncs with entries trimmed from the front give the health of one whole fold, each entry fed once', () => {
  const all = entries();
  const whole = createDoctor();
  for (const e of all) whole.add(e);
  const v = { info: { id: 'c1', config: { url: URL_ } }, entries: [] as TimelineEntry[], imported: null } as unknown as ConnView;
  const store = createDoctorStore();
  for (let i = 0; i < all.length; i += 37) {
    v.entries.push(...all.slice(i, i + 37));
    // The panel keeps the newest entries only: what was fed before is gone from the front.
    if (v.entries.length > 50) v.entries.splice(0, v.entries.length - 50);
    store.sync(v);
  }
  const health = store.sync(v);
  assert.deepEqual(health, whole.health());
  assert.ok(health.findings.some((f) => f.code === 'compressed'));
  assert.equal(store.sync(v), health, 'no new entry: the same health, not computed again');
});

test("the tab's open streams of the origin and its HTTP version reach the doctor as they change, with no new entry", () => {
  const v = { info: { id: 'c1', config: { url: URL_ } }, entries: entries().slice(0, 2), imported: null } as unknown as ConnView;
  const store = createDoctorStore();
  const six = (h: ReturnType<typeof store.sync>) => h.findings.find((f) => f.code === 'six-connections');
  assert.equal(six(store.sync(v, { openStreamsOfOrigin: 4, httpVersion: 'HTTP/1.1' })), undefined);
  assert.match(six(store.sync(v, { openStreamsOfOrigin: 5, httpVersion: null }))?.evidence[0]?.note ?? '', /^5 streams .*HTTP version unknown/);
  assert.match(six(store.sync(v, { openStreamsOfOrigin: 5, httpVersion: 'HTTP/1.1' }))?.evidence[0]?.note ?? '', /over HTTP\/1\.1/);
  assert.equal(six(store.sync(v, { openStreamsOfOrigin: 7, httpVersion: 'h2' })), undefined, 'HTTP/2 has no such limit');
  assert.equal(six(store.sync(v)), undefined, 'no count: no finding');
});
