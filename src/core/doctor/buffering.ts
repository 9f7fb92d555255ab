/**
 * Buffering: something between the server and the client (a proxy, compression, the framework)
 * holds the stream's bytes and lets them go in lumps. Seen as events arriving together after a
 * silence while they were produced apart (their own timestamps say so when the data carries one),
 * as bursts that repeat, as the first bytes held back until a buffer filled, and as many events
 * per network read. Events "arrive together" when they share a read (EventEntry.read) or, where
 * reads are not known, the same arrival time (the engine stamps one chunk's events alike).
 */
import { formatDuration } from '../describe.js';
import type { EventEntry, TimelineEntry } from '../timeline.js';
import { DOCTOR_LIMITS, type DoctorCheck, type DoctorEvidence, type DoctorFinding } from './check.js';

/** A lump this big after this much silence is a burst; below, a server that writes a pair at once is ordinary. */
const BURST_EVENTS = 3;
const BURST_SILENCE_MS = 1000;
/** Timestamps inside one lump this far apart: the events were produced apart and something held them. */
const PRODUCED_APART_MS = 500;
/** The first read that comes this late and carries this much was held until a buffer filled. */
const FIRST_READ_LATE_MS = 1000;
const FIRST_READ_BYTES = 2048;
/** "Many events per read": reads of at least this many events carrying at least this share of at least this many events. */
const MANY_PER_READ = 5;
const MANY_SHARE = 0.5;
const MANY_MIN_EVENTS = 20;
/** Only the start of an event's data is searched for a timestamp. */
const TIMESTAMP_SCAN_CHARS = 2048;
const MAX_KEPT = DOCTOR_LIMITS.evidence;

/** JSON fields servers commonly stamp events with. */
const TIMESTAMP_FIELD = /"(ts|timestamp|time|at|created|created_at|createdAt|sent_at|sentAt|emitted_at)"\s*:\s*("([^"]{1,40})"|(\d{9,16}(?:\.\d+)?))/;

/** The time an event says it was produced, in epoch ms, or null. */
export function producedAt(data: string): { field: string; ms: number } | null {
  const m = TIMESTAMP_FIELD.exec(data.length > TIMESTAMP_SCAN_CHARS ? data.slice(0, TIMESTAMP_SCAN_CHARS) : data);
  if (!m) return null;
  const field = m[1] ?? '';
  if (m[3] !== undefined) {
    const ms = Date.parse(m[3]);
    return Number.isFinite(ms) ? { field, ms } : null;
  }
  const n = Number(m[4]);
  if (!Number.isFinite(n)) return null;
  // Seconds (10 digits now) or milliseconds (13).
  return { field, ms: n < 1e11 ? n * 1000 : n };
}

interface Lump {
  connectionId: string;
  attempt: number;
  key: string;
  firstSeq: number;
  lastSeq: number;
  events: number;
  bytes: number;
  silenceMs: number;
  /** The attempt's first lump of events. */
  first: boolean;
  minTs: number | null;
  maxTs: number | null;
  tsField: string | null;
}

interface AttemptState {
  lastTime: number;
  gapBefore: number;
  lumps: number;
}

const span = (l: Lump): number => (l.minTs === null || l.maxTs === null ? 0 : l.maxTs - l.minTs);

/** What the closed lumps add up to; findings() judges a copy with the open lump closed into it. */
interface Tally {
  bursts: Lump[];
  burstCount: number;
  firstHeld: Lump | null;
  inBigReads: number;
  biggest: Lump | null;
}

function closeInto(t: Tally, l: Lump, readsKnown: boolean): void {
  if (t.biggest === null || l.events > t.biggest.events) t.biggest = l;
  if (readsKnown && l.events >= MANY_PER_READ) t.inBigReads += l.events;
  if (l.events < BURST_EVENTS) return;
  // A reconnect's first events held again are the same finding, not a burst: the evidence is the first attempt's.
  if (l.first && l.silenceMs >= FIRST_READ_LATE_MS && (span(l) >= PRODUCED_APART_MS || l.bytes >= FIRST_READ_BYTES)) {
    t.firstHeld ??= l;
    return;
  }
  if (l.silenceMs >= BURST_SILENCE_MS) {
    t.burstCount++;
    if (t.bursts.length < MAX_KEPT) t.bursts.push(l);
  }
}

function widen(l: Lump, ts: { field: string; ms: number } | null): void {
  if (!ts) return;
  l.minTs = l.minTs === null ? ts.ms : Math.min(l.minTs, ts.ms);
  l.maxTs = l.maxTs === null ? ts.ms : Math.max(l.maxTs, ts.ms);
  l.tsField ??= ts.field;
}

export const bufferingCheck: DoctorCheck = {
  name: 'buffering',
  create() {
    const attempts = new Map<number, AttemptState>();
    const tally: Tally = { bursts: [], burstCount: 0, firstHeld: null, inBigReads: 0, biggest: null };
    let lump: Lump | null = null;
    let readsKnown = false;
    let events = 0;

    const onEvent = (e: EventEntry, at: AttemptState): void => {
      events++;
      if (e.read !== undefined) readsKnown = true;
      const key = e.read !== undefined ? `r${e.read}` : `t${e.time}`;
      const ts = producedAt(e.data);
      if (lump !== null && lump.attempt === e.attempt && lump.key === key) {
        lump.lastSeq = e.seq;
        lump.events++;
        lump.bytes += e.size;
        widen(lump, ts);
        return;
      }
      if (lump !== null) closeInto(tally, lump, readsKnown);
      lump = { connectionId: e.connectionId, attempt: e.attempt, key, firstSeq: e.seq, lastSeq: e.seq, events: 1, bytes: e.size, silenceMs: at.gapBefore, first: at.lumps === 0, minTs: null, maxTs: null, tsField: null };
      widen(lump, ts);
      at.lumps++;
    };

    return {
      add(entry: TimelineEntry): void {
        if (entry.kind === 'response') {
          if (entry.status === 200) attempts.set(entry.attempt, { lastTime: entry.time, gapBefore: 0, lumps: 0 });
          return;
        }
        const at = attempts.get(entry.attempt);
        if (!at) return;
        if (entry.kind === 'attempt-ended') {
          attempts.delete(entry.attempt);
          return;
        }
        if (entry.kind !== 'event' && entry.kind !== 'comment' && entry.kind !== 'retry-changed' && entry.kind !== 'ignored-line') return;
        // Entries of one chunk share its time: the silence before a lump is the one before its chunk.
        if (entry.time > at.lastTime) {
          at.gapBefore = entry.time - at.lastTime;
          at.lastTime = entry.time;
        }
        if (entry.kind === 'event') onEvent(entry, at);
      },
      findings(): DoctorFinding[] {
        const view: Tally = { ...tally, bursts: [...tally.bursts] };
        if (lump !== null) closeInto(view, { ...lump }, readsKnown);
        return judge(view, readsKnown, events);
      },
    };
  },
};

const SUSPECTS =
  'The usual suspects, nearest the server first: the framework buffering the response (flush after each event: Express compression needs res.flush(), Django/Flask need a streaming response, PHP needs ob_flush and flush), compression middleware (gzip holds bytes until its block fills: leave text/event-stream uncompressed), a reverse proxy (nginx: proxy_buffering off; for this location, or send the header X-Accel-Buffering: no; and gzip off for it), a CDN or corporate proxy (send Cache-Control: no-cache, no-transform so it neither buffers nor recompresses).';

const lumpNote = (l: Lump, what: string): string => {
  const range = l.firstSeq === l.lastSeq ? `row ${l.firstSeq}` : `rows ${l.firstSeq}–${l.lastSeq}`;
  const apart = span(l) > 0 ? `; their own ${l.tsField ?? 'timestamp'} fields span ${formatDuration(span(l))}` : '';
  return `${l.events} events (${range}) ${what} after ${formatDuration(l.silenceMs)} of silence (attempt ${l.attempt})${apart}`.slice(0, DOCTOR_LIMITS.noteChars);
};

const evidenceOf = (l: Lump, what: string): DoctorEvidence => ({ connectionId: l.connectionId, seq: l.firstSeq, header: null, note: lumpNote(l, what) });

function judge({ bursts, burstCount, firstHeld, inBigReads, biggest }: Tally, readsKnown: boolean, events: number): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const together = readsKnown ? 'arrived in one network read' : 'arrived at the same moment';
  const apart = bursts.filter((b) => span(b) >= PRODUCED_APART_MS);
  if (burstCount >= 2 || apart.length > 0) {
    out.push({
      check: 'buffering',
      code: 'buffered-bursts',
      severity: 'warning',
      title: `Events arrive in bursts after silences (${burstCount} burst${burstCount === 1 ? '' : 's'}): something between the server and the client buffers the stream`,
      evidence: [...apart, ...bursts.filter((b) => span(b) < PRODUCED_APART_MS)].slice(0, DOCTOR_LIMITS.evidence).map((b) => evidenceOf(b, together)),
      why:
        (apart.length > 0
          ? 'The events carry their own timestamps, and those say they were produced apart; they reached the client together. '
          : 'Several events at once after a silence, again and again, is the shape of a buffer filling and being let go. ') +
        'A client sees nothing, then everything: live updates lag by the buffer, progress arrives at the end, and a heartbeat held in a buffer does not keep idle timeouts away.',
      fix: SUSPECTS,
      table: null,
    });
  }
  if (firstHeld !== null) {
    const f: Lump = firstHeld;
    out.push({
      check: 'buffering',
      code: 'first-bytes-held',
      severity: 'warning',
      title: `The first events were held back: ${f.events} came together ${formatDuration(f.silenceMs)} after the response headers`,
      evidence: [evidenceOf(f, together)],
      why: 'The stream opened, then nothing came until a lump of events: a buffer (compression, a proxy, the framework) waited to fill before sending its first bytes. A client sees a connected stream that stays silent.',
      fix: SUSPECTS,
      table: null,
    });
  }
  if (out.length === 0 && readsKnown && events >= MANY_MIN_EVENTS && inBigReads / events >= MANY_SHARE && biggest !== null) {
    const b: Lump = biggest;
    out.push({
      check: 'buffering',
      code: 'many-events-per-read',
      severity: 'info',
      title: `Most events arrive several to a network read (${inBigReads} of ${events} in reads of ${MANY_PER_READ} or more)`,
      evidence: [evidenceOf(b, 'arrived in one network read')],
      why: 'Without silences before them this may only be a server that writes events in batches (a backlog after a reconnect, a batch job) or a client that reads slower than they come; if the server means them to leave one by one, something coalesces them.',
      fix: SUSPECTS,
      table: null,
    });
  }
  return out;
}
