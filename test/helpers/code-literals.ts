/**
 * Lexers for the parts of Kotlin and Swift that decide where a string literal ends: comments,
 * string literals with their escapes, templates / interpolations and raw strings. No compiler for
 * either language is available here, so a snippet is checked by lexing it: its code tokens must be
 * those of a snippet made from harmless values, and each literal must decode to the intended value.
 * Anything our generator must never emit inside a value (an interpolation, a raw or multi-line
 * string, an escape the language does not have, a line break) is an error, not a token.
 *
 * Grammar: https://kotlinlang.org/docs/reference/grammar.html (LineStrText, LineStrEscapedChar,
 * LineStrRef, LineStrExprStart) and The Swift Programming Language, "Lexical Structure" (string
 * literals, escaped characters, interpolation, extended delimiters).
 */

export type Token =
  | { kind: 'code'; text: string }
  | { kind: 'comment'; text: string }
  /** A plain literal, decoded. */
  | { kind: 'string'; value: string }
  /** A literal with templates / interpolations, kept as written: only fixed code has these. */
  | { kind: 'template'; raw: string; parts: Token[] };

type Lang = 'kotlin' | 'swift';

const KOTLIN_ESCAPES: Record<string, string> = { t: '\t', b: '\b', n: '\n', r: '\r', "'": "'", '"': '"', '\\': '\\', $: '$' };
const SWIFT_ESCAPES: Record<string, string> = { '0': '\0', '\\': '\\', t: '\t', n: '\n', r: '\r', '"': '"', "'": "'" };

export function lexKotlin(src: string): Token[] {
  return new Lexer(src, 'kotlin').code(false);
}

export function lexSwift(src: string): Token[] {
  return new Lexer(src, 'swift').code(false);
}

class Lexer {
  i = 0;
  constructor(
    readonly src: string,
    readonly lang: Lang,
  ) {}

  fail(why: string): never {
    throw new Error(`${this.lang}: ${why} at offset ${this.i}: ${JSON.stringify(this.src.slice(Math.max(0, this.i - 40), this.i + 40))}`);
  }

  /** Tokens up to the end, or up to the `}` / `)` that closes an interpolation. */
  code(nested: boolean): Token[] {
    const tokens: Token[] = [];
    let depth = 0;
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (/\s/u.test(c)) {
        this.i++;
      } else if (s.startsWith('//', this.i)) {
        let end = this.i;
        while (end < s.length && s[end] !== '\n' && s[end] !== '\r') end++;
        tokens.push({ kind: 'comment', text: s.slice(this.i, end) });
        this.i = end;
      } else if (s.startsWith('/*', this.i)) {
        tokens.push({ kind: 'comment', text: this.blockComment() });
      } else if (c === '"' || (this.lang === 'swift' && c === '#' && /^#+"/.test(s.slice(this.i, this.i + 64)))) {
        tokens.push(this.string());
      } else if (c === "'" && this.lang === 'kotlin') {
        tokens.push({ kind: 'string', value: this.quoted("'") });
      } else {
        const open = this.lang === 'kotlin' ? '{' : '(';
        const close = this.lang === 'kotlin' ? '}' : ')';
        if (nested && c === open) depth++;
        if (nested && c === close) {
          if (depth === 0) {
            this.i++;
            return tokens;
          }
          depth--;
        }
        const word = /^[\p{L}\p{N}_]+/u.exec(s.slice(this.i, this.i + 256))?.[0] ?? c;
        tokens.push({ kind: 'code', text: word });
        this.i += word.length;
      }
    }
    if (nested) this.fail('unterminated interpolation');
    return tokens;
  }

  /** Both languages nest block comments. */
  blockComment(): string {
    const start = this.i;
    let depth = 0;
    do {
      if (this.i >= this.src.length) this.fail('unterminated block comment');
      if (this.src.startsWith('/*', this.i)) {
        depth++;
        this.i += 2;
      } else if (this.src.startsWith('*/', this.i)) {
        depth--;
        this.i += 2;
      } else this.i++;
    } while (depth > 0);
    return this.src.slice(start, this.i);
  }

  string(): Token {
    if (this.src.startsWith('"""', this.i)) this.fail('multi-line / raw string literal');
    if (this.src[this.i] === '#') this.fail('raw string literal (extended delimiter)');
    const start = this.i;
    const parts: Token[] = [];
    const value = this.quoted('"', parts);
    return parts.length > 0 ? { kind: 'template', raw: this.src.slice(start, this.i), parts } : { kind: 'string', value };
  }

  /** A single-line literal from its opening quote; interpolations go to parts when allowed. */
  quoted(quote: string, parts?: Token[]): string {
    const s = this.src;
    this.i++;
    let value = '';
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s[this.i]!;
      if (c === quote) {
        this.i++;
        return value;
      }
      // Kotlin and Swift end a single-line literal at CR or LF; the string would be unterminated.
      if (c === '\n' || c === '\r') this.fail('line break inside a single-line string');
      if (c === '\\') {
        value += this.escape(parts);
        continue;
      }
      if (this.lang === 'kotlin' && c === '$' && /^[\p{L}_`{]/u.test(s[this.i + 1] ?? '')) {
        if (!parts) this.fail('template in a character literal');
        this.i++;
        if (s[this.i] === '{') {
          this.i++;
          parts.push(...this.code(true));
        } else {
          const name = /^(`[^`\r\n]+`|[\p{L}_][\p{L}\p{N}_]*)/u.exec(s.slice(this.i))![0];
          parts.push({ kind: 'code', text: name });
          this.i += name.length;
        }
        continue;
      }
      value += c;
      this.i++;
    }
  }

  escape(parts?: Token[]): string {
    const s = this.src;
    const e = s[this.i + 1] ?? '';
    if (this.lang === 'kotlin') {
      if (e === 'u') {
        const hex = s.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        this.i += 6;
        return String.fromCharCode(parseInt(hex, 16));
      }
      const v = KOTLIN_ESCAPES[e];
      if (v === undefined) this.fail(`illegal escape \\${e}`);
      this.i += 2;
      return v;
    }
    if (e === '(') {
      if (!parts) this.fail('interpolation');
      this.i += 2;
      parts.push(...this.code(true));
      return '';
    }
    if (e === 'u') {
      const m = /^\\u\{([0-9a-fA-F]{1,8})\}/.exec(s.slice(this.i, this.i + 12));
      if (!m) this.fail('bad \\u{} escape');
      const cp = parseInt(m[1]!, 16);
      // Swift strings hold Unicode scalars only: a surrogate code point does not compile.
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail(`\\u{${m[1]}} is not a Unicode scalar`);
      this.i += m[0].length;
      return String.fromCodePoint(cp);
    }
    const v = SWIFT_ESCAPES[e];
    if (v === undefined) this.fail(`illegal escape \\${e}`);
    this.i += 2;
    return v;
  }
}
