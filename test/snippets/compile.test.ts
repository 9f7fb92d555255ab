/**
 * Copy as code compiles as written and does what the panel tested.
 *
 * Kotlin: kotlinc (Debian's `kotlin` 1.3.31, installed by src/tooling/ensure-system-deps.mjs)
 * compiles each snippet against stubs of the okhttp-eventsource 4.1.1 / OkHttp 4 API in
 * test/fixtures/*.kt, written from the documented signatures because the real libraries cannot be
 * downloaded here. So this checks the snippet's syntax, that it is a complete program, and that it
 * uses that API shape; not that the real library accepts it.
 * Swift: no compiler exists here. The literals are checked by lexing (injection.test.ts); here a
 * structural check: brackets balance and every statement sits inside a function or a type.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { defaultConfig, type ConnectionConfig } from '../../src/core/config.js';
import { applyProfile, profileById } from '../../src/core/profiles.js';
import { okhttpSnippet, swiftSnippet } from '../../src/core/snippets.js';

const exec = promisify(execFile);
let dir: string;
let stubs: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sse-snippet-compile-'));
  stubs = join(dir, 'stubs');
  const fixtures = resolve('test/fixtures');
  const sources = (await readdir(fixtures)).filter((f) => f.endsWith('.kt')).map((f) => join(fixtures, f));
  await exec('kotlinc', [...sources, '-d', stubs], { timeout: 180_000 });
});
after(() => rm(dir, { recursive: true, force: true }));

/** A connection made in the panel's form: no profile, so no timeouts and the spec's constant 3 s delay. */
function custom(patch: Partial<ConnectionConfig> = {}): ConnectionConfig {
  return { ...defaultConfig('https://api.example.com/stream?topic=a'), headers: [['Authorization', 'Bearer s3cr3t']], initialLastEventId: '41', ...patch };
}

const CASES: [string, ConnectionConfig][] = [
  ['a custom connection: no timeouts, a constant delay, 3 attempts at most', { ...custom(), reconnect: { ...custom().reconnect, maxAttempts: 3 } }],
  [
    'the okhttp profile with a POST body, Last-Event-ID as a query parameter, HTTP errors retried',
    {
      ...applyProfile(custom({ method: 'POST', body: '{"q":"$x"}' }), profileById('okhttp')!),
      lastEventIdTransport: { mode: 'query', param: 'lid' },
      reconnect: { ...profileById('okhttp')!.reconnect, retryOnHttpError: true },
    },
  ],
];

async function compileKotlin(name: string, source: string): Promise<void> {
  const file = join(dir, `${name}.kt`);
  await writeFile(file, source);
  try {
    await exec('kotlinc', ['-cp', stubs, file, '-d', join(dir, `out-${name}`)], { timeout: 180_000 });
  } catch (err) {
    const e = err as { stderr?: string };
    assert.fail(`kotlinc refused the snippet:\n${e.stderr ?? String(err)}\n--- snippet ---\n${source}`);
  }
}

/** Strings and comments out (the literals' own check is lexical), then brackets and top-level lines. */
function swiftStructure(source: string): string[] {
  const problems: string[] = [];
  const code = source.replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/\/\/[^\n]*/g, '');
  const open: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  code.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (open.length === 0 && trimmed !== '' && !/^(import |final class |class |struct |enum |@main$|\})/.test(trimmed)) problems.push(`line ${i + 1} is a statement outside any function or type: ${trimmed}`);
    for (const c of line) {
      if ('([{'.includes(c)) open.push(c);
      else if (c in pairs && open.pop() !== pairs[c]) problems.push(`line ${i + 1}: unbalanced ${c}`);
    }
  });
  if (open.length > 0) problems.push(`unclosed ${open.join('')}`);
  return problems;
}

describe('copy as code compiles and carries every tested setting', () => {
  CASES.forEach(([name, config], i) => {
    test(`Kotlin, ${name}: kotlinc compiles it as a complete program`, async () => {
      await compileKotlin(`Case${i}`, okhttpSnippet(config, { reveal: false }));
    });
  });

  test('Kotlin, a custom connection: no read or connect timeout and a constant delay, where the library would time out after 5 s and back off with jitter', () => {
    const s = okhttpSnippet(CASES[0]![1], { reveal: false });
    assert.match(s, /\.readTimeout\(0, TimeUnit\.MILLISECONDS\)/);
    assert.match(s, /\.connectTimeout\(0, TimeUnit\.MILLISECONDS\)/);
    assert.match(s, /\.retryDelay\(3000, TimeUnit\.MILLISECONDS\)/);
    assert.match(s, /\.backoffMultiplier\(1f\)/);
    assert.match(s, /\.maxDelay\(3000, TimeUnit\.MILLISECONDS\)/);
    assert.match(s, /\.jitterMultiplier\(0f\)/);
    assert.match(s, /\.lastEventId\("41"\)/);
    assert.match(s, /t is StreamHttpErrorException -> ConnectionErrorHandler\.Action\.SHUTDOWN/);
    assert.match(s, /attemptsEnded\.incrementAndGet\(\) >= 3 -> ConnectionErrorHandler\.Action\.SHUTDOWN/);
    assert.match(s, /^fun main\(\) \{$/m);
  });

  test('Kotlin, the okhttp profile: its backoff, jitter and reset written out; the query-parameter Last-Event-ID difference said in a comment', () => {
    const s = okhttpSnippet(CASES[1]![1], { reveal: false });
    for (const api of ['.connectTimeout(10000, TimeUnit.MILLISECONDS)', '.readTimeout(5000, TimeUnit.MILLISECONDS)', '.backoffMultiplier(2f)', '.maxDelay(30000, TimeUnit.MILLISECONDS)', '.jitterMultiplier(0.5f)', '.retryDelayResetThreshold(60000, TimeUnit.MILLISECONDS)']) {
      assert.ok(s.includes(api), `has ${api}`);
    }
    assert.match(s, /\/\/ okhttp-eventsource sends Last-Event-ID as a header on reconnects; the panel sent it as a query parameter/);
    assert.doesNotMatch(s, /StreamHttpErrorException ->/);
  });

  CASES.forEach(([name, config]) => {
    test(`Swift, ${name}: brackets balance and every statement is inside a function or type`, () => {
      const s = swiftSnippet(config, { reveal: false });
      assert.deepEqual(swiftStructure(s), []);
      assert.match(s, /^@main\nstruct SseMain \{\n {4}static func main\(\) \{$/m);
    });
  });

  test('Swift, a custom connection: idle timeout as good as off, delay pinned to 3 s, and a comment saying the library still jitters', () => {
    const s = swiftSnippet(CASES[0]![1], { reveal: false });
    assert.match(s, /config\.idleTimeout = 31536000 /);
    assert.match(s, /config\.reconnectTime = 3\n/);
    assert.match(s, /config\.maxReconnectTime = 3\n/);
    assert.match(s, /\/\/ LDSwiftEventSource always doubles its delay .* cannot wait a constant 3 s as the panel did\. .* between 1\.5 and 3 s\./);
    assert.match(s, /if error is UnsuccessfulResponseError \{ return \.shutdown \}/);
    assert.match(s, /if attemptsEnded >= 3 \{ return \.shutdown \}/);
  });

  test('the structural check catches what the old snippet did: statements at top level', () => {
    assert.notDeepEqual(swiftStructure('import Foundation\nlet eventSource = EventSource(config: config)\neventSource.start()\n'), []);
    assert.notDeepEqual(swiftStructure('struct A {\n    func f() {\n}\n'), []);
  });
});
