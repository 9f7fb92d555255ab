/**
 * The demo server's MCP endpoints over real HTTP, each message through the real engine as its own
 * connection (as the panel's lab or `capture -X POST` sends it), the session's timelines merged in
 * time order and read by the MCP lens: requests paired with responses across streams, progress,
 * latency, the session id followed, priming events and resumption with Last-Event-ID, and the legacy
 * transport's endpoint event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HeaderPair, TimelineEntry } from '../../src/core/timeline.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { BEARER, get, JSON_BODY, lensOf, post } from '../helpers/demo-streams.js';
import type { Run } from '../helpers/harness.js';

const VERSION = '2025-11-25';
const ACCEPT: HeaderPair = ['Accept', 'application/json, text/event-stream'];
const rpc = (id: number, method: string, params: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method, params });
const weather = (id: number) => rpc(id, 'tools/call', { name: 'get_weather', arguments: { city: 'Zürich' }, _meta: { progressToken: `t${id}` } });

/** One session's timelines as the lens reads them: the engine records what it POSTed in attempt-started. */
class Session {
  readonly runs: Run[] = [];
  id = '';
  constructor(readonly url: string) {}
  headers(): HeaderPair[] {
    return [BEARER, JSON_BODY, ACCEPT, ['Mcp-Session-Id', this.id], ['MCP-Protocol-Version', VERSION]];
  }
  async post(name: string, message: unknown, headers: HeaderPair[] = this.headers(), query = ''): Promise<Run> {
    const r = await post(`${this.url}/mcp${query}`, message, headers, name);
    this.runs.push(r);
    return r;
  }
  track(r: Run): Run {
    this.runs.push(r);
    return r;
  }
  entries(): TimelineEntry[] {
    const all = this.runs.flatMap((run) => run.entries);
    return all.sort((a, b) => a.time - b.time);
  }
}

const events = (r: Run) => r.events();
const header = (r: Run, name: string) => r.entries.flatMap((e) => (e.kind === 'response' ? e.headers : [])).find(([n]) => n.toLowerCase() === name)?.[1] ?? null;

describe('demo server: MCP over Streamable HTTP, read by the MCP lens', () => {
  let server: ScenarioServer;
  before(async () => {
    server = await startScenarioServer();
  });
  after(() => server.close());

  async function initialized(): Promise<Session> {
    const s = new Session(server.url);
    const init = await s.post('p0', rpc(0, 'initialize', { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'test', version: '1' } }), [BEARER, JSON_BODY, ACCEPT]);
    s.id = header(init, 'mcp-session-id') ?? '';
    assert.match(s.id, /^[0-9a-f-]{36}$/, 'initialize answers with Mcp-Session-Id');
    const [priming, result] = events(init);
    assert.equal(priming?.data, '', 'the POST stream opens with a priming event');
    assert.notEqual(priming?.id ?? null, null);
    assert.equal((JSON.parse(result?.data ?? '{}') as { result: { protocolVersion: string } }).result.protocolVersion, VERSION);
    const note = await s.post('p1', { jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.equal(note.entries.find((e) => e.kind === 'response')?.status, 202);
    return s;
  }

  test('initialize, tools/list and tools/call with progress: each paired with its answer, with latency and the session id', async () => {
    const s = await initialized();
    const list = await s.post('p2', rpc(1, 'tools/list'));
    assert.match(events(list).at(-1)?.data ?? '', /get_weather/);
    const call = await s.post('p3', weather(2));
    assert.deepEqual(
      events(call).map((e) => (e.data === '' ? 'priming' : ((JSON.parse(e.data) as { method?: string }).method ?? 'result'))),
      ['priming', 'notifications/progress', 'notifications/progress', 'notifications/progress', 'result'],
    );

    const { name, summary } = lensOf(s.entries());
    assert.equal(name, 'mcp');
    assert.ok(summary);
    const calls = new Map(summary.calls.map((c) => [c.method, c]));
    assert.deepEqual([...calls.keys()], ['initialize', 'tools/list', 'tools/call']);
    for (const c of calls.values()) {
      assert.equal(c.outcome, 'result', c.method);
      assert.notEqual(c.latencyMs, null, `${c.method} has a latency`);
    }
    const toolsCall = calls.get('tools/call');
    assert.equal(toolsCall?.progress.length, 3);
    assert.match(toolsCall?.summary ?? '', /Zürich: 14 °C/);
    assert.equal(toolsCall?.sessionId, s.id);
    assert.deepEqual(summary.findings.filter((f) => f.severity !== 'info'), []);
  });

  test('a request without Mcp-Session-Id or without MCP-Protocol-Version is refused with 400; after DELETE the session is gone (404)', async () => {
    const s = await initialized();
    const noSession = await s.post('x1', rpc(5, 'tools/list'), [BEARER, JSON_BODY, ACCEPT, ['MCP-Protocol-Version', VERSION]]);
    assert.equal(noSession.ends()[0]?.status, 400);
    const noVersion = await s.post('x2', rpc(6, 'tools/list'), [BEARER, JSON_BODY, ACCEPT, ['Mcp-Session-Id', s.id]]);
    assert.equal(noVersion.ends()[0]?.status, 400);
    const { summary } = lensOf(s.entries());
    assert.ok(summary?.findings.some((f) => f.code === 'missing-session-id'), 'the lens flags the request without the session id');
    const deleted = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: Object.fromEntries(s.headers()) });
    assert.equal(deleted.status, 204);
    const after = await s.post('x3', rpc(7, 'tools/list'));
    assert.equal(after.ends()[0]?.status, 404);
  });

  test('the GET stream opens with a priming event, and a GET with Last-Event-ID resumes after that event', async () => {
    const s = await initialized();
    const first = s.track(get(`${server.url}/mcp?interval=20`, s.headers(), null, 'g1'));
    await first.until((es) => es.filter((e) => e.kind === 'event').length >= 3, 'the priming event and two log messages');
    first.connection.close();
    const [priming, tick1] = events(first);
    assert.equal(priming?.data, '');
    assert.match(tick1?.data ?? '', /notifications\/message/);
    const resumed = s.track(get(`${server.url}/mcp?interval=20`, s.headers(), priming?.id ?? null, 'g2'));
    await resumed.until((es) => es.filter((e) => e.kind === 'event').length >= 2, 'the replayed events');
    resumed.connection.close();
    assert.equal(resumed.entries.find((e) => e.kind === 'attempt-started' && e.lastEventId === priming?.id) !== undefined, true, 'Last-Event-ID was sent');
    assert.equal(events(resumed)[0]?.id, tick1?.id, 'the first event after the priming one comes again');
    assert.equal(events(resumed)[0]?.data, tick1?.data);
  });

  test('fail=mid cuts a tools/call stream inside a message; a GET with Last-Event-ID gets the rest, and the lens pairs the answer across streams', async () => {
    const s = await initialized();
    const cut = await s.post('p4', weather(3), s.headers(), '?speed=20&fail=mid');
    assert.notEqual(cut.ends()[0]?.reason, 'closed-by-server', 'the connection was cut, not ended');
    const lastId = events(cut).at(-1)?.id ?? null;
    assert.notEqual(lastId, null, 'the cut stream was primed, so it can be resumed');
    assert.equal(lensOf(s.entries()).summary?.calls.find((c) => c.method === 'tools/call')?.outcome, 'pending');

    const resumed = s.track(get(`${server.url}/mcp`, s.headers(), lastId, 'g3'));
    await resumed.until((es) => es.some((e) => e.kind === 'event' && e.data.includes('"result"')), 'the tool result on the resumed stream');
    resumed.connection.close();
    const { summary } = lensOf(s.entries());
    const call = summary?.calls.find((c) => c.method === 'tools/call');
    assert.equal(call?.outcome, 'result');
    assert.equal(call?.progress.length, 3, 'progress from both streams');
    assert.notEqual(call?.latencyMs, null);
  });

  test('fail=error: tools/call answers with a JSON-RPC error after its progress, which the lens shows as the call’s outcome', async () => {
    const s = await initialized();
    await s.post('p5', weather(4), s.headers(), '?speed=20&fail=error');
    const call = lensOf(s.entries()).summary?.calls.find((c) => c.method === 'tools/call');
    assert.equal(call?.outcome, 'error');
    assert.equal(call?.progress.length, 3);
    assert.match(call?.summary ?? '', /Internal error/);
  });

  test('a request from another site’s page (its Origin) is refused with 403, against DNS rebinding; the server’s own page is not', async () => {
    const init = JSON.stringify(rpc(0, 'initialize', { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 't', version: '1' } }));
    const headers = { Authorization: 'Bearer demo-token', 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
    const foreign = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...headers, Origin: 'http://evil.example' }, body: init });
    assert.equal(foreign.status, 403);
    const own = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...headers, Origin: server.url }, body: init });
    assert.equal(own.status, 200);
    await own.body?.cancel();
  });

  test('without the Bearer token: 401 with a JSON error', async () => {
    const r = await post(`${server.url}/mcp`, rpc(0, 'initialize'), [JSON_BODY, ACCEPT], 'n1');
    assert.equal(r.ends()[0]?.status, 401);
    assert.match(r.ends()[0]?.body?.text ?? '', /"error"/);
  });
});

describe('demo server: MCP over the legacy HTTP+SSE transport', () => {
  let server: ScenarioServer;
  before(async () => {
    server = await startScenarioServer();
  });
  after(() => server.close());

  test('GET /sse names the endpoint; POSTs to it are answered 202 and their answers come on the stream', async () => {
    const stream = get(`${server.url}/sse`, [BEARER]);
    await stream.until((es) => es.some((e) => e.kind === 'event' && e.type === 'endpoint'), 'the endpoint event');
    const endpoint = events(stream)[0]?.data ?? '';
    assert.match(endpoint, /^\/messages\?sessionId=[0-9a-f-]{36}$/);
    const posted: Run[] = [];
    for (const [i, message] of [rpc(1, 'initialize', { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 't', version: '1' } }), rpc(2, 'tools/list'), weather(3)].entries()) {
      const r = await post(`${server.url}${endpoint}&speed=20`, message, [BEARER, JSON_BODY], `p${i}`);
      assert.equal(r.entries.find((e) => e.kind === 'response')?.status, 202);
      posted.push(r);
    }
    await stream.until((es) => es.some((e) => e.kind === 'event' && e.data.includes('"id":3,"result"')), 'the tools/call result on the stream');
    stream.connection.close();
    const entries = [...stream.entries, ...posted.flatMap((run) => run.entries)].sort((a, b) => a.time - b.time);
    const { name, summary } = lensOf(entries);
    assert.equal(name, 'mcp');
    assert.deepEqual(summary?.calls.map((c) => [c.method, c.outcome]), [['initialize', 'result'], ['tools/list', 'result'], ['tools/call', 'result']]);
    assert.equal(summary?.calls.at(-1)?.progress.length, 3);
  });
});
