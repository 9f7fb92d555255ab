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

/**
 * The framing traps of one attempt's text: a cheap look at each chunk for byte patterns the parser
 * accepts and some clients do not, never a second parser (eventsource-parser decides what the
 * stream means). Each trap is noted once; a pattern split across two chunks may go unseen, and
 * the chunk's last character is carried over for the line-start patterns.
 */
function createFramingScan() {
  const noted = new Set<FramingTrap>();
  let pending: FramingNote[] = [];
  let first = true;
  let lastChar = '';
  let lineChars = 0;
  let scanned = 0;
  const note = (trap: FramingTrap, detail: string): void => {
    if (noted.has(trap)) return;
    noted.add(trap);
    pending.push({ trap, detail });
  };
  return {
    scan(text: string): void {
      if (text === '') return;
      if (first) {
        first = false;
        // eventsource-parser drops one leading BOM, as the spec asks; the host's decoder leaves it in for this.
        if (text.charCodeAt(0) === 0xfeff) note('bom', 'the stream starts with a byte order mark (EF BB BF)');
      }
      const patterns = scanned < PATTERN_SCAN_CHARS;
      scanned += text.length;
      const withCarry = patterns ? lastChar + text : '';
      if (patterns && !noted.has('cr-only')) {
        for (let i = withCarry.indexOf('\r'); i !== -1 && i < withCarry.length - 1; i = withCarry.indexOf('\r', i + 1)) {
          if (withCarry[i + 1] !== '\n') {
            note('cr-only', 'a line ends with CR alone');
            break;
          }
        }
      }
      if (patterns && !noted.has('no-space')) {
        const m = NO_SPACE.exec(withCarry);
        if (m) note('no-space', `"${m[1] ?? ''}:" with no space before its value`);
      }
      if (patterns && !noted.has('nul-in-id') && text.includes('\0')) {
        if (NUL_ID.test(withCarry)) note('nul-in-id', 'an id: line holds a NUL character; the spec ignores such an id');
      }
      if (!noted.has('long-line')) {
        // Only a chunk that could hold a long line is searched for its line breaks.
        if (lineChars + text.length > LONG_LINE_CHARS) {
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
              note('long-line', `a line of more than ${LONG_LINE_CHARS.toLocaleString('en-US')} characters`);
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
      note('multi-line-json', `JSON over ${data.split('\n').length} data: lines${parses ? '' : ', which does not parse even joined'}: ${quote(data)}`);
    },
    unterminated(data: string): void {
      note('unterminated-final-event', `the stream ended before the blank line of its last event: ${quote(data)}`);
    },
    take(): FramingNote[] | null {
      if (pending.length === 0) return null;
      const out = pending;
      pending = [];
      return out;
    },
  };
}

export function createStreamParser(on: StreamHandlers): StreamParser {
  const framing = createFramingScan();
  /** Set while finish() probes for an event the stream left without its blank line. */
  let finishing = false;
  const parser = createParser({
    onId: (id) => {
      if (!finishing) on.id(id);
    },
    onEvent: (message) => {
      if (finishing) {
        framing.unterminated(message.data);
        return;
      }
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
      if (text.length > LIMITS.eventDataChars) {
        on.overflow(`a comment exceeded ${LIMITS.eventDataChars.toLocaleString('en-US')} characters`);
        return;
      }
      on.comment(text);
    },
    onRetry: (ms) => {
      if (!finishing) on.retry(ms);
    },
    onError: (error: ParseError) => {
      if (finishing) return;
      if (error.type === 'max-buffer-size-exceeded') {
        // eventsource-parser 4 may see the overflow while the event is still being read, before onEvent.
        on.overflow(`an event exceeded ${LIMITS.eventDataChars.toLocaleString('en-US')} characters`);
        return;
      }
      const line = error.line ?? '';
      on.ignored(error.type === 'invalid-retry' ? 'invalid-retry' : 'unknown-field', line.length > MAX_IGNORED_LINE_CHARS ? `${line.slice(0, MAX_IGNORED_LINE_CHARS)}…` : line);
    },
    maxBufferSize: MAX_BUFFER_CHARS,
  });
  return {
    feed(text: string): void {
      framing.scan(text);
      parser.feed(text);
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
      return framing.take() ?? [];
    },
    drain: (): FramingNote[] => framing.take() ?? [],
  };
}
