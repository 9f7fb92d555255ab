/**
 * The stream's text, parsed once and the same way wherever it comes from: our own attempts
 * (attempt.ts, which decodes the bytes) and streams observed in a page (src/core/observe, whose
 * hook reports decoded text). eventsource-parser does the WHATWG parsing; this adds what the tool
 * needs around it: size bounds that keep every event storable, and skipped lines as rows.
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { eventTooLarge, LIMITS } from '../limits.js';
import type { FramingNote, FramingTrap, IgnoredLineEntry } from '../timeline.js';

/**
 * Hostile streams can send one endless line; past this the parser gives up rather than grow
 * without bound. It checks only at the end of each chunk, so every dispatched event is checked too
 * (onEvent): the buffer bound leaves room for a field name and line ending around the largest event.
 */
const MAX_BUFFER_CHARS = LIMITS.eventDataChars + 64;
const MAX_IGNORED_LINE_CHARS = 512;

export interface StreamHandlers {
  /** `framing`: traps first noticed since the previous event (FramingNote), or null. */
  event(message: EventSourceMessage, framing: FramingNote[] | null): void;
  /** A block's id, before the block's event if it has one (WHATWG: a block with an id and no data sets the last event ID anyway). */
  id(id: string): void;
  comment(text: string): void;
  retry(ms: number): void;
  ignored(why: IgnoredLineEntry['why'], line: string): void;
  /** Something past the tool's limits: the stream cannot be followed any further. */
  overflow(detail: string): void;
}

export interface StreamParser {
  feed(text: string): void;
  /** At the end of the stream: the traps not yet handed to an event, the unterminated final event among them. */
  finish(): FramingNote[];
  /** When the stream broke off: the traps not yet handed to an event. */
  drain(): FramingNote[];
}

/** A line this long breaks line readers with a fixed buffer (Go's bufio.Scanner stops at 64 KiB by default). */
const LONG_LINE_CHARS = 65_536;
const NOTE_CHARS = 120;
/** A field name right after a line break (or the chunk's start), its colon, then no space. */
const NO_SPACE = /(?:^|[\r\n])(data|id|event|retry):[^ \r\n]/;
const NUL_ID = /(?:^|[\r\n])id:[^\r\n]*\0/;

/**
 * A stream frames its events one way, so the line-pattern traps (CR-only, no space, NUL in an id)
 * are looked for in the first characters of each attempt only: scanning every chunk with them cost
 * the engine most of its throughput on small events (bench/engine.ts: 0.27 of bare against 0.73).
 * Long lines, a BOM and the final event are checked throughout.
 */
const PATTERN_SCAN_CHARS = 65_536;

const quote = (text: string): string => JSON.stringify(text.length > NOTE_CHARS ? `${text.slice(0, NOTE_CHARS)}…` : text);

/** A trap a chunk showed, and where: the start of the line that holds it, -1 when that line began in an earlier chunk. */
interface Found {
  note: FramingNote;
  at: number;
  /** 1 when the trap's bytes ended the previous chunk (a CR carried over to be judged). */
  back: 0 | 1;
}

/** A note waiting for the next event, and whether that event can be said to be the one that carried it. */
interface Armed {
  note: FramingNote;
  read: number;
  /** Its line began in an earlier read: which event's lines it was is not known. */
  carried: boolean;
  /** A comment, retry or ignored line, or a block without data, was parsed after it: the trap may have been there. */
  passed: boolean;
}

/** Where the line holding position `i` of `text` starts, -1 when before `text` (`fresh`: nothing came before). */
function lineStart(text: string, i: number, fresh: boolean): number {
  if (i === 0) return fresh ? 0 : -1;
  const j = Math.max(text.lastIndexOf('\n', i - 1), text.lastIndexOf('\r', i - 1));
  return j === -1 ? (fresh ? 0 : -1) : j + 1;
}

/**
 * The framing traps of one attempt's text: a cheap look at each chunk for byte patterns the parser
 * accepts and some clients do not, never a second parser (eventsource-parser decides what the
 * stream means). Each trap is noted once, with the start of the line that holds it, so the host can
 * hand the parser the text up to there first and the note rides on the event whose bytes carried
 * it. A pattern split across two chunks may go unseen, and the chunk's last character is carried
 * over for the line-start patterns.
 */
function createFramingScan() {
  const noted = new Set<FramingTrap>();
  let found: Found[] = [];
  let armed: Armed[] = [];
  let first = true;
  let lastChar = '';
  let lineChars = 0;
  let scanned = 0;
  const note = (trap: FramingTrap, detail: string, at: number, back: 0 | 1 = 0): void => {
    if (noted.has(trap)) return;
    noted.add(trap);
    found.push({ note: { trap, detail }, at, back });
  };
  return {
    /** The traps `text` shows first, by the position of their line (see Found.at). */
    scan(text: string): Found[] {
      found = [];
      if (text === '') return found;
      const fresh = scanned === 0;
      if (first) {
        first = false;
        // eventsource-parser drops one leading BOM, as the spec asks; the host's decoder leaves it in for this.
        if (text.charCodeAt(0) === 0xfeff) note('bom', 'the stream starts with a byte order mark (EF BB BF)', 0);
      }
      const patterns = scanned < PATTERN_SCAN_CHARS;
      scanned += text.length;
      const withCarry = patterns ? lastChar + text : '';
      const carry = lastChar.length;
      const at = (i: number): number => {
        const start = lineStart(withCarry, i, fresh);
        return start === -1 || start < carry ? -1 : start - carry;
      };
      if (patterns && !noted.has('cr-only')) {
        for (let i = withCarry.indexOf('\r'); i !== -1 && i < withCarry.length - 1; i = withCarry.indexOf('\r', i + 1)) {
          if (withCarry[i + 1] !== '\n') {
            note('cr-only', 'a line ends with CR alone', at(i), i < carry ? 1 : 0);
            break;
          }
        }
      }
      if (patterns && !noted.has('no-space')) {
        const m = NO_SPACE.exec(withCarry);
        if (m) note('no-space', `"${m[1] ?? ''}:" with no space before its value`, at(m.index + (m[0].charAt(0) === m[1]?.charAt(0) ? 0 : 1)));
      }
      if (patterns && !noted.has('nul-in-id') && text.includes('\0')) {
        const m = NUL_ID.exec(withCarry);
        if (m) note('nul-in-id', 'an id: line holds a NUL character; the spec ignores such an id', at(m.index + (m[0].startsWith('id') ? 0 : 1)));
      }
      if (!noted.has('long-line')) {
        // Only a chunk that could hold a long line is searched for its line breaks.
        if (lineChars + text.length > LONG_LINE_CHARS) {
          const carried = lineChars > 0;
          let start = 0;
          // Each search is kept until passed: searching again from every line for a CR the chunk does not hold was quadratic per chunk.
          let cr = text.indexOf('\r');
          let lf = text.indexOf('\n');
          for (;;) {
            if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
            if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
            const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
            const length = lineChars + (end === -1 ? text.length : end) - start;
            if (length > LONG_LINE_CHARS) {
              note('long-line', `a line of more than ${LONG_LINE_CHARS.toLocaleString('en-US')} characters`, start === 0 && carried ? -1 : start);
              break;
            }
            if (end === -1) {
              lineChars = length;
              break;
            }
            lineChars = 0;
            start = end + 1;
          }
        } else {
          // The last LF is near the chunk's end in any stream but a CR-only one: a whole-chunk search for a CR that is not there cost the engine a third of its throughput.
          const lf = text.lastIndexOf('\n');
          const end = lf !== -1 ? lf : text.lastIndexOf('\r');
          lineChars = end === -1 ? lineChars + text.length : text.length - end - 1;
        }
      }
      lastChar = text.charAt(text.length - 1);
      return found.sort((a, b) => a.at - b.at);
    },
    /** The parser has read up to a trap's line: the next event carries its note. */
    arm(f: Found, read: number): void {
      armed.push({ note: f.note, read: read - f.back, carried: f.at < 0, passed: false });
    },
    /** Something that is no event was parsed: an armed note may belong to it. */
    pass(): void {
      for (const a of armed) a.passed = true;
    },
    event(data: string): void {
      if (noted.has('multi-line-json') || !data.includes('\n')) return;
      const head = data.trimStart().charAt(0);
      if (head !== '{' && head !== '[') return;
      let parses = true;
      try {
        JSON.parse(data);
      } catch {
        parses = false;
      }
      noted.add('multi-line-json');
      armed.push({ note: { trap: 'multi-line-json', detail: `JSON over ${data.split('\n').length} data: lines${parses ? '' : ', which does not parse even joined'}: ${quote(data)}` }, read: 0, carried: false, passed: false });
    },
    unterminated(data: string): void {
      if (noted.has('unterminated-final-event')) return;
      noted.add('unterminated-final-event');
      armed.push({ note: { trap: 'unterminated-final-event', detail: `the stream ended before the blank line of its last event: ${quote(data)}` }, read: 0, carried: false, passed: false });
    },
    /** The armed notes, for the event being dispatched (or the attempt's end); where that event may not be the one, the note says which read it was seen in. */
    take(): FramingNote[] | null {
      if (armed.length === 0) return null;
      const out = armed.map((a): FramingNote => {
        if (a.carried) return { ...a.note, detail: `${a.note.detail}; seen in read ${a.read}` };
        if (a.passed) return { ...a.note, detail: `${a.note.detail}; seen in read ${a.read}, in a line before this event` };
        return a.note;
      });
      armed = [];
      return out;
    },
  };
}

export function createStreamParser(on: StreamHandlers): StreamParser {
  const framing = createFramingScan();
  /** Set while finish() probes for an event the stream left without its blank line. */
  let finishing = false;
  /** Feeds so far: hosts feed once per network read, so this is the read EventEntry.read counts. */
  let reads = 0;
  /** onId calls since the last event: one more than the event's own id is a block without data. */
  let ids = 0;
  const drain = (): FramingNote[] => framing.take() ?? [];
  const parser = createParser({
    onId: (id) => {
      if (finishing) return;
      ids++;
      on.id(id);
    },
    onEvent: (message) => {
      if (finishing) {
        framing.unterminated(message.data);
        return;
      }
      if (ids > (message.id === undefined ? 0 : 1)) framing.pass();
      ids = 0;
      // Three length checks per event; what passes fits in a capture the tool can open again.
      if (message.data.length > LIMITS.eventDataChars || (message.id?.length ?? 0) > LIMITS.textChars || (message.event?.length ?? 0) > LIMITS.textChars) {
        on.overflow(eventTooLarge(message));
        return;
      }
      framing.event(message.data);
      on.event(message, framing.take());
    },
    onComment: (text) => {
      if (finishing) return;
      framing.pass();
      if (text.length > LIMITS.eventDataChars) {
        on.overflow(`a comment exceeded ${LIMITS.eventDataChars.toLocaleString('en-US')} characters`);
        return;
      }
      on.comment(text);
    },
    onRetry: (ms) => {
      if (finishing) return;
      framing.pass();
      on.retry(ms);
    },
    onError: (error: ParseError) => {
      if (finishing) return;
      if (error.type === 'max-buffer-size-exceeded') {
        // eventsource-parser 4 may see the overflow while the event is still being read, before onEvent.
        on.overflow(`an event exceeded ${LIMITS.eventDataChars.toLocaleString('en-US')} characters`);
        return;
      }
      framing.pass();
      const line = error.line ?? '';
      on.ignored(error.type === 'invalid-retry' ? 'invalid-retry' : 'unknown-field', line.length > MAX_IGNORED_LINE_CHARS ? `${line.slice(0, MAX_IGNORED_LINE_CHARS)}…` : line);
    },
    maxBufferSize: MAX_BUFFER_CHARS,
  });
  return {
    feed(text: string): void {
      reads++;
      // Up to each trap's line first, so the note waits for the event whose bytes hold it rather
      // than riding on an earlier event of the same read. Once per trap per attempt: no cost per event.
      let from = 0;
      for (const f of framing.scan(text)) {
        const at = Math.max(f.at, 0);
        if (at > from) {
          parser.feed(text.slice(from, at));
          from = at;
        }
        framing.arm(f, reads);
        // A block without data parsed before the trap's line is none of its business.
        ids = 0;
      }
      parser.feed(from === 0 ? text : text.slice(from));
    },
    finish(): FramingNote[] {
      // The spec discards an event still pending at the end of the stream; ending its block here
      // shows whether there was one, and its handlers turn it into a note, never an event.
      finishing = true;
      try {
        parser.feed('\n\n');
      } catch {
        // A parser past its buffer bound has nothing pending worth noting.
      }
      return drain();
    },
    drain,
  };
}
