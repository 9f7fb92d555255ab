/**
 * What reaches the terminal: strings from the network or a file are escaped (no escape sequences,
 * no bidi reordering, no fake lines), and the CLI's own error messages never echo a secret.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { serializeCapture } from '../../src/core/capture/format.js';
import { cli } from '../helpers/cli.js';
import { madeCapture } from '../helpers/captures.js';
import { sseHead, startRawServer } from '../helpers/raw-server.js';

const dir = mkdtempSync(join(tmpdir(), 'sse-terminal-'));
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('terminal safety', () => {
  test('a request to the replay server cannot write escape sequences or fake lines to its terminal', async () => {
    const file = join(dir, 'replay.json');
    writeFileSync(file, serializeCapture(madeCapture([{ id: '1', data: 'one' }])));
    let asked = false;
    const r = await cli(['replay', file, '--port', '0'], {
      onOutput: (stdout, child) => {
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (!m || asked) return;
        asked = true;
        void (async () => {
          const evil = encodeURIComponent('\u001b[2J\u001b[H\u202eevil\nFAKE: all tests passed\u2028');
          await (await fetch(`${m[1]}${evil}?lastEventId=${evil}`)).text();
          child.kill('SIGINT');
        })();
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Last-Event-ID \\x1b\[2J/);
    assert.doesNotMatch(r.stdout, UNSAFE);
    assert.doesNotMatch(r.stdout, /^FAKE/m);
  });

  test('bidi overrides and line separators in stream data are shown escaped, in text and in --json', async () => {
    const raw = await startRawServer((res) => {
      sseHead(res);
      res.end('event: t\u202e\nid: 1\u2066\ndata: abc\u202edcba\u2028x\u200fy\u0085z\n\n');
    });
    const text = await cli(['capture', raw.url, '--max-reconnects', '0']);
    const json = await cli(['capture', raw.url, '--max-reconnects', '0', '--json']);
    await raw.close();
    assert.match(text.stdout, /\[t\\u202e\] id=1\\u2066 abc\\u202edcba\\u2028x\\u200fy\\x85z/);
    for (const r of [text, json]) {
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, UNSAFE);
    }
    const event = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; data?: string }).find((e) => e.kind === 'event');
    assert.equal(event?.data, 'abc\u202edcba\u2028x\u200fy\u0085z', '--json stays exact JSON');
  });

  test('usage errors do not print secrets given on the command line', async () => {
    const cases: [string[], RegExp][] = [
      [['capture', 'http://127.0.0.1:1/', '-H', 'Authorization Bearer SECRET-TOKEN-1'], /-H takes 'Name: value', not "Authorization Bearer \[redacted\]"/],
      [['capture', 'http://127.0.0.1:1/', 'http://127.0.0.1:1/x?token=SECRET-TOKEN-2'], /takes one URL/],
      [['capture', 'htp//127.0.0.1/?access_token=SECRET-TOKEN-3'], /Not a valid absolute URL/],
      [['capture', 'http://127.0.0.1:1/', '-H', 'X-Api-Key SECRET-TOKEN-4', '--secret-header', 'X-Api-Key'], /-H takes 'Name: value'/],
      [['capture', 'http://127.0.0.1:1/', '-H', 'Cookie session=SECRET-TOKEN-5'], /-H takes 'Name: value'/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /SECRET-TOKEN/, r.stderr);
    }
  });
});
