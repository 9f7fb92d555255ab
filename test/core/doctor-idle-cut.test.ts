/**
 * The doctor's idle-cut and no-response findings over entries written by hand: a stream that
 * something between the server and the client cuts after a few seconds of silence (shorter than
 * every preset, so the silence table never names it), and a request whose response headers never
 * came. The real nginx that does both is in test/proxy/nginx-doctor.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DoctorFinding } from '../../src/core/doctor/check.js';
import type { DoctorContext } from '../../src/core/doctor/check.js';
import { harToCapture } from '../../src/core/capture/har.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { healthOf, timeline } from '../helpers/doctor.js';
import { config, run, type Run } from '../helpers/harness.js';
import { sleep, sseHead, startRawServer, type RawServer } from '../helpers/raw-server.js';

const find = (entries: Parameters<typeof healthOf>[0], code: string, context?: DoctorContext): DoctorFinding | undefined =>
  healthOf(entries, context).findings.find((f) => f.code === code);

/** Attempts that answer, send one event and are cut `silenceMs` later by the other side, as nginx's proxy_read_timeout does. */
function cutAfterSilence(silences: number[], reason: 'network-error' | 'closed-by-server' | 'fault' | 'idle-timeout' | 'closed-by-user' | 'lost-or-closed' = 'network-error') {
  const t = timeline();
  let now = 0;
  silences.forEach((silence, i) => {
    t.at(now).attempt(i === 0 ? null : String(i)).at(now + 5).response().at(now + 10).event(String(i + 1));
    now += 10 + silence;
    t.at(now).end(reason, reason === 'network-error' ? 'terminated: other side closed' : '');
    t.reconnect(500, String(i + 1));
    now += 500;
  });
  return t;
}

describe('idle-cut', () => {
  test('attempts cut by the other side after about 3 s of silence each: a warning naming the silence, evidence at each end', () => {
    const t = cutAfterSilence([2899, 3004, 2950]);
    const f = find(t.entries, 'idle-cut');
    assert.ok(f, 'an idle-cut finding');
    assert.equal(f.severity, 'warning');
    assert.equal(f.check, 'heartbeat');
    assert.match(f.title, /3\.0 s of silence/);
    const ends = t.entries.filter((e) => e.kind === 'attempt-ended').map((e) => e.seq);
    assert.deepEqual(f.evidence.map((e) => e.seq), ends);
    assert.match(f.evidence[0]?.note ?? '', /attempt 1 ended 2\.9 s after its last byte/);
    assert.match(f.why, /idle timeout of about 3\.0 s/);
    assert.match(f.fix, /every 1\.5 s/);
    assert.match(f.fix, /proxy_read_timeout/);
    assert.match(f.fix, /ALB/);
    // 3 s is shorter than every preset: the silence table has nothing to say about it.
    assert.equal(healthOf(t.entries).findings.filter((x) => x.check === 'heartbeat').length, 1);
  });

  test('once, with nothing else in the attempt: a warning too', () => {
    const f = find(cutAfterSilence([3000]).entries, 'idle-cut');
    assert.equal(f?.severity, 'warning');
    assert.match(f?.title ?? '', /once/);
  });

  test('a server that closes the response itself after a silence counts (closed-by-server), an observed EventSource too', () => {
    assert.ok(find(cutAfterSilence([4000, 4000], 'closed-by-server').entries, 'idle-cut'));
    assert.ok(find(cutAfterSilence([4000, 4000], 'lost-or-closed').entries, 'idle-cut'));
  });

  test("the engine's own ends are no cut from the other side: simulations, the client's read timeout, the user", () => {
    for (const reason of ['fault', 'idle-timeout', 'closed-by-user'] as const) {
      assert.equal(find(cutAfterSilence([3000, 3000], reason).entries, 'idle-cut'), undefined, reason);
    }
  });

  test('silences of different lengths before two network errors: no pattern, no finding', () => {
    assert.equal(find(cutAfterSilence([3000, 9000]).entries, 'idle-cut'), undefined);
  });

  test('the demo stream (an event every second) ended by its server within its rhythm: no finding', () => {
    const t = timeline();
    for (let a = 0; a < 3; a++) {
      const base = a * 20_000;
      t.at(base).attempt(a === 0 ? null : String(a * 10)).at(base + 5).response();
      for (let i = 1; i <= 10; i++) t.at(base + i * 1000).event(String(a * 10 + i));
      t.at(base + 10_990).end('closed-by-server');
      t.reconnect(3000, String(a * 10 + 10));
    }
    assert.equal(find(t.entries, 'idle-cut'), undefined);
  });

  test('an LLM answer that ends right after its last token, and a server that closes after its last event: no finding', () => {
    const t = timeline();
    t.at(0).attempt().at(400).response();
    for (let i = 0; i < 20; i++) t.at(1500 + i * 40).event(null, `{"t":${i}}`);
    t.at(2400).event(null, '[DONE]').at(2402).end('closed-by-server');
    assert.equal(find(t.entries, 'idle-cut'), undefined);

    const u = timeline();
    u.at(0).attempt().at(5).response().at(2000).event('1').at(6000).event('2').at(6003).end('closed-by-server');
    assert.equal(find(u.entries, 'idle-cut'), undefined);
  });

  test('a stream whose heartbeat keeps it busy and ends within its rhythm: no finding', () => {
    const t = timeline();
    t.at(0).attempt().at(5).response().at(10).event('1');
    for (let i = 1; i <= 5; i++) t.at(10 + i * 1000).comment();
    t.at(5800).end('network-error', 'terminated: other side closed');
    assert.equal(find(t.entries, 'idle-cut'), undefined);
  });

  test("a page's EventSource hides comments: the cut may not have followed a real silence, so only info", () => {
    const f = find(cutAfterSilence([3000, 3000], 'lost-or-closed').entries, 'idle-cut', { openStreamsOfOrigin: null, commentsHidden: true });
    assert.equal(f?.severity, 'info');
    assert.match(f?.why ?? '', /comments/);
  });
});

test('a HAR import knows no arrival times (its events carry the response time): its end is no silence, nor a cut', () => {
  const har = {
    log: {
      version: '1.2',
      entries: [
        {
          startedDateTime: '2026-11-25T10:00:01.000Z',
          time: 70_000,
          timings: { send: 1, wait: 16, receive: 69_983 },
          request: { method: 'GET', url: 'https://api.example.com/stream', headers: [] },
          response: { status: 200, statusText: 'OK', headers: [['Content-Type', 'text/event-stream'], ['Cache-Control', 'no-cache']].map(([name, value]) => ({ name, value })), content: { mimeType: 'text/event-stream', text: 'id: 1\ndata: a\n\nid: 2\ndata: b\n\n' } },
        },
      ],
    },
  };
  const result = harToCapture(har, '1.0.0');
  assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  const health = healthOf(result.capture.connections[0]!.entries);
  assert.deepEqual(health.findings.filter((f) => f.check === 'heartbeat').map((f) => f.code), []);
});

describe('no-response', () => {
  test('a request whose response headers never came within 4 s: a warning with the usual suspects', () => {
    const t = timeline();
    t.at(0).attempt().at(4000).end('closed-by-user', 'stopped after --duration 4.0 s');
    const f = find(t.entries, 'no-response');
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.match(f.title, /no response .*4\.0 s/i);
    assert.equal(f.evidence[0]?.seq, t.entries.at(-1)?.seq);
    assert.match(f.why, /gzip/);
    assert.match(f.fix, /proxy_buffering off/);
  });

  test("a page's stream: the browser may have held the request back (six connections per origin), so the request is not said to be sent", () => {
    const t = timeline();
    t.at(0).attempt().at(4000).end('closed-by-user');
    const f = find(t.entries, 'no-response', { openStreamsOfOrigin: null, headersSeen: 'some' });
    assert.ok(f);
    assert.doesNotMatch(f.title, /request was sent/);
    assert.match(f.why, /six connections per origin/);
    assert.match(f.fix, /HTTP\/2/);
    assert.match(find(t.entries, 'no-response')!.title, /request was sent/, 'our own request was sent');
  });

  test('a quick stop, a refused connection, an answered request, a simulated timeout: no finding', () => {
    const quick = timeline().at(0).attempt().at(300).end('closed-by-user');
    assert.equal(find(quick.entries, 'no-response'), undefined);
    const refused = timeline().at(0).attempt().at(3).end('network-error', 'connect ECONNREFUSED');
    assert.equal(find(refused.entries, 'no-response'), undefined);
    const answered = timeline().at(0).attempt().at(10).response().at(5000).end('closed-by-user');
    assert.equal(find(answered.entries, 'no-response'), undefined);
    const simulated = timeline().fault('connect-timeout').at(0).attempt().at(3000).end('connect-timeout');
    assert.equal(find(simulated.entries, 'no-response'), undefined);
    const proxySimulated = timeline().at(0).attempt().at(5000).end('fault', 'proxy idle timeout: no response within 5 s');
    assert.equal(find(proxySimulated.entries, 'no-response'), undefined);
  });

  test("a client profile's own connect timeout after a long wait is still no response", () => {
    const t = timeline().at(0).attempt().at(10_000).end('connect-timeout', 'no response headers within 10000 ms');
    assert.equal(find(t.entries, 'no-response')?.severity, 'warning');
  });
});

describe('idle-cut on real streams through the engine', { concurrency: true }, () => {
  let demo: ScenarioServer;
  /** Ends each response itself 1.5 s after its one event: the server's own idle cut. */
  let quitter: RawServer;
  before(async () => {
    demo = await startScenarioServer();
    quitter = await startRawServer(async (res, _req, i) => {
      sseHead(res);
      res.write(`retry: 1000\nid: ${i + 1}\ndata: once\n\n`);
      await sleep(1500);
      res.end();
    });
  });
  after(async () => {
    await demo.close();
    await quitter.close();
  });
  const twoEnds = async (r: Run): Promise<void> => {
    await r.until((es) => es.filter((e) => e.kind === 'attempt-ended').length >= 2, 'two attempt ends', 20_000);
    r.connection.close();
  };
  const auth = { headers: [['Authorization', 'Bearer demo-token']] as [string, string][] };

  test('a server that ends each response after 1.5 s of silence: idle-cut', async () => {
    const r = run(config(quitter.url));
    await twoEnds(r);
    const f = find(r.entries, 'idle-cut');
    assert.ok(f, r.entries.map((e) => JSON.stringify(e)).join('\n'));
    assert.deepEqual(f.evidence.map((e) => e.seq), r.ends().slice(0, 2).map((e) => e.seq));
  });

  test("the demo stream ended by its server's maxDuration within its rhythm: no finding", async () => {
    const r = run(config(`${demo.url}/events?maxDuration=1500&retry=500`, auth));
    await twoEnds(r);
    assert.equal(find(r.entries, 'idle-cut'), undefined);
  });

  test("the engine's own proxy idle timeout simulation on a silent stream: no idle-cut (the timeline says it was simulated)", async () => {
    const r = run(config(`${demo.url}/events?interval=600000&heartbeat=0&retry=500`, auth));
    await r.until((es) => es.some((e) => e.kind === 'response'), 'the response');
    r.connection.inject({ kind: 'proxy-idle-timeout', ms: 1200, firstByteMs: null, preset: null });
    await twoEnds(r);
    assert.ok(r.ends().every((e) => e.reason === 'fault'));
    assert.equal(find(r.entries, 'idle-cut'), undefined);
  });
});
