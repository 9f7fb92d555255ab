/**
 * Framing traps: what the spec allows (or forgives) and some clients parse differently, as the
 * parsing path noted it on the entries (EventEntry.framing, AttemptEndedEntry.framing). For each,
 * which client profile would read the stream as the spec does, from each client's own parser:
 * Blink's event_source_parser.cc, Gecko's EventSource.cpp, the Yaffle polyfill's onProgress,
 * okhttp-eventsource 4's EventParser and BufferedLineParser, LDSwiftEventSource's EventParser and
 * UTF8LineParser (docs/doctor.md quotes what each does).
 */
import { PROFILES } from '../profiles.js';
import type { FramingNote, FramingTrap, TimelineEntry } from '../timeline.js';
import { DOCTOR_LIMITS, type DoctorCheck, type DoctorEvidence, type DoctorFinding, type DoctorSeverity } from './check.js';

/** How one client reads a trap: whether it gets what the server meant, and what it does. */
interface Reading {
  ok: boolean;
  how: string;
}

interface TrapFacts {
  severity: DoctorSeverity;
  title: string;
  why: string;
  fix: string;
  /** By profile id; a profile not listed reads it as the spec does. */
  readings: Readonly<Record<string, Reading>>;
  /** What the spec, and every profile not in `readings`, does. */
  spec: Reading;
}

const OK = (how: string): Reading => ({ ok: true, how });
const LOST = (how: string): Reading => ({ ok: false, how });

const TRAPS: Readonly<Record<FramingTrap, TrapFacts>> = {
  'unterminated-final-event': {
    severity: 'error',
    title: 'The stream ended in the middle of an event: its last event had no blank line and every client drops it',
    why: 'An event is dispatched only at the blank line that ends it; at the end of the stream the spec discards an event still being read, and every client follows it. The last message a server sends before closing (a final result, a "done") never arrives.',
    fix: 'End every event with a blank line ("\\n\\n"), the last one too, and flush before closing the response.',
    readings: { okhttp: LOST('dropped: EventParser dispatches only on an empty line'), swift: LOST('dropped: EventParser dispatches only on an empty line'), polyfill: LOST('dropped: onProgress dispatches only at a blank line') },
    spec: LOST('dropped at the end of the stream (the spec discards it)'),
  },
  bom: {
    severity: 'warning',
    title: 'The stream starts with a byte order mark: the native mobile clients lose its first line',
    why: 'The spec and browsers drop one leading BOM. okhttp-eventsource and LDSwiftEventSource read raw bytes and keep it, so the first field name becomes "\\uFEFFdata" (or "\\uFEFFid"), an unknown field: the first line is ignored, and with it the first event or its id.',
    fix: 'Do not write a BOM: encode the response as UTF-8 without one (e.g. .NET: new UTF8Encoding(false); Java: no "\\uFEFF" prefix).',
    readings: {
      okhttp: LOST('keeps the BOM in the first field name: the first line is an unknown field and is ignored'),
      swift: LOST('keeps the BOM in the first field name: the first line is an unknown field and is ignored'),
      polyfill: OK('drops it: the browser decodes the XHR/fetch text, which strips one BOM'),
    },
    spec: OK('drops one leading BOM'),
  },
  'nul-in-id': {
    severity: 'warning',
    title: 'An id: holds a NUL character: clients disagree on the Last-Event-ID they resume with',
    why: 'The spec ignores an id that contains NUL (the last event ID stays what it was); the Yaffle polyfill keeps it and sends it back as ?lastEventId=…%00 on reconnect. The server sees different resume points from different clients.',
    fix: 'Make ids printable: an integer or a string without control characters.',
    readings: { polyfill: LOST('keeps the id with its NUL and sends it as the lastEventId query parameter') },
    spec: OK('ignores the id: the last event ID is unchanged'),
  },
  'cr-only': {
    severity: 'info',
    title: 'Lines end with CR alone: every profiled client reads them, hand-written parsers often do not',
    why: 'The spec allows CR, LF and CRLF, and all the profiled clients accept each. Parsers that split on "\\n" (many hand-written ones, Go\'s bufio.Scanner with ScanLines) see the whole stream as one endless line.',
    fix: 'End lines with "\\n" (LF): the one line ending every parser reads.',
    readings: {},
    spec: OK('CR, LF and CRLF all end a line'),
  },
  'no-space': {
    severity: 'info',
    title: 'A field has no space after its colon ("data:x"): every profiled client reads it, hand-written parsers may cut a character',
    why: 'The space after the colon is optional and clients strip at most one. Code that does line.slice(6) after "data: " cuts the first character of the value instead.',
    fix: 'Write "data: " with one space: the form every parser expects.',
    readings: {},
    spec: OK('strips one optional space after the colon'),
  },
  'multi-line-json': {
    severity: 'info',
    title: 'JSON split over several data: lines: every profiled client joins it, parsers that read line by line do not',
    why: 'Consecutive data: lines are joined with "\\n" into one event, and the clients do so. Code that JSON-parses each data: line (a common shortcut in LLM clients) fails on every part; a JSON string split across lines does not parse even joined.',
    fix: 'Serialize each event\'s JSON on one line (JSON.stringify without indentation), one data: line per event.',
    readings: {},
    spec: OK('joins the data: lines with "\\n"'),
  },
  'long-line': {
    severity: 'info',
    title: 'A line longer than 64 KiB: every profiled client reads it, line readers with a fixed buffer do not',
    why: 'None of the profiled clients limits a line, but Go\'s bufio.Scanner stops at 64 KiB by default (bufio.ErrTooLong) and some proxies and log-based relays cut long lines.',
    fix: 'Keep events small: send large payloads by reference (a URL to fetch) or split them into several events.',
    readings: {},
    spec: OK('reads it whole'),
  },
};

/** In the order a reader should see them: what loses data first. */
const ORDER: readonly FramingTrap[] = ['unterminated-final-event', 'bom', 'nul-in-id', 'cr-only', 'no-space', 'multi-line-json', 'long-line'];

interface Seen {
  evidence: DoctorEvidence[];
  attempts: number;
}

export const framingCheck: DoctorCheck = {
  name: 'framing',
  create() {
    const seen = new Map<FramingTrap, Seen>();
    const note = (connectionId: string, seq: number, attempt: number, n: FramingNote): void => {
      const s = seen.get(n.trap) ?? { evidence: [], attempts: 0 };
      s.attempts++;
      if (s.evidence.length < DOCTOR_LIMITS.evidence) s.evidence.push({ connectionId, seq, header: null, note: `${n.detail} (attempt ${attempt})`.slice(0, DOCTOR_LIMITS.noteChars) });
      seen.set(n.trap, s);
    };
    return {
      add(entry: TimelineEntry): void {
        if ((entry.kind === 'event' || entry.kind === 'attempt-ended') && entry.framing) {
          // A capture is hostile: at most one note per trap per entry is read.
          for (const n of entry.framing.slice(0, ORDER.length)) if (TRAPS[n.trap]) note(entry.connectionId, entry.seq, entry.attempt, n);
        }
      },
      findings(): DoctorFinding[] {
        return ORDER.flatMap((trap): DoctorFinding[] => {
          const s = seen.get(trap);
          if (!s) return [];
          const facts = TRAPS[trap];
          return [
            {
              check: 'framing',
              code: `framing-${trap}`,
              severity: facts.severity,
              title: facts.title,
              evidence: s.evidence,
              why: `${facts.why} Seen in ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}.`,
              fix: facts.fix,
              table: {
                columns: ['Client', 'Gets what the server meant?', 'What it does'],
                rows: PROFILES.map((p) => {
                  const r = facts.readings[p.id] ?? facts.spec;
                  return [p.name, r.ok ? 'yes' : 'no', r.how];
                }),
              },
            },
          ];
        });
      },
    };
  },
};
