/**
 * Token-looking values in what a capture exports: found by kind and place, left alone where they
 * are words, removed from the written file when chosen, and found in linear time on hostile input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prepareExport } from '../../src/core/capture/export.js';
import { serializeCapture } from '../../src/core/capture/format.js';
import { describeFinding, findTokens, SCAN_CHARS, scanForTokens, TOKEN_KINDS, type TokenKind } from '../../src/core/capture/token-scan.js';
import { defaultConfig } from '../../src/core/config.js';
import type { TimelineEntry } from '../../src/core/timeline.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const OPENAI = 'sk-proj-4f9Xa8Lq2Zt7Wm1Rb6Yc0Ve3';
const GITHUB = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
const SLACK = 'xoxb-2381992-93827345-aZ9pQ2';
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const BEARER = 'c2VjcmV0LWJlYXJlci12YWx1ZQ';
const PASSWORD = 'hunter2-but-longer';
const QUERY = 'q5Zr8Kp2Lm9Xw3Vb';
const ALL = [JWT, OPENAI, GITHUB, SLACK, AWS, BEARER, PASSWORD, QUERY];

const kinds = (text: string): [TokenKind, string][] => findTokens(text).spans.map((s) => [s.kind, text.slice(s.start, s.end)]);

function entries(): TimelineEntry[] {
  const base = { connectionId: 'c1', attempt: 1 };
  let seq = 1;
  const event = (data: string, id: string | null = null): TimelineEntry => ({ ...base, seq: seq++, time: 1_700_000_000_000 + seq, kind: 'event', type: 'message', id, lastEventId: id ?? '', data, size: data.length });
  return [
    { ...base, seq: seq++, time: 1_700_000_000_000, kind: 'attempt-started', method: 'GET', url: `https://api.example.com/stream?session=${JWT}`, headers: [['accept', 'text/event-stream']], lastEventId: null, lastEventIdVia: 'none' },
    ...Array.from({ length: 12 }, (_, i) => event(`{"n":${i},"auth":"${JWT}"}`)),
    event(JSON.stringify({ api_key: OPENAI, note: 'rotate me' })),
    event(`config: github ${GITHUB}, slack ${SLACK}, aws ${AWS}.`),
    event(`Authorization: Bearer ${BEARER}`),
    event(JSON.stringify({ user: { password: PASSWORD, client_secret: PASSWORD } })),
    event(`see https://cdn.example.com/x.png?X-Amz-Signature=${QUERY}&w=10`),
    event('plain', JWT),
    { ...base, seq: seq++, time: 1_700_000_000_100, kind: 'comment', text: `debug token ${OPENAI}` },
  ];
}

describe('token-looking values', () => {
  test('each kind is found, with the value as its span', () => {
    assert.deepEqual(kinds(`a ${JWT} b`), [['jwt', JWT]]);
    assert.deepEqual(kinds(`key=${OPENAI}.`), [['api-key', OPENAI]]);
    assert.deepEqual(kinds(`${GITHUB} ${SLACK} ${AWS}`), [['api-key', GITHUB], ['api-key', SLACK], ['api-key', AWS]]);
    assert.deepEqual(kinds(`Authorization: Bearer ${BEARER}`), [['bearer', BEARER]]);
    assert.deepEqual(kinds(`{"refresh_token": "${PASSWORD}"}`), [['secret-field', PASSWORD]]);
    assert.deepEqual(kinds(`/x?access_token=${QUERY}&y=1`), [['secret-param', QUERY]]);
    assert.deepEqual(kinds(`{"token":"${JWT}"}`), [['jwt', JWT]], 'a JWT in a token field is one finding, a JWT');
  });

  test('words, numbers, UUIDs, LLM token text and short values are not tokens', () => {
    for (const text of [
      '{"token":" world","prompt_tokens":12,"max_tokens":256}',
      '{"type":"content_block_delta","delta":{"text":"Hello"}}',
      'id 550e8400-e29b-41d4-a716-446655440000 at 2026-11-30T12:00:00Z',
      '{"password":"short"}',
      'sk-short skills task-runner',
      'The Bearer of good news',
      '/search?q=something-long-enough&page=2',
    ]) {
      assert.deepEqual(kinds(text), [], text);
    }
  });

  test('counted per kind and place, as the preview lists them ("JWT in event data ×12")', () => {
    const scan = scanForTokens([{ config: defaultConfig('https://api.example.com/stream'), entries: entries() }]);
    const lines = scan.findings.map(describeFinding);
    assert.ok(lines.includes('JWT in event data ×12'), lines.join('\n'));
    assert.ok(lines.includes('JWT in URLs ×1'), lines.join('\n'));
    assert.ok(lines.includes('JWT in event ids ×2'), lines.join('\n'));
    assert.ok(lines.includes('API key (sk-, ghp_, xoxb-, AKIA… prefix) in event data ×4'), lines.join('\n'));
    assert.ok(lines.includes('API key (sk-, ghp_, xoxb-, AKIA… prefix) in comments ×1'), lines.join('\n'));
    assert.ok(lines.includes('Bearer token in event data ×1'), lines.join('\n'));
    assert.ok(lines.includes('value of a JSON field named like a secret in event data ×2'), lines.join('\n'));
    assert.ok(lines.includes('URL parameter named like a secret in event data ×1'), lines.join('\n'));
    assert.equal(scan.limitedTexts, 0);
  });

  test('with every kind chosen, the written file holds none of the values, and says what was removed', () => {
    const sources = [{ id: 'c1', config: defaultConfig('https://api.example.com/stream'), entries: entries() }];
    const { capture } = prepareExport(sources, '0.0.0', { redactSecrets: true, redactLastEventIds: false, channels: null, from: null, to: null, redactTokenKinds: TOKEN_KINDS });
    const file = serializeCapture(capture);
    for (const secret of ALL) assert.ok(!file.includes(secret), `${secret.slice(0, 8)}… is gone`);
    assert.match(file, /JWT in event data ×12, shown as \[redacted\]/);
    assert.match(file, /rotate me/, 'the rest of the data stays');
    const none = serializeCapture(prepareExport(sources, '0.0.0', { redactSecrets: true, redactLastEventIds: false, channels: null, from: null, to: null }).capture);
    assert.ok(none.includes(JWT), 'nothing chosen, nothing removed');
    const jwtOnly = serializeCapture(prepareExport(sources, '0.0.0', { redactSecrets: true, redactLastEventIds: false, channels: null, from: null, to: null, redactTokenKinds: ['jwt'] }).capture);
    assert.ok(!jwtOnly.includes(JWT) && jwtOnly.includes(GITHUB), 'only the chosen kinds go');
  });

  test('hostile 1 MB lines are searched in linear time (a backtracking pattern would not finish)', { timeout: 120_000 }, () => {
    const MB = 1024 * 1024;
    const hostile = [
      'eyJ'.repeat(MB / 3),
      `eyJ${'a'.repeat(MB)}.`,
      `${'.'.repeat(16_000)}x`.repeat(64),
      '"token":"'.repeat(MB / 9),
      `"token":"${'a'.repeat(MB)}`,
      '?token=&token='.repeat(MB / 14),
      `?token=${'a'.repeat(MB)}`,
      'Bearer '.repeat(MB / 7),
      `${'sk-'.repeat(MB / 3)}`,
      `${'a-'.repeat(8000)} `.repeat(MB / 16_000),
      '\\"'.repeat(MB / 2),
    ];
    for (const text of hostile) {
      const { spans } = findTokens(text);
      assert.ok(spans.length <= text.length);
    }
    const long = `${'x'.repeat(SCAN_CHARS)} ${JWT}`;
    const scan = scanForTokens([{ config: defaultConfig('https://a.example/'), entries: [{ connectionId: 'c1', attempt: 1, seq: 1, time: 1_700_000_000_000, kind: 'comment', text: long }] }]);
    assert.equal(scan.limitedTexts, 1, 'a text past the limit is counted, so the preview can say so');
  });
});
