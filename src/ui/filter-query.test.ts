/** The timeline's filter language: substrings, /regular expressions/, negation, and what it refuses. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchesTerms, MAX_FILTER_CHARS, MAX_PATTERN_CHARS, parseFilter, REGEX_PREFIX_CHARS } from './filter-query.js';

/** Whether a row with these fields is shown under `filter` (which must parse). */
function shows(filter: string, ...fields: string[]): boolean {
  const parsed = parseFilter(filter);
  assert.ok(parsed.ok, `${filter} parses: ${parsed.ok ? '' : parsed.error}`);
  return matchesTerms(parsed.terms, fields);
}

function refused(filter: string): string {
  const parsed = parseFilter(filter);
  assert.ok(!parsed.ok, `${filter} is refused`);
  return parsed.error;
}

describe('the filter language', () => {
  test('an empty filter shows everything', () => {
    assert.ok(shows('', 'anything'));
    assert.ok(shows('   ', 'anything'));
  });

  test('a plain term is a substring of any field, case ignored', () => {
    assert.ok(shows('token', 'content_block_delta', '{"type":"TOKEN"}'));
    assert.ok(shows('"n":5,', '{"n":5,"x":1}'));
    assert.ok(!shows('token', 'ping', 'pong'));
  });

  test('a /regular expression/ takes its flags', () => {
    assert.ok(shows('/tok(en)?/i', 'a TOKEN here'));
    assert.ok(shows('/tok(en)?/i', 'tok'));
    assert.ok(!shows('/tok(en)?/', 'TOKEN'), 'without i, case counts');
    assert.ok(shows('/^\\d+$/', 'abc', '12345'), 'JavaScript escapes such as \\d work');
    assert.ok(shows('/a b/', 'a b'), 'a pattern may hold a space');
    assert.ok(shows('/a\\/b/', 'a/b'), 'an escaped slash belongs to the pattern');
  });

  test('a leading minus hides what matches; several terms all hold', () => {
    assert.ok(!shows('-heartbeat', 'heartbeat'));
    assert.ok(shows('-heartbeat', 'price'));
    assert.ok(!shows('-/^ping$/', 'ping'));
    assert.ok(shows('-/^ping$/', 'pinged'));
    assert.ok(shows('price -chat', 'price', '{"v":1}'));
    assert.ok(!shows('price -chat', 'price', 'chat room'));
    assert.ok(!shows('price status', 'price'), 'every plain term must match');
    assert.ok(shows('-', 'a-b'), 'a lone minus is a substring');
  });

  test('a path is a substring, not a pattern with unknown flags', () => {
    assert.ok(shows('/api/v1', 'GET http://host/api/v1/stream'));
    assert.ok(shows('/events', 'GET http://host/events'));
  });

  test('an invalid pattern is refused with a message that names it, and nothing throws', () => {
    assert.match(refused('/tok(en/'), /\/tok\(en\/: missing closing \)/);
    assert.match(refused('ok /(?=a)b/'), /\(\?=a\)b.*(invalid|unsupported)/);
    assert.match(refused('/(a)\\1/'), /\\1/);
    assert.match(refused('/a/y'), /flag "y" is not supported/);
  });

  test('patterns and filters are capped in length', () => {
    assert.match(refused(`/${'a'.repeat(MAX_PATTERN_CHARS + 1)}/`), new RegExp(`at most ${MAX_PATTERN_CHARS} characters`));
    assert.match(refused('x '.repeat(MAX_FILTER_CHARS)), new RegExp(`at most ${MAX_FILTER_CHARS} characters`));
  });

  test('patterns that make a backtracking engine hang answer at once (the test would time out otherwise)', () => {
    const evil = `${'a'.repeat(50_000)}b`;
    assert.ok(!shows('/(a+)+$/', `${'a'.repeat(REGEX_PREFIX_CHARS - 1)}!`));
    assert.ok(!shows('/^(a|aa)*c$/', evil));
    assert.ok(!shows('/a*a*a*a*a*c/', evil));
  });

  test('a pattern sees a bounded prefix of a field; a substring sees all of it', () => {
    const long = `${'x'.repeat(REGEX_PREFIX_CHARS)}needle`;
    assert.ok(!shows('/needle/', long));
    assert.ok(shows('needle', long));
  });
});
