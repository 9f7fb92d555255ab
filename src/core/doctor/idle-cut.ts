/**
 * Idle cuts: attempts that answered 200 and were then ended by the other side (not by the user, not
 * by the engine's own timers or simulations) after a trailing silence, again and again at about the
 * same length. That is an idle timeout somewhere between the server and the client, whatever its
 * length: a real nginx with `proxy_read_timeout 3s` ends the response 3.0 s after the last byte (a
 * 200, then the connection closes: undici and Chromium report it as a network error, an
 * EventSource just reconnects), which no preset of the silence table (heartbeat.ts) is short enough
 * to name. A stream's own end right after its last event, or within the rhythm it kept, is no cut.
 */
import { FROM_HAR } from '../capture/from-har.js';
import { formatDuration } from '../describe.js';
import type { EndReason, TimelineEntry } from '../timeline.js';
import { DOCTOR_LIMITS, STREAM_BYTE_KINDS, type DoctorCheck, type DoctorFinding } from './check.js';
import { evidenceOf } from './finding-set.js';

/** Ends that came from the other side of the connection. The rest are the engine's own (timeouts, simulations), the user's, or no stream. */
const FROM_THE_OTHER_SIDE: ReadonlySet<EndReason> = new Set(['closed-by-server', 'network-error', 'lost-or-closed']);

/** Shorter silences are a stream's ordinary pauses; nginx's proxy_read_timeout takes whole seconds. */
const MIN_SILENCE_MS = 1000;
/** A cut silence stands out from the attempt's rhythm: longer than every gap before it by this much. */
const RHYTHM_MARGIN = 1.5;
/**
 * Two cuts are "about the same length" within this: the proxy's timer (nginx re-arms it lazily, to
 * within 300 ms), the network and a busy client's event loop all move where we see a cut; measured
 * here on a loaded machine, two 3 s nginx cuts read 2.9 and 3.4 s.
 */
const toleranceMs = (ms: number): number => Math.max(500, ms * 0.2);
const MAX_CUTS = 200;

interface Cut {
  connectionId: string;
  seq: number;
  attempt: number;
  silenceMs: number;
  reason: EndReason;
}

interface Open {
  lastByteAt: number;
  longestGapMs: number;
}

export const idleCutCheck: DoctorCheck = {
  name: 'heartbeat',
  create(context) {
    const commentsHidden = context.commentsHidden === true;
    const open = new Map<number, Open>();
    const cuts: Cut[] = [];
    return {
      add(entry: TimelineEntry): void {
        if (entry.kind === 'response') {
          if (entry.status === 200) open.set(entry.attempt, { lastByteAt: entry.time, longestGapMs: 0 });
          return;
        }
        const at = open.get(entry.attempt);
        if (!at) return;
        if (STREAM_BYTE_KINDS.has(entry.kind)) {
          at.longestGapMs = Math.max(at.longestGapMs, entry.time - at.lastByteAt);
          at.lastByteAt = Math.max(at.lastByteAt, entry.time);
          return;
        }
        if (entry.kind !== 'attempt-ended') return;
        open.delete(entry.attempt);
        if (entry.detail.startsWith(FROM_HAR)) return;
        const silenceMs = entry.time - at.lastByteAt;
        if (!FROM_THE_OTHER_SIDE.has(entry.reason) || silenceMs < MIN_SILENCE_MS || silenceMs < at.longestGapMs * RHYTHM_MARGIN) return;
        if (cuts.length < MAX_CUTS) cuts.push({ connectionId: entry.connectionId, seq: entry.seq, attempt: entry.attempt, silenceMs, reason: entry.reason });
      },
      findings(): DoctorFinding[] {
        const finding = judge(cuts, commentsHidden);
        return finding ? [finding] : [];
      },
    };
  },
};

/** The largest group of cuts of about the same length (the first such, by time, when tied). */
function likeCuts(cuts: readonly Cut[]): Cut[] {
  let best: Cut[] = [];
  for (const anchor of cuts) {
    const group = cuts.filter((c) => Math.abs(c.silenceMs - anchor.silenceMs) <= toleranceMs(anchor.silenceMs));
    if (group.length > best.length) best = group;
  }
  return best;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function judge(cuts: readonly Cut[], commentsHidden: boolean): DoctorFinding | null {
  // Once is enough when it is the only such end; silences of different lengths are no timeout's.
  const group = cuts.length === 1 ? [...cuts] : likeCuts(cuts);
  if (group.length === 0 || (cuts.length > 1 && group.length < 2)) return null;
  const measured = median(group.map((c) => c.silenceMs));
  // Measured from our last byte, a cut lands a little off the proxy's setting (nginx re-arms its
  // read timer lazily, to within 300 ms): whole seconds say the setting better.
  const ms = measured >= 2000 ? Math.round(measured / 1000) * 1000 : measured;
  const n = formatDuration(ms);
  const half = formatDuration(Math.max(500, Math.round(ms / 2 / 100) * 100));
  const count = group.length === 1 ? 'once' : `${group.length} times`;
  return {
    check: 'heartbeat',
    code: 'idle-cut',
    severity: commentsHidden ? 'info' : 'warning',
    title: `The stream was cut after about ${n} of silence, ${count}: something between the server and the client has an idle timeout of about ${n}`,
    evidence: group.slice(0, DOCTOR_LIMITS.evidence).map((c) =>
      evidenceOf(c.connectionId, c.seq, `attempt ${c.attempt} ended ${formatDuration(c.silenceMs)} after its last byte (${c.reason}), though it had answered 200`),
    ),
    why:
      `The response ended ${count} from the server's side after about ${n} without a byte (no event, no comment), not by the client. ` +
      `That is an idle timeout of about ${n} in a proxy, load balancer or the server itself: each cut costs a reconnect, and events sent meanwhile are lost unless the stream resumes. ` +
      'A proxy cut usually looks like a 200 that simply ends (or a network error), so nothing else says why.' +
      (commentsHidden ? " A page's EventSource hides comments from the hook, so heartbeats may have filled the silence: check what the server sends." : ''),
    fix:
      `Send an SSE comment (": ping\\n\\n") at least every ${half} (half of ${n}) whether or not there are events, and flush it: any byte resets an idle timeout. ` +
      'Or raise the timeout where you own it: nginx proxy_read_timeout (and proxy_send_timeout), the AWS ALB idle timeout, HAProxy timeout server / timeout tunnel, Cloudflare\'s proxy read timeout, your framework\'s or server\'s request timeout.',
    table: null,
  };
}
