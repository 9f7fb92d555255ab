/**
 * The doctor behind a real nginx (../shared/recipes/real-proxies.md), through the real engine and
 * `sse-devtools doctor URL` as a user runs it: what each proxy setting really does to the demo
 * stream, and what the doctor says about it. Skipped, saying why, where nginx is not installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDoctor } from '../../src/core/doctor/doctor.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { cli } from '../helpers/cli.js';
import { config, run } from '../helpers/harness.js';
import { nginxMissing, startNginx, type Nginx } from '../helpers/nginx.js';

const auth = ['-H', 'Authorization: Bearer demo-token'];

interface DoctorJson {
  failed: boolean;
  connections: { answered: boolean; findings: { code: string; severity: string; title: string; why: string; fix: string; evidence: { seq: number | null; note: string }[] }[] }[];
}

/** One event, then silence (no heartbeat); `retry: 1000` so the reconnect after a cut comes soon (and is no reconnect storm). */
const SILENT = '/events?interval=600000&heartbeat=0&retry=1000';
const IDLE_CUT_3S = 'proxy_buffering off; proxy_read_timeout 3s;';

// Each test waits on its own nginx and streams, so they run side by side.
describe('the doctor behind a real nginx', { skip: nginxMissing, concurrency: true }, () => {
  let demo: ScenarioServer;
  const proxies: Nginx[] = [];
  const nginx = async (location: string): Promise<Nginx> => {
    const n = await startNginx({ upstream: demo.url, location });
    proxies.push(n);
    return n;
  };
  const doctorJson = async (url: string, args: string[]) => {
    const r = await cli(['doctor', url, ...auth, '--json', '--fail-on', 'warning', ...args]);
    return { code: r.code, out: JSON.parse(r.stdout) as DoctorJson, stderr: r.stderr };
  };
  before(async () => {
    demo = await startScenarioServer();
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
    await demo.close();
  });

  test('proxy_read_timeout 3s cuts a silent stream: the engine sees a 200 that ends, and the doctor names the idle cut', async () => {
    const proxy = await nginx(IDLE_CUT_3S);
    const r = run(config(`${proxy.url}${SILENT}`, { headers: [['Authorization', 'Bearer demo-token']] }));
    await r.until((es) => es.filter((e) => e.kind === 'attempt-ended').length >= 2, 'two attempts cut by nginx', 30_000);
    r.connection.close();
    assert.ok(r.entries.filter((e) => e.kind === 'response').every((e) => e.status === 200), 'nginx answered 200 each time');
    const doctor = createDoctor();
    r.entries.forEach((e) => doctor.add(e));
    const f = doctor.health().findings.find((x) => x.code === 'idle-cut');
    assert.ok(f, `an idle-cut finding; nginx: ${proxy.errorLog()}; timeline:\n${r.entries.map((e) => JSON.stringify(e)).join('\n')}`);
    assert.equal(f.severity, 'warning');
    assert.match(f.title, /cut after about \d+\.\d s of silence/);
    const cutEnds = r.ends().slice(0, 2).map((e) => e.seq);
    assert.deepEqual(f.evidence.slice(0, 2).map((e) => e.seq), cutEnds, 'the evidence is where each attempt ended');
  });

  test('the same nginx, `sse-devtools doctor URL`: the idle cut, exit 1 with --fail-on warning', async () => {
    const proxy = await nginx(IDLE_CUT_3S);
    const { code, out, stderr } = await doctorJson(`${proxy.url}${SILENT}`, ['--duration', '9000']);
    assert.equal(code, 1, stderr);
    const findings = out.connections[0]?.findings ?? [];
    assert.deepEqual(findings.map((f) => f.code), ['idle-cut'], JSON.stringify(findings));
    assert.match(findings[0]?.title ?? '', /silence/);
    assert.match(findings[0]?.fix ?? '', /proxy_read_timeout/);
  });

  test('the same nginx in front of a stream with a heartbeat every second: not cut, no finding, exit 0', async () => {
    const proxy = await nginx(IDLE_CUT_3S);
    const { code, out, stderr } = await doctorJson(`${proxy.url}/events?interval=600000&heartbeat=1000`, ['--duration', '5000']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(out.connections[0]?.findings.map((f) => f.code), []);
  });

  test('gzip with buffering (X-Accel-Buffering ignored): not even the headers come; the doctor still ends at --duration and says no response', async () => {
    const proxy = await nginx('proxy_ignore_headers X-Accel-Buffering; gzip on; gzip_types text/event-stream; gzip_min_length 1;');
    // The JSON and the text a person reads, side by side.
    const [{ code, out, stderr }, text] = await Promise.all([
      doctorJson(`${proxy.url}/events`, ['--duration', '4000']),
      cli(['doctor', `${proxy.url}/events`, ...auth, '--duration', '4000']),
    ]);
    assert.equal(code, 1, stderr);
    const c = out.connections[0];
    assert.equal(c?.answered, false);
    const f = c?.findings.find((x) => x.code === 'no-response');
    assert.ok(f, JSON.stringify(c));
    assert.match(f.title, /No response in \d+\.\d s/);
    assert.match(f.why, /gzip/);
    assert.match(text.stdout, /\[heartbeat\/no-response\]/);
    assert.match(text.stdout, /never answered with a 200/);
  });

  test('gzip without buffering: events arrive on time, gzip-encoded: the compressed warning only', async () => {
    const proxy = await nginx('gzip on; gzip_types text/event-stream; proxy_buffering off;');
    const r = run(config(`${proxy.url}/events?interval=200`, { headers: [['Authorization', 'Bearer demo-token']] }));
    await r.until((es) => es.filter((e) => e.kind === 'event').length >= 3, 'three events through gzip');
    r.connection.close();
    const response = r.entries.find((e) => e.kind === 'response');
    assert.ok(response?.kind === 'response' && response.headers.some(([n, v]) => n === 'content-encoding' && v === 'gzip'));
    const { code, out, stderr } = await doctorJson(`${proxy.url}/events`, ['--duration', '3000']);
    assert.equal(code, 1, stderr);
    assert.deepEqual(out.connections[0]?.findings.map((f) => f.code), ['compressed']);
  });

  test('proxy_buffering off, the healthy baseline: no finding, exit 0 with --fail-on warning', async () => {
    const proxy = await nginx('proxy_buffering off;');
    const { code, out, stderr } = await doctorJson(`${proxy.url}/events`, ['--duration', '3000']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(out.connections[0]?.findings.map((f) => f.code), []);
  });
});
