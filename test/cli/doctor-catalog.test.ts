/**
 * The doctor's catalog through `sse-devtools doctor URL`, as a user runs it against `npm start`'s
 * server: every /doctor/* stream is found to have its own findings (and nothing else above info),
 * exits 1 under --fail-on warning when one of them is a warning or an error, and the healthy demo
 * stream has no warning or error and exits 0. One test per entry, run side by side.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { FRAMING_TRAPS } from '../../src/core/timeline.js';
import { DOCTOR_PATH, DOCTOR_STREAMS } from '../../src/servers/doctor/catalog.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { catalogArgs } from '../helpers/doctor-catalog.js';

interface DoctorJson {
  connections: { answered: boolean; findings: { code: string; severity: string }[] }[];
}


const serious = (severity: string): boolean => severity === 'warning' || severity === 'error';

describe('sse-devtools doctor over the catalog of misbehaving streams', { concurrency: 8 }, () => {
  let server: ScenarioServer;
  before(async () => {
    server = await startScenarioServer();
  });
  after(() => server.close());

  for (const s of DOCTOR_STREAMS) {
    test(`${DOCTOR_PATH}${s.name}: ${s.codes.join(', ')}`, async () => {
      const r: CliResult = await cli([...catalogArgs('doctor', server.url, s), '--json', '--fail-on', 'warning']);
      const out = JSON.parse(r.stdout) as DoctorJson;
      const findings = out.connections[0]?.findings ?? [];
      const found = findings.map((f) => f.code);
      for (const code of s.codes) assert.ok(found.includes(code), `${code} found; got ${found.join(', ') || 'nothing'}`);
      const others = findings.filter((f) => serious(f.severity) && !s.codes.includes(f.code));
      assert.deepEqual(others.map((f) => f.code), [], 'no other warning or error');
      const expected = findings.some((f) => s.codes.includes(f.code) && serious(f.severity)) ? 1 : 0;
      assert.equal(r.code, expected, `exit ${expected} with --fail-on warning; stderr: ${r.stderr}`);
    });
  }

  test('the help text, the README and docs/doctor.md name every entry', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const docs = readFileSync('docs/doctor.md', 'utf8');
    const res = await fetch(`${server.url}/`);
    const text = await res.text();
    for (const s of DOCTOR_STREAMS) {
      assert.ok(text.includes(`${DOCTOR_PATH}${s.name} `), `GET / lists ${s.name}`);
      assert.ok(readme.includes(`${DOCTOR_PATH}${s.name}\``), `README lists ${s.name}`);
      assert.ok(docs.includes(`${DOCTOR_PATH}${s.name}`) || (FRAMING_TRAPS as readonly string[]).includes(s.name), `docs name ${s.name}`);
      for (const code of s.codes) assert.ok(docs.includes(`\`${code}\``), `docs list ${code}`);
    }
  });

  test('the healthy demo stream (/events): no warning or error, exit 0 with --fail-on warning', async () => {
    const r = await cli(['doctor', `${server.url}/events?interval=100`, '-H', 'Authorization: Bearer demo-token', '--duration', '1500', '--json', '--fail-on', 'warning']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as DoctorJson;
    assert.deepEqual(out.connections[0]?.findings.filter((f) => serious(f.severity)), []);
  });
});
