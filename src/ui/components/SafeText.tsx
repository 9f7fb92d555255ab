/**
 * Untrusted text as a user must see it: a character that takes no room or reorders what follows is
 * shown as a styled escape token, as the Network panel does, so "\u202egnp.exe" cannot pose as
 * "exe.png" and two ids that differ by a zero-width space look different. The token is an element
 * of its own, so a server that sends the six characters "\u202e" shows plain text, not a token.
 * Every field from a stream, a header or a file is rendered through here.
 */
import { describeEntry, escapeChar, HIDDEN_CHARS, plain, safeLines, safeText } from '../../core/describe.js';
import type { TimelineEntry } from '../../core/timeline.js';

const HIDDEN = new RegExp(HIDDEN_CHARS, 'gu');
const ANY_HIDDEN = new RegExp(HIDDEN_CHARS, 'u');

/** A text made of hidden characters must not become a million elements: past this the rest is escaped as plain text. */
const MAX_TOKENS = 500;

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'null',
  0x09: 'tab',
  0x0a: 'line feed',
  0x0d: 'carriage return',
  0x1b: 'escape',
  0xad: 'soft hyphen',
  0x061c: 'arabic letter mark',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2060: 'word joiner',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0xfeff: 'zero width no-break space (BOM)',
};

function describe(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  const name = NAMES[code] ?? (code >= 0xd800 && code <= 0xdfff ? 'half of a surrogate pair' : 'invisible or control character');
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} ${name}, shown escaped`;
}

/**
 * `lines`: the text is shown on several lines (a <pre>, a JSON string), so line feeds and tabs stay
 * as they are; otherwise a line feed is a ⏎ token and the text stays on one line.
 */
export function SafeText({ text, lines = false }: { text: string; lines?: boolean }) {
  if (!ANY_HIDDEN.test(text)) return <>{text}</>;
  const parts: (string | preact.JSX.Element)[] = [];
  let last = 0;
  for (const m of text.matchAll(HIDDEN)) {
    const c = m[0];
    if (lines && (c === '\n' || c === '\t')) continue;
    if (parts.length >= 2 * MAX_TOKENS) break;
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(
      <span class="esc" title={describe(c)}>
        {c === '\n' ? '⏎' : escapeChar(c)}
      </span>,
    );
    last = m.index + c.length;
  }
  const rest = text.slice(last);
  parts.push(parts.length >= 2 * MAX_TOKENS ? (lines ? safeLines(rest) : safeText(rest)) : rest);
  return <>{parts}</>;
}

const asIs = (s: string): string => s;

/** An entry in words (a lifecycle row, the detail's title), its untrusted parts shown as tokens, not pre-escaped text. */
export function EntryText({ entry }: { entry: TimelineEntry }) {
  return <SafeText text={describeEntry(entry, plain, asIs)} />;
}
