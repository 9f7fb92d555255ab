/**
 * The background's connection manager and port hub in Node, with the real engine against the real
 * scenario server and an in-memory store: batching, history then live, the cap, and resuming after
 * the background lost its memory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createConnectionManager } from '../../src/extension/background/connection-manager.js';
import { createMemoryPersistence } from '../helpers/memory-persistence.js';
import { createPortHub } from '../../src/extension/background/port-hub.js';
import { defaultConfig } from '../../src/core/config.js';
import { createConnectionFold } from '../../src/core/fold.js';
import { estimateEntryBytes } from '../../src/core/settings.js';
import { startFastServer } from '../helpers/fast-server.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { sseHead, startRawServer } from '../helpers/raw-server.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { decodeEntries, type BackgroundMessage } from '../../src/protocol/messages.js';

let server: ScenarioServer;
before(async () => {
  server = await startScenarioServer({ intervalMs: 5, heartbeatMs: 0 });
});
after(() => server.close());

function background(persistence = createMemoryPersistence(), maxEntries = 100_000, maxBytes?: number) {
  const hub = createPortHub({ persistence, frameMs: 16 });
  const manager = createConnectionManager({ persistence, sink: hub, settings: { maxEntriesPerConnection: maxEntries }, maxBytesPerConnection: maxBytes });
  hub.attach(manager);
  return { hub, manager, persistence };
}

function panel() {
  const messages: BackgroundMessage[] = [];
  return {
    port: { postMessage: (m: BackgroundMessage) => void messages.push(structuredClone(m)) },
    messages,
    entries: (): TimelineEntry[] => messages.flatMap((m) => (m.type === 'batch' ? decodeEntries(m.entries) : [])),
  };
}

const until = async (pred: () => boolean, what: string) => {
  for (let i = 0; i < 1000 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred(), `never saw ${what}`);
};

function config(query: string) {
  const c = defaultConfig(`${server.url}/events?${query}`);
  c.headers = [['Authorization', 'Bearer demo-token']];
  return c;
}

describe('the background', () => {
  test('relays entries in batches, not one message per event', async () => {
    const { hub, manager } = background();
    const p = panel();
    await hub.addPort(p.port);
    // All 200 in one write, so how many frames the stream spans does not depend on the machine's
    // timers (a server pacing events with setTimeout(0) stretched over 50 frames under load).
    const fast = await startFastServer({ total: 200, perSecond: 1_000_000 });
    const { id } = manager.open(defaultConfig(fast.url));
    assert.ok(id);
    await until(() => p.entries().some((e) => e.kind === 'stopped' || e.kind === 'reconnect-scheduled'), 'the stream end');
    manager.disconnect(id);
    await hub.flush();
    await fast.close();
    const events = p.entries().filter((e) => e.kind === 'event').length;
    const batches = p.messages.filter((m) => m.type === 'batch').length;
    assert.equal(events, 200);
    assert.ok(batches < events / 4, `${batches} batches for ${events} events`);
  });

  test('ten connections run at once, each with its own timeline', async () => {
    const { hub, manager } = background();
    const ids = Array.from({ length: 10 }, (_, i) => manager.open(config(`interval=5&channels=ch${i}`)).id!);
    await until(() => ids.every((id) => (manager.info(id)?.stats.events ?? 0) >= 5), 'five events on every connection');
    for (const id of ids) manager.disconnect(id);
    await hub.flush();
    const byConnection = new Map<string, Set<string>>();
    for (const e of await hub.history()) {
      if (e.kind === 'event') byConnection.set(e.connectionId, (byConnection.get(e.connectionId) ?? new Set()).add(e.type));
    }
    assert.equal(byConnection.size, 10);
    ids.forEach((id, i) => assert.deepEqual([...byConnection.get(id)!], [`ch${i}`]));
  });

  test('a panel that joins late gets the history, then live entries, with no gap and no duplicate', async () => {
    const { hub, manager } = background();
    const early = panel();
    await hub.addPort(early.port);
    const { id } = manager.open(config('interval=2'));
    await until(() => early.entries().filter((e) => e.kind === 'event').length >= 20, 'twenty events');
    const late = panel();
    await hub.addPort(late.port);
    await until(() => late.entries().filter((e) => e.kind === 'event').length >= 60, 'sixty more events');
    manager.disconnect(id!);
    await hub.flush();
    const seqs = late.entries().map((e) => e.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
    assert.deepEqual(early.entries().map((e) => e.seq), seqs);
  });

  test('past the cap the oldest entries go, an entries-dropped entry says so, and panels are told to trim', async () => {
    const { hub, manager } = background(undefined, 1000);
    const p = panel();
    await hub.addPort(p.port);
    const { id } = manager.open(config('count=1500&interval=0'));
    await until(() => p.entries().some((e) => e.kind === 'entries-dropped'), 'an entries-dropped entry');
    manager.disconnect(id!);
    await hub.flush();
    const snapshot = await hub.history();
    assert.ok(snapshot.length <= 1000);
    const dropped = snapshot.find((e) => e.kind === 'entries-dropped');
    assert.ok(dropped && dropped.kind === 'entries-dropped' && dropped.count > 0);
    assert.ok(p.messages.some((m) => m.type === 'batch' && m.trims.length > 0));
  });

  test('past the byte budget the oldest entries go too, said the same way, stored the same way, and the counts stay the totals', async () => {
    const fast = await startFastServer({ total: 3000, perSecond: 100_000 });
    try {
      const budget = 200_000;
      const persistence = createMemoryPersistence();
      const first = background(persistence, 100_000, budget);
      const p = panel();
      await first.hub.addPort(p.port);
      const { id } = first.manager.open(defaultConfig(fast.url));
      await until(() => first.manager.info(id!)?.state.phase === 'waiting', 'the stream end');
      first.manager.disconnect(id!);
      await first.hub.flush();
      const retained = await first.hub.history();
      const weight = retained.reduce((sum, e) => sum + estimateEntryBytes(e), 0);
      assert.ok(weight <= budget, `${weight} estimated bytes retained (budget ${budget})`);
      assert.ok(retained.length < 3000 && retained.length > 100, `${retained.length} entries retained`);
      const dropped = retained.filter((e) => e.kind === 'entries-dropped');
      assert.ok(dropped.length > 0);
      assert.match(dropped[0]!.kind === 'entries-dropped' ? dropped[0]!.detail : '', /the budget of 195 KiB of entries per connection was reached; the oldest [\d,]+ were dropped/);
      assert.deepEqual(persistence.storedEntries.get(id!), retained, 'storage trimmed the same entries');
      assert.ok(p.messages.some((m) => m.type === 'batch' && m.trims.length > 0), 'panels are told to trim');
      assert.equal(first.manager.info(id!)!.stats.events, 3000, 'the count is the total');
      const second = background(persistence, 100_000, budget);
      await second.manager.restore();
      assert.deepEqual(second.manager.info(id!)!.stats, first.manager.info(id!)!.stats);
      assert.deepEqual(await second.hub.history(), retained);
    } finally {
      await fast.close();
    }
  });

  test('lowering the cap trims a restored, stopped connection too, and says so', async () => {
    const persistence = createMemoryPersistence();
    const first = background(persistence);
    const { id } = first.manager.open(config('count=1200&interval=0'));
    await until(() => first.manager.info(id!)?.state.phase === 'waiting', 'the stream end');
    first.manager.disconnect(id!);
    await first.hub.flush();
    const second = background(persistence);
    await second.manager.restore();
    second.manager.setSettings({ maxEntriesPerConnection: 1000 });
    const entries = await second.hub.history();
    assert.ok(entries.length <= 1000);
    const last = entries.at(-1);
    assert.equal(last?.kind, 'entries-dropped');
    assert.ok(entries.every((e, i) => i === 0 || e.seq > entries[i - 1]!.seq));
  });

  test('a restarted background resumes open connections with their Last-Event-ID and says so', async () => {
    const persistence = createMemoryPersistence();
    const first = background(persistence);
    const { id } = first.manager.open(config('interval=5&tag=restart'));
    await until(() => (first.manager.info(id!)?.stats.events ?? 0) >= 5, 'five events');
    await first.hub.flush();
    const stored = [...persistence.storedEntries.get(id!)!];
    const record = structuredClone(persistence.stored.get(id!)!);
    const lastStored = stored.filter((e) => e.kind === 'event').at(-1);
    assert.ok(lastStored && lastStored.kind === 'event');
    // The old background dies without a word: its fetch is cut, its memory gone, and nothing it
    // did after its last write reaches storage.
    first.manager.disconnect(id!);
    await first.hub.flush();
    persistence.storedEntries.set(id!, stored);
    persistence.stored.set(id!, record);

    const second = background(persistence);
    await second.manager.restore();
    const p = panel();
    await second.hub.addPort(p.port);
    await until(() => p.entries().some((e) => e.kind === 'event' && e.seq > lastStored.seq), 'events after the restart');
    second.manager.disconnect(id!);
    const entries = p.entries();
    const restarted = entries.find((e) => e.kind === 'worker-restarted');
    assert.ok(restarted, 'a worker-restarted entry');
    const resumedRequest = server.streamRequests().filter((r) => r.query.tag === 'restart').at(-1)!;
    assert.equal(resumedRequest.lastEventId, lastStored.lastEventId);
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: entries.length }, (_, i) => i + 1), 'seq continues without a gap');
  });

  test('token-expiry values reach no panel and no storage, yet the reconnect sends them', async () => {
    const expired = 'expired-key-9f8e7d6c5b';
    const { hub, manager, persistence } = background();
    const p = panel();
    await hub.addPort(p.port);
    const { id } = manager.open(config('interval=5&tag=expiry'));
    await until(() => (manager.info(id!)?.stats.events ?? 0) >= 2, 'two events');
    assert.equal(manager.inject(id!, { kind: 'token-expiry', headers: [['X-Api-Key', expired]] }), null);
    manager.inject(id!, { kind: 'drop' });
    // The attempt-started row comes before the server has the request: wait for the server.
    await until(() => server.streamRequests().filter((r) => r.query.tag === 'expiry').length >= 2, 'the reconnect');
    await hub.flush();
    assert.equal(server.streamRequests().filter((r) => r.query.tag === 'expiry').at(-1)?.headers['x-api-key'], expired);
    const info = manager.info(id!)!;
    assert.deepEqual(info.faults, [{ kind: 'token-expiry', headers: [['X-Api-Key', '[redacted]']] }]);
    manager.disconnect(id!);
    await hub.flush();
    const shown = JSON.stringify(p.messages);
    const stored = JSON.stringify([...persistence.stored.values(), ...persistence.storedEntries.values()]);
    assert.ok(!shown.includes(expired), 'the value never reaches a panel');
    assert.ok(!stored.includes(expired), 'the value never reaches storage');
  });

  test('a body marked secret is stored masked, kept only with the session secrets, and sent for real', async () => {
    const body = '{"refresh_token":"rt-0c9b8a7f6e5d"}';
    const persistence = createMemoryPersistence();
    const { hub, manager } = background(persistence);
    const c = { ...config('interval=5&tag=secret-body'), method: 'POST', body, secretBody: true };
    const { id } = manager.open(c);
    await until(() => (manager.info(id!)?.stats.events ?? 0) >= 1, 'an event');
    manager.disconnect(id!);
    await hub.flush();
    assert.equal(server.streamRequests().filter((r) => r.query.tag === 'secret-body').at(-1)?.body, body);
    assert.equal(persistence.stored.get(id!)?.config.body, '[redacted]');
    assert.equal(manager.info(id!)?.config.body, '[redacted]');
    assert.equal(manager.secrets(id!)?.body, body);
    assert.equal((await persistence.loadSecrets(id!))?.body, body);
  });

  test('secrets are not stored with the connection record; without them a restored connection is not resumed', async () => {
    const persistence = createMemoryPersistence();
    const first = background(persistence);
    const { id } = first.manager.open(config('interval=5&token=qs-secret'));
    await first.hub.flush();
    const stored = JSON.stringify([...persistence.stored.values(), ...persistence.storedEntries.values()]);
    assert.ok(!stored.includes('demo-token'), 'no bearer token in storage');
    assert.ok(!stored.includes('qs-secret'), 'no query-string token in storage, labels included');
    first.manager.disconnect(id!);
    // A browser restart clears session storage: the secret is gone.
    await persistence.removeSecrets(id!);
    const record = persistence.stored.get(id!)!;
    persistence.stored.set(id!, { ...record, active: true });
    const second = background(persistence);
    await second.manager.restore();
    await second.hub.flush();
    const info = second.manager.info(id!)!;
    assert.equal(info.state.phase, 'closed');
    assert.match(info.state.phase === 'closed' ? info.state.why : '', /secret values were not kept/);
    // Reconnecting would send "[redacted]" as the token: it says why it will not.
    second.manager.reconnect(id!);
    const again = second.manager.info(id!)!;
    assert.match(again.state.phase === 'closed' ? again.state.why : '', /cannot reconnect: the secret header values were lost/);
  });
  test('state and counts are those a capture of the entries shows, also after a stop and a reconnect by the user', async () => {
    // The first response ends after two events; the second stays open after two more.
    const raw = await startRawServer((res, _req, index) => {
      sseHead(res);
      if (index === 0) res.end('id: 1\ndata: one\n\n: heartbeat\n\nid: 2\ndata: two\n\n');
      else res.write('id: 3\ndata: three\n\nid: 4\ndata: four\n\n');
    });
    try {
      const { hub, manager } = background();
      const c = defaultConfig(raw.url);
      c.reconnect.maxAttempts = 1;
      const { id } = manager.open(c);
      await until(() => manager.info(id!)?.state.phase === 'closed', 'the stop after the first attempt');
      manager.reconnect(id!);
      await until(() => (manager.info(id!)?.stats.events ?? 0) === 4, 'four events');
      const info = manager.info(id!)!;
      const fold = createConnectionFold();
      for (const e of await hub.history()) if (e.connectionId === id) fold.add(e);
      assert.equal(info.state.phase, 'open');
      assert.deepEqual(info.state, fold.state);
      assert.deepEqual(info.stats, fold.stats);
      manager.disconnect(id!);
      await hub.flush();
    } finally {
      await raw.close();
    }
  });

  test('counts stay the totals seen when the cap drops entries, and after a restart', async () => {
    const persistence = createMemoryPersistence();
    const first = background(persistence, 1000);
    const { id } = first.manager.open(config('count=1500&interval=0&tag=totals'));
    await until(() => first.manager.info(id!)?.state.phase === 'waiting', 'the stream end');
    first.manager.disconnect(id!);
    await first.hub.flush();
    const before = first.manager.info(id!)!;
    assert.equal(before.stats.events, 1500);
    assert.ok((await first.hub.history()).filter((e) => e.kind === 'event').length < 1500, 'entries were dropped');
    const second = background(persistence, 1000);
    await second.manager.restore();
    const restored = second.manager.info(id!)!;
    assert.deepEqual(restored.stats, before.stats);
    assert.deepEqual(restored.state, before.state);
  });

  test('a connection with no engine gets its own rows, numbered after the last, and sends nothing', async () => {
    const persistence = createMemoryPersistence();
    const first = background(persistence);
    const { id } = first.manager.open(config('interval=5&tag=no-engine'));
    await until(() => (first.manager.info(id!)?.stats.events ?? 0) >= 2, 'two events');
    // A browser restart while it ran: the session's secrets are gone, the record says it was running.
    first.manager.disconnect(id!);
    await first.hub.flush();
    await persistence.removeSecrets(id!);
    persistence.stored.set(id!, { ...persistence.stored.get(id!)!, active: true });
    const requests = server.streamRequests().filter((r) => r.query.tag === 'no-engine').length;
    const second = background(persistence);
    await second.manager.restore();
    second.manager.reconnect(id!);
    await second.hub.flush();
    const entries = [...persistence.storedEntries.get(id!)!];
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: entries.length }, (_, i) => i + 1), 'seq continues without a gap');
    assert.deepEqual(entries.slice(-3).map((e) => e.kind), ['worker-restarted', 'stopped', 'stopped']);
    assert.equal(server.streamRequests().filter((r) => r.query.tag === 'no-engine').length, requests, 'no request was sent');
  });
});
