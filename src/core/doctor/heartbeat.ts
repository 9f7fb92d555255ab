/**
 * Heartbeats and timeouts: the silences a stream left (no byte at all: no event, no comment)
 * against every client profile's read timeout and every proxy preset's idle timeout, the clients
 * and intermediaries it would have been cut by, and the heartbeat interval that would carry it.
 * A silence is measured per attempt, from the response (the headers are the first bytes) to the
 * next entry the stream's bytes made, and from the last one to the attempt's end.
 */
import { FROM_HAR } from '../capture/from-har.js';
import { formatDuration } from '../describe.js';
import { PROFILES } from '../profiles.js';
import { PROXY_PRESETS } from '../proxy-presets.js';
import type { TimelineEntry } from '../timeline.js';
import { DOCTOR_LIMITS, STREAM_BYTE_KINDS, type DoctorCheck, type DoctorEvidence, type DoctorFinding, type DoctorSeverity } from './check.js';

/** Something that cuts a silent stream: a client's read timeout or an intermediary's idle timeout. */
interface Breaker {
  who: string;
  setting: string;
  ms: number;
  /** Proxies sit in front of most production streams; a client profile matters only where that client is used. */
  kind: 'client' | 'proxy';
}

const BREAKERS: readonly Breaker[] = [
  ...PROFILES.flatMap((p): Breaker[] => (p.idleTimeoutMs === null ? [] : [{ who: p.name, setting: 'read/idle timeout', ms: p.idleTimeoutMs, kind: 'client' }])),
  ...PROXY_PRESETS.filter((p) => p.simulation === 'proxy-idle-timeout').map((p): Breaker => ({ who: p.name, setting: p.setting, ms: p.ms, kind: 'proxy' })),
];
const SHORTEST_PROXY_MS = Math.min(...BREAKERS.filter((b) => b.kind === 'proxy').map((b) => b.ms));
const LONGEST_PROXY_MS = Math.max(...BREAKERS.filter((b) => b.kind === 'proxy').map((b) => b.ms));

/** Heartbeat gaps kept to estimate the interval; a median of this many is as good as of all. */
const MAX_BEAT_GAPS = 256;
/** Silences longer than any timeout are what a table counts; more than this many are counted, not kept. */
const MAX_LONG_SILENCES = 2000;


interface Silence {
  connectionId: string;
  ms: number;
  /** The entry that broke it (or the attempt's end). */
  seq: number;
  attempt: number;
  trailing: boolean;
}

interface OpenAttempt {
  lastByteAt: number;
  lastCommentAt: number | null;
}

const SHORTEST_CUT_MS = Math.min(...BREAKERS.map((b) => b.ms));

export const heartbeatCheck: DoctorCheck = {
  name: 'heartbeat',
  create(context) {
    const commentsHidden = context.commentsHidden === true;
    const open = new Map<number, OpenAttempt>();
    /** Every silence longer than the shortest timeout (they are the only ones that cut), bounded. */
    const long: Silence[] = [];
    let longCounted = 0;
    let longest: Silence | null = null;
    const beatGaps: number[] = [];
    const attemptDurations: number[] = [];

    const silence = (s: Silence): void => {
      if (longest === null || s.ms > longest.ms) longest = s;
      if (s.ms <= SHORTEST_CUT_MS) return;
      longCounted++;
      if (long.length < MAX_LONG_SILENCES) long.push(s);
    };

    return {
      add(entry: TimelineEntry): void {
        if (entry.kind === 'response') {
          if (entry.status === 200) open.set(entry.attempt, { lastByteAt: entry.time, lastCommentAt: null });
          return;
        }
        const at = open.get(entry.attempt);
        if (!at) return;
        if (STREAM_BYTE_KINDS.has(entry.kind)) {
          const ms = entry.time - at.lastByteAt;
          if (ms > 0) silence({ connectionId: entry.connectionId, ms, seq: entry.seq, attempt: entry.attempt, trailing: false });
          at.lastByteAt = Math.max(at.lastByteAt, entry.time);
          if (entry.kind === 'comment') {
            if (at.lastCommentAt !== null && beatGaps.length < MAX_BEAT_GAPS) beatGaps.push(entry.time - at.lastCommentAt);
            at.lastCommentAt = entry.time;
          }
          return;
        }
        if (entry.kind === 'attempt-ended') {
          const ms = entry.time - at.lastByteAt;
          // A HAR import's events carry the response time: the time to its end is not known to be silent.
          if (ms > 0 && !entry.detail.startsWith(FROM_HAR)) silence({ connectionId: entry.connectionId, ms, seq: entry.seq, attempt: entry.attempt, trailing: true });
          if (attemptDurations.length < MAX_LONG_SILENCES) attemptDurations.push(entry.durationMs);
          open.delete(entry.attempt);
        }
      },
      findings(): DoctorFinding[] {
        const finding = judge(long, longCounted, longest, beatGaps, attemptDurations, commentsHidden);
        return finding ? [finding] : [];
      },
    };
  },
};

const median = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? null;
};

const seconds = (ms: number): string => formatDuration(ms);
const times = (n: number): string => (n === 1 ? 'once' : `${n} times`);

function judge(long: readonly Silence[], longCounted: number, longest: Silence | null, beatGaps: readonly number[], durations: readonly number[], commentsHidden: boolean): DoctorFinding | null {
  if (longest === null) return null;
  const worst: Silence = longest;
  const cuts = BREAKERS.map((b) => ({ b, n: long.filter((s) => s.ms > b.ms).length }));
  const broken = cuts.filter((c) => c.n > 0);
  // A silence past half the shortest proxy timeout is one slow tick away from a cut there.
  const thin = broken.length === 0 && worst.ms > SHORTEST_PROXY_MS / 2;
  if (broken.length === 0 && !thin) return null;

  const beat = median(beatGaps);
  const beatText = commentsHidden
    ? "a page's EventSource hides comments, so heartbeats may have filled these silences"
    : beat === null
      ? 'no heartbeat comments were seen'
      : `your heartbeat is about every ${seconds(beat)}`;
  // The tightest timeout it broke, else the shortest proxy's: half of it, so a late beat (GC, a busy event loop) still lands in time.
  const tightest = [...broken.map((c) => c.b)].sort((a, b) => a.ms - b.ms)[0] ?? BREAKERS.find((b) => b.ms === SHORTEST_PROXY_MS);
  const tightestMs = tightest?.ms ?? SHORTEST_PROXY_MS;
  const recommendMs = Math.max(1000, Math.floor(tightestMs / 2 / 1000) * 1000);

  // Proxies sit in front of most production streams: cutting there is a warning, past all of them an error.
  // A client profile's timeout matters only where that client reads the stream: info.
  const proxyCut = broken.find((c) => c.b.kind === 'proxy');
  // Silences between events only, when comments are hidden: an upper bound, never more than info.
  const severity: DoctorSeverity = commentsHidden ? 'info' : worst.ms > LONGEST_PROXY_MS ? 'error' : proxyCut ? 'warning' : 'info';
  const headline = proxyCut ?? broken[0];
  const title =
    headline === undefined
      ? `The longest silence (${seconds(worst.ms)}) is more than half of the shortest proxy idle timeout (${seconds(SHORTEST_PROXY_MS)})`
      : `${headline.b.who}'s ${seconds(headline.b.ms)} ${headline.b.setting} would have cut this stream ${times(headline.n)}; ${beatText}`;

  const evidence: DoctorEvidence[] = [...long]
    .sort((a, b) => b.ms - a.ms)
    .concat(long.length === 0 ? [worst] : [])
    .slice(0, DOCTOR_LIMITS.evidence)
    .map((s) => ({
      connectionId: s.connectionId,
      seq: s.seq,
      header: null,
      note: `${seconds(s.ms)} without a byte ${s.trailing ? 'before the attempt ended' : 'before this entry'} (attempt ${s.attempt})`,
    }));

  const rows = [
    ...BREAKERS.map((b) => {
      const n = cuts.find((c) => c.b === b)?.n ?? 0;
      return [b.who, b.setting, seconds(b.ms), n === 0 ? 'never' : times(n), n === 0 ? 'carries it' : `send a comment at least every ${seconds(Math.floor(b.ms / 2))}`];
    }),
    ...PROXY_PRESETS.filter((p) => p.simulation === 'max-connection-age').map((p) => {
      const n = durations.filter((d) => d > p.ms).length;
      return [p.name, p.setting, seconds(p.ms), n === 0 ? 'never' : times(n), 'cuts after this long whatever flows: a heartbeat does not help, resuming does'];
    }),
    ...PROFILES.filter((p) => p.idleTimeoutMs === null).map((p) => [p.name, 'none', '—', 'never', 'no read timeout: a silent stream stays open']),
  ];

  return {
    check: 'heartbeat',
    code: broken.length > 0 ? 'silence-exceeds-timeout' : 'silence-near-timeout',
    severity,
    title,
    evidence,
    why:
      `The longest silence was ${seconds(worst.ms)}` +
      (longCounted > long.length ? ` (${longCounted} silences were longer than ${seconds(SHORTEST_CUT_MS)}; the table counts the first ${long.length})` : '') +
      `; ${beatText}.` +
      (!proxyCut && worst.ms > SHORTEST_PROXY_MS / 2 ? ` No proxy preset would have cut it, but it is more than half the shortest proxy idle timeout (${seconds(SHORTEST_PROXY_MS)}): one late beat from a cut there.` : '') +
      ` A client or proxy that sees no byte for its idle timeout closes the response: the client reconnects (events sent in between are lost unless the stream resumes) and a proxy often answers the cut with a 200 that simply ends. Browsers have no such timeout, so the stream may look healthy in a browser on localhost and break in production.`,
    fix: `Send an SSE comment (": ping\\n\\n") at least every ${seconds(recommendMs)} (half of ${tightest?.who ?? 'the shortest proxy'}'s ${seconds(tightestMs)} ${tightest?.setting ?? 'idle timeout'}), whether or not there are events, and flush it. Or raise the timeout where you control it (nginx proxy_read_timeout, the load balancer's idle timeout, the client's read timeout).`,
    table: { columns: ['Client or proxy', 'Setting', 'Timeout', 'Would have cut this stream', 'What it needs'], rows },
  };
}
