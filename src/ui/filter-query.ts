/**
 * The timeline's text filter, as the Network panel reads its own: terms separated by spaces, all of
 * which must hold; a term is a substring (case ignored) or a /regular expression/flags, and a
 * leading "-" hides the rows it matches (`-heartbeat`, `-/^ping/`).
 *
 * Stream data is hostile and a pattern is typed by the user, so a pattern must never hang the
 * panel: regular expressions run on RE2 (re2js), whose matching time is linear in the text, never
 * on the backtracking RegExp engine, where `/(a+)+$/` or `/a*a*a*b/` take exponential or
 * polynomial time on a few thousand characters. Patterns are capped in length and tested against a
 * bounded prefix of each field; RE2 refuses what it cannot do in linear time (backreferences,
 * lookaround) with a message shown inline. Nothing here throws.
 */
import { RE2JS } from 're2js';

/** Longest pattern accepted, in characters: RE2 compiles it to a program of about that size. */
export const MAX_PATTERN_CHARS = 200;
/** Longest filter as a whole. */
export const MAX_FILTER_CHARS = 1000;
/** A regular expression sees this many characters of each field; a substring sees the whole field. */
export const REGEX_PREFIX_CHARS = 4096;

export interface FilterTerm {
  /** As typed, for messages. */
  source: string;
  negated: boolean;
  /** Whether this term (ignoring its negation) matches one field. */
  test(field: string): boolean;
}

export type ParsedFilter = { ok: true; terms: readonly FilterTerm[] } | { ok: false; error: string };

/** A /regex/flags token (a slash inside it escaped as \/), else any run of non-space characters. */
const TOKENS = /-?\/(?:\\.|[^\\/])+\/[dgimsuvy]*(?=\s|$)|\S+/g;
/** Only JavaScript's flag letters make a regex: "/api/v1" is a path to search for, not a pattern with bad flags. */
const REGEX_TOKEN = /^\/((?:\\.|[^\\/])+)\/([dgimsuvy]*)$/s;

/** `g` changes nothing for a yes/no match; `d`, `v` and `y` have no meaning in RE2. */
const FLAGS: Readonly<Record<string, number>> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0, g: 0 };

function regexTerm(source: string, pattern: string, flags: string, negated: boolean): FilterTerm | string {
  if (pattern.length > MAX_PATTERN_CHARS) return `${source.slice(0, 40)}…: a pattern may have at most ${MAX_PATTERN_CHARS} characters`;
  let bits = 0;
  for (const f of flags) {
    const bit = FLAGS[f];
    if (bit === undefined) return `${source}: flag "${f}" is not supported (i, m, s, u and g are)`;
    bits |= bit;
  }
  try {
    const re = RE2JS.compile(RE2JS.translateRegExp(pattern), bits);
    return { source, negated, test: (field) => re.test(field.length > REGEX_PREFIX_CHARS ? field.slice(0, REGEX_PREFIX_CHARS) : field) };
  } catch (error) {
    // RE2's messages name the problem and the part of the pattern, e.g. "missing closing ): `(a`".
    const why = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return `${source}: ${why}`;
  }
}

function substringTerm(source: string, needle: string, negated: boolean): FilterTerm {
  const lower = needle.toLowerCase();
  return { source, negated, test: (field) => field.toLowerCase().includes(lower) };
}

export function parseFilter(input: string): ParsedFilter {
  if (input.length > MAX_FILTER_CHARS) return { ok: false, error: `The filter may have at most ${MAX_FILTER_CHARS} characters` };
  const terms: FilterTerm[] = [];
  for (const [token] of input.matchAll(TOKENS)) {
    const negated = token.length > 1 && token.startsWith('-');
    const body = negated ? token.slice(1) : token;
    const regex = REGEX_TOKEN.exec(body);
    const term = regex ? regexTerm(token, regex[1]!, regex[2]!, negated) : substringTerm(token, body, negated);
    if (typeof term === 'string') return { ok: false, error: term };
    terms.push(term);
  }
  return { ok: true, terms };
}

/** Every term holds: a plain term matches some field, a negated one matches none. */
export function matchesTerms(terms: readonly FilterTerm[], fields: readonly string[]): boolean {
  return terms.every((t) => fields.some((f) => t.test(f)) !== t.negated);
}
