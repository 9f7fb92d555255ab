/**
 * Copy as code cannot be turned into code execution: a hostile capture, HAR or stream puts its
 * values into the snippet only as data. Each snippet is parsed the way its language would parse it
 * (curl: by real shells, with `curl` replaced by a function that prints its argv; JS: run in a vm
 * sandbox with a recording EventSourcePolyfill; Kotlin and Swift: by the lexers in
 * test/helpers/code-literals.ts) and must come out as exactly the intended call.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { buildCapture, serializeCapture, type CaptureFile } from '../../src/core/capture/format.js';
import { loadCaptureText } from '../../src/core/capture/load.js';
import { defaultConfig, type ConnectionConfig } from '../../src/core/config.js';
import { curlSnippet, jsString, kotlinString, okhttpSnippet, polyfillSnippet, shellQuote, swiftSnippet, swiftString } from '../../src/core/snippets.js';
import type { HeaderPair } from '../../src/core/timeline.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { lexKotlin, lexSwift, type Token } from '../helpers/code-literals.js';
import { config as harnessConfig, run as runEngine } from '../helpers/harness.js';

const exec = promisify(execFile);

/** Every way out of a string literal we know of, in shell, JS, Kotlin and Swift. */
const PIECES = [
  `'`, `"`, '`', `'\\''`, `\\`, `\\'`, `\\"`, '\\\\', `$(touch PW)`, '`touch PW`', '${x}', '$x', '$HOME', '$`x`', '$$', '\\$x', `\\(x)`, '\\\\(x)',
  '#"raw"#', '"#', '"""', `'''`, '*/', '/*', '//', '#', '%s%n', '!!', '\\u0041', '\\u{41}', '\\x41', '\\0', '\\',
  '\n', '\r', '\r\n', '\t', '\b', '\f', '\v', '\x1b[31m', '\x7f', '\x85', '\u2028', '\u2029', '\u202e', '\u2066', '\ufeff', '\u{e0041}',
  '\ud800', '\udc00', '😀', 'é', 'ß', '\u0000', '\u00001',
];
const ALL = PIECES.join('|');
/** Long enough to matter, short enough for one argv string (Linux caps one at 128 KiB). */
const LONG = `${ALL}${'x'.repeat(20_000)}${ALL}`;
/** What HTTP can carry in a header value: no CR, LF, NUL, nothing above U+00FF. */
const latin1 = (s: string) => Array.from(s).filter((c) => c !== '\r' && c !== '\n' && c !== '\0' && c.codePointAt(0)! <= 0xff).join('');
/** A lone surrogate becomes U+FFFD, as UTF-8 encoding (and Swift) has it. */
const wellFormed = (s: string) => s.replace(/\p{Cs}/gu, '\ufffd');
/** Tokens (RFC 9110 tchar) made as dangerous as tchar allows: quotes, backticks, $, |, &. */
const HOSTILE_METHOD = "X`touch$IFS'PW'`";
const HOSTILE_NAME = "X-`touch$IFS'PW'`|$x&&'!#%^~*+.";

let dir: string;
let server: ScenarioServer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sse-snippets-'));
  server = await startScenarioServer({ intervalMs: 10, heartbeatMs: 0 });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs a shell script in an empty directory with `curl` replaced; returns its argv and what the script left behind. */
async function shellArgv(shell: 'bash' | 'dash', script: string): Promise<{ argv: string[]; files: string[] }> {
  const cwd = await mkdtemp(join(dir, `${shell}-`));
  const { stdout } = await exec(shell, ['-c', `curl() { printf '%s\\0' "$@"; }\n${script}`], { cwd, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const argv = stdout.toString('utf8').split('\0');
  argv.pop();
  return { argv, files: await readdir(cwd) };
}

function hostileConfig(patch: Partial<ConnectionConfig>): ConnectionConfig {
  return {
    ...defaultConfig(`https://api.example.test/${ALL}?q=${LONG}`),
    method: HOSTILE_METHOD,
    headers: [
      [HOSTILE_NAME, latin1(ALL)],
      ['X-Long', latin1(LONG)],
      ['__proto__', latin1(ALL)],
      ['Content-Type', latin1(ALL)],
    ],
    body: LONG,
    initialLastEventId: latin1(ALL),
    connectTimeoutMs: 3000,
    idleTimeoutMs: 600_000,
    ...patch,
  };
}

/** The same connection with every value replaced by a harmless placeholder P<i>X, and the map back. */
function placeholders(c: ConnectionConfig): { benign: ConnectionConfig; values: string[]; channels: (list: string[]) => string[] } {
  const values: string[] = [];
  const ph = (v: string) => `P${values.push(v) - 1}X`;
  const benign: ConnectionConfig = {
    ...c,
    url: `https://api.example.test/${ph(c.url.slice('https://api.example.test/'.length))}`,
    method: ph(c.method),
    headers: c.headers.map(([n, v]): HeaderPair => [n === '__proto__' || n.toLowerCase() === 'content-type' ? n : ph(n), ph(v)]),
    body: c.body === null ? null : ph(c.body),
    initialLastEventId: c.initialLastEventId === null ? null : ph(c.initialLastEventId),
    lastEventIdTransport: c.lastEventIdTransport.mode === 'query' ? { mode: 'query', param: ph(c.lastEventIdTransport.param) } : c.lastEventIdTransport,
  };
  return { benign, values, channels: (list) => list.map(ph) };
}

/** Lexes both snippets: the code must be the same, and each literal the benign one with the hostile values put back. */
function assertSameCall(lex: (s: string) => Token[], hostile: string, benign: string, values: string[], decode: (v: string) => string = (v) => v): void {
  const h = lex(hostile);
  const b = lex(benign);
  assert.equal(h.length, b.length, 'same number of tokens');
  b.forEach((bt, i) => {
    const ht = h[i]!;
    if (bt.kind === 'string') {
      assert.equal(ht.kind, 'string', `token ${i} is a plain string literal`);
      const expected = bt.value.replace(/P(\d+)X/g, (_, n: string) => values[Number(n)]!);
      assert.ok(ht.kind === 'string' && ht.value === decode(expected), `literal ${i} decodes to ${JSON.stringify(decode(expected)).slice(0, 200)}`);
    } else {
      assert.deepEqual(ht, bt, `token ${i} is the same code`);
    }
  });
}

interface Recorded {
  url: unknown;
  options: unknown;
  listeners: unknown[];
}

/** Runs the polyfill snippet in a sandbox whose EventSourcePolyfill records how it was called. */
function runPolyfill(code: string): { calls: Recorded[]; sandbox: vm.Context } {
  const importLine = "import { EventSourcePolyfill } from 'event-source-polyfill';\n";
  assert.ok(code.startsWith(importLine));
  const calls: Recorded[] = [];
  class EventSourcePolyfill {
    listeners: unknown[] = [];
    constructor(url: unknown, options: unknown) {
      calls.push({ url, options, listeners: this.listeners });
    }
    addEventListener(type: unknown): void {
      this.listeners.push(type);
    }
  }
  const sandbox = vm.createContext({ EventSourcePolyfill, console: { log() {}, warn() {} } });
  new vm.Script(code.slice(importLine.length)).runInContext(sandbox);
  return { calls, sandbox };
}

describe('the quoting functions', () => {
  const values = [...PIECES.filter((p) => !p.includes('\0')), ALL.replace(/\0/g, ''), LONG.replace(/\0/g, ''), ''];

  for (const shell of ['bash', 'dash'] as const) {
    test(`${shell} parses every shell-quoted value back to itself`, async () => {
      const { argv, files } = await shellArgv(shell, `curl ${values.map(shellQuote).join(' ')}`);
      // Lone surrogates reach a process as UTF-8, so as U+FFFD.
      assert.deepEqual(argv, values.map(wellFormed));
      assert.deepEqual(files, []);
    });
  }

  test('a NUL cannot be put on a command line, so shellQuote refuses it', () => {
    assert.throws(() => shellQuote('a\0b'), /NUL/);
  });

  test('JavaScript parses every quoted value back to itself', () => {
    const all = [...values, ...PIECES];
    const back = new vm.Script(`[${all.map(jsString).join(',\n')}]`).runInNewContext() as string[];
    assert.deepEqual([...back], all);
  });

  test('Kotlin and Swift literals decode to the value and contain no template, interpolation or raw line break', () => {
    for (const v of [...values, ...PIECES]) {
      assert.deepEqual(lexKotlin(kotlinString(v)), [{ kind: 'string', value: v }], JSON.stringify(v));
      // Swift strings hold Unicode scalars: a lone surrogate is sent (as UTF-8) as U+FFFD, so it is written as that.
      assert.deepEqual(lexSwift(swiftString(v)), [{ kind: 'string', value: wellFormed(v) }], JSON.stringify(v));
    }
  });

  test('invisible and line-breaking characters are written as escapes, so the snippet shows what it sends', () => {
    for (const quote of [jsString, kotlinString, swiftString]) {
      const q = quote('a\u2028b\u202ec\ufeffd\re\u0000f\u{e0041}');
      assert.doesNotMatch(q, /[\u2028\u202e\ufeff\r\0]|\u{e0041}/u, q);
    }
  });
});

describe('every snippet with hostile values in every field is exactly the intended call', () => {
  const variants: [string, Partial<ConnectionConfig>][] = [
    ['Last-Event-ID as a header', {}],
    ['Last-Event-ID as a query parameter (the parameter name hostile)', { initialLastEventId: null, lastEventIdTransport: { mode: 'query', param: LONG } }],
  ];

  for (const [name, patch] of variants) {
    test(`curl, ${name}: bash and dash parse it to the intended argv and run nothing`, async () => {
      // No argv string can hold a NUL (that case is refused, below); everything else goes in.
      const noNul = (v: string) => v.replace(/\0/g, '');
      const h = hostileConfig(patch);
      const c: ConnectionConfig = {
        ...h,
        url: noNul(h.url),
        body: noNul(h.body!),
        lastEventIdTransport: h.lastEventIdTransport.mode === 'query' ? { mode: 'query', param: noNul(h.lastEventIdTransport.param) } : h.lastEventIdTransport,
      };
      const intended = [
        '-N',
        ...['-H', 'Accept: text/event-stream'],
        ...c.headers.flatMap(([n, v]) => ['-H', `${n}: ${v}`]),
        ...(c.initialLastEventId !== null ? ['-H', `Last-Event-ID: ${c.initialLastEventId}`] : []),
        ...['-X', c.method],
        ...['--data-raw', c.body!],
        ...['--connect-timeout', '3'],
        ...['--speed-limit', '1', '--speed-time', '600'],
        c.url,
      ].map(wellFormed);
      const snippet = curlSnippet(c, { reveal: true });
      for (const shell of ['bash', 'dash'] as const) {
        const { argv, files } = await shellArgv(shell, snippet);
        assert.deepEqual(argv, intended, shell);
        assert.deepEqual(files, [], `${shell} ran nothing`);
      }
    });

    test(`JS (polyfill), ${name}: evaluates to exactly the intended constructor call and listeners`, () => {
      const c = hostileConfig(patch);
      const channels = [ALL, LONG, '__proto__', 'constructor'];
      const { calls, sandbox } = runPolyfill(polyfillSnippet(c, { reveal: true, channels }));
      assert.equal(calls.length, 1);
      const [call] = calls;
      const param = c.lastEventIdTransport.mode === 'query' ? c.lastEventIdTransport.param : 'lastEventId';
      // The polyfill sends a first Last-Event-ID only in the URL.
      const url = new URL(c.url);
      if (c.initialLastEventId !== null) url.searchParams.set(param, c.initialLastEventId);
      assert.equal(call!.url, c.initialLastEventId !== null ? url.toString() : c.url);
      const options = call!.options as Record<string, unknown>;
      assert.deepEqual(Object.keys(options), ['headers', 'lastEventIdQueryParameterName', 'heartbeatTimeout']);
      // Own properties, so a header named __proto__ is a header, not the object's prototype.
      assert.deepEqual(Object.entries(options.headers as object), c.headers);
      assert.equal(options.lastEventIdQueryParameterName, param);
      assert.equal(options.heartbeatTimeout, 600_000);
      assert.deepEqual(call!.listeners, channels);
      assert.deepEqual(Object.keys(sandbox).sort(), ['EventSourcePolyfill', 'console'], 'no globals were set');
    });

    test(`Kotlin (okhttp-eventsource), ${name}: the same code as with harmless values, each literal the intended value`, () => {
      const c = hostileConfig(patch);
      const { benign, values } = placeholders(c);
      assertSameCall(lexKotlin, okhttpSnippet(c, { reveal: true }), okhttpSnippet(benign, { reveal: true }), values);
    });

    test(`Swift (LDSwiftEventSource), ${name}: the same code as with harmless values, each literal the intended value`, () => {
      const c = hostileConfig(patch);
      const { benign, values } = placeholders(c);
      assertSameCall(lexSwift, swiftSnippet(c, { reveal: true }), swiftSnippet(benign, { reveal: true }), values, (v) => wellFormed(v));
    });
  }

  test('values no HTTP request can carry are refused with a message that quotes none of them', async () => {
    const unsendable: [string, Partial<ConnectionConfig>][] = [
      ['method', { method: 'X;touch PW;' }],
      ['method', { method: 'GET\n$(touch PW)' }],
      ['header 1', { headers: [['X-Ok', 'v'], ['X\n$(touch PW)', 'v']] }],
      ['header 1', { headers: [['X-Ok', 'v'], ['@/etc/passwd', 'v']] }],
      ['header 1', { headers: [['X-Ok', 'v'], ['X-Evil', 'a\r\n$(touch PW)']] }],
      ['Last-Event-ID', { initialLastEventId: '1\n$(touch PW)' }],
      ['URL', { url: '-o/tmp/PW' }],
    ];
    for (const [field, patch] of unsendable) {
      const c = { ...hostileConfig({}), ...patch };
      for (const make of [curlSnippet, polyfillSnippet, okhttpSnippet, swiftSnippet]) {
        const s = make(c, { reveal: true });
        assert.match(s, new RegExp(`^(#|//) Cannot write this connection as code: its ${field} `), `${make.name}: ${s.slice(0, 200)}`);
        assert.ok(!s.includes('touch PW') && !s.includes('passwd') && !s.includes('\r'), `${make.name} quotes no value`);
        assert.equal(s.split('\n').length, 2, 'one comment line');
      }
      const { files } = await shellArgv('bash', curlSnippet(c, { reveal: true }));
      assert.deepEqual(files, []);
    }
    for (const [field, patch] of [
      ['body', { url: 'https://api.example.test/', body: 'a\0b' }],
      ['URL', { url: 'https://api.example.test/a\0b' }],
    ] as const) {
      const s = curlSnippet(hostileConfig(patch), { reveal: true });
      assert.match(s, new RegExp(`^# Cannot write this connection as a curl command: its ${field} contains a NUL character, which a command line cannot carry\\.\n$`));
    }
  });
});

describe('files with a method that is not an HTTP method are refused where they enter', () => {
  let good: CaptureFile;
  before(async () => {
    const cfg = harnessConfig(`${server.url}/events?count=2`, { reconnect: { maxAttempts: 1 } });
    const r = runEngine(cfg);
    await r.untilClosed();
    good = buildCapture([{ id: 'test', config: cfg, entries: r.entries }], '1.2.3');
  });

  async function load(name: string, doc: unknown) {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(doc));
    return loadCaptureText(await readFile(path, 'utf8'), '1.2.3');
  }
  const clone = (): CaptureFile => JSON.parse(serializeCapture(good)) as CaptureFile;

  test('a real capture with a token method loads, and its curl snippet runs nothing', async () => {
    const doc = clone();
    doc.connections[0]!.config.method = HOSTILE_METHOD;
    const result = await load('token-method.json', doc);
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    const { argv, files } = await shellArgv('bash', curlSnippet(result.capture.connections[0]!.config, { reveal: false }));
    assert.deepEqual(argv.slice(argv.indexOf('-X'), argv.indexOf('-X') + 2), ['-X', HOSTILE_METHOD]);
    assert.deepEqual(files, []);
  });

  for (const [where, set] of [
    ['config.method', (d: CaptureFile) => (d.connections[0]!.config.method = 'X;touch PW;')],
    ['attempts[0].method', (d: CaptureFile) => (d.connections[0]!.attempts[0]!.method = 'X;touch PW;')],
    [
      'entries[0].method',
      (d: CaptureFile) => {
        const e = d.connections[0]!.entries[0]!;
        assert.equal(e.kind, 'attempt-started');
        if (e.kind === 'attempt-started') e.method = 'GET\n$(touch PW)';
      },
    ],
  ] as const) {
    test(`a capture whose ${where} is not an HTTP token is refused with a clear message`, async () => {
      const doc = clone();
      set(doc);
      const result = await load(`bad-${where}.json`, doc);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.errors.join('\n'), new RegExp(`connections\\[0\\]\\.${where.replace(/[[\].]/g, '\\$&')}: not an HTTP method`));
    });
  }

  test('a HAR whose request.method is not an HTTP token is refused with a clear message', async () => {
    const har = (method: string) => ({
      log: {
        entries: [
          { request: { method: 'GET', url: 'https://api.example.test/other', headers: [] }, response: { status: 200, headers: [], content: { mimeType: 'text/html' } } },
          {
            startedDateTime: '2025-01-01T00:00:00.000Z',
            time: 10,
            request: { method, url: 'https://api.example.test/stream', headers: [] },
            response: { status: 200, statusText: 'OK', headers: [], content: { mimeType: 'text/event-stream', text: 'data: hi\n\n' } },
          },
        ],
      },
    });
    const bad = await load('bad.har', har('GET;id>P;'));
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.errors.join('\n'), /^HAR entry 2: request\.method is not an HTTP method/);
    const ok = await load('good.har', har('GET'));
    assert.ok(ok.ok);
  });
});
