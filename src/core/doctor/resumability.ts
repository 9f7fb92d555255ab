/**
 * Can this stream resume after a drop (issue 14, item 5)? A reconnect sends the last event id it
 * saw; the stream can only continue where it left off if events carry ids, the ids move forward,
 * and the server reads the Last-Event-ID it is sent. And a reconnect must not come too soon: a
 * tiny `retry:` makes every client of a server that restarts reconnect at once.
 */
import type { DoctorCheck, DoctorFold } from './check.js';
import { createFindingSet, evidenceOf, type FindingText } from './finding-set.js';

/** Below this a `retry:` turns one server hiccup into a reconnect storm from every client. */
const STORM_RETRY_MS = 1000;
/** Slack for timers firing early and clocks of a capture rounding; a reconnect earlier than this is not the timer's noise. */
const EARLY_SLACK_MS = 50;

const TEXTS = {
  'no-ids': {
    severity: 'warning',
    title: 'Events carry no id: a reconnect cannot resume, it starts over or loses what was sent meanwhile',
    why: 'A client sends the last event id it saw as Last-Event-ID when it reconnects; with no id it sends none, so the server cannot tell where it stopped: events sent during the drop are lost, or the stream restarts and repeats itself.',
    fix: 'Give every event an `id:` that orders them (a sequence number, an offset, a timestamp with a tie-breaker), and on a request with Last-Event-ID send what came after it.',
  },
  'no-ids-request': {
    severity: 'info',
    title: 'Events carry no id: this request cannot be resumed after a drop',
    why: 'Without ids a retry of this request cannot say where it stopped. Streams answering a POST (an LLM answer, an MCP call) are usually not resumed, so this matters only if your client retries them.',
    fix: 'If clients should resume, give events ids and honour Last-Event-ID; otherwise make the client show a cut answer as cut.',
  },
  'id-repeated': {
    severity: 'warning',
    title: 'An event id repeats within one response: a reconnect after it resumes from the wrong place',
    why: 'Ids say where the stream stands. A repeated id makes the Last-Event-ID of a reconnect ambiguous, and clients that drop duplicates by id lose the second event.',
    fix: 'Make ids unique and increasing within the stream (one counter per stream, not per message part).',
  },
  'id-backwards': {
    severity: 'warning',
    title: 'Event ids go backwards within one response: a reconnect after such an event resumes too early',
    why: 'A reconnect sends the latest id seen, not the highest: after an id that went backwards the server resends events the client already has.',
    fix: 'Send events in id order, or give ids that follow the order they are sent in.',
  },
  'last-event-id-ignored': {
    severity: 'error',
    title: 'The server ignores Last-Event-ID: after a reconnect the stream repeats events the client already had',
    why: 'The reconnect sent the last id it saw, and the first event of the new response is that id or an earlier one: the server started over. Clients process the same events twice (double messages, double counts).',
    fix: 'Read the Last-Event-ID request header (EventSource sends it as a header; polyfills may send a query parameter) and start after that id; keep enough history to do so, or send a "reset" event when you cannot.',
  },
  'gap-after-reconnect': {
    severity: 'warning',
    title: 'Ids skipped across a reconnect: events sent during the drop were lost',
    why: 'The first event after the reconnect is further on than the id after the Last-Event-ID that was sent: the server resumed from its live position, not from the client\'s, so what it sent in between never arrived.',
    fix: 'Keep a replay buffer per stream (long enough for your reconnect delays) and send the events after Last-Event-ID before going live; say so with an event when the id is too old.',
  },
  'retry-storm': {
    severity: 'warning',
    title: 'A tiny retry: makes clients reconnect almost at once: one server restart becomes a reconnect storm',
    why: 'Clients wait the `retry:` delay before reconnecting. Below a second, every client of a failing or restarting server reconnects nearly at once and again at once, piling onto it (EventSource does not back off on its own).',
    fix: 'Send `retry:` of a few seconds (browsers default to about 3 s), and let clients add jitter and backoff (client profiles that back off: okhttp-eventsource, LaunchDarkly SDKs).',
  },
  'reconnect-too-fast': {
    severity: 'warning',
    title: 'A reconnect started sooner than the delay the client announced',
    why: 'The next attempt began before the scheduled reconnect delay ran out: the client\'s policy (or `retry:`) is not what governs its reconnects, so a failing server is hit faster than planned.',
    fix: 'Check what starts the new request: a second client, an app-level retry around the stream, or a client that ignores `retry:`.',
  },
} as const satisfies Record<string, FindingText>;

const asInt = (id: string | null): number | null => (id !== null && /^-?\d{1,15}$/.test(id) ? Number(id) : null);

export const resumabilityCheck: DoctorCheck = {
  name: 'resumability',
  create(): DoctorFold {
    const set = createFindingSet('resumability');
    let method = 'GET';
    /** The Last-Event-ID the current attempt sent, until its first event with an id. */
    let sentId: string | null = null;
    let firstOfAttempt = true;
    /** No-id evidence is one row per attempt. */
    let noIdsSeen = false;
    let previousId: string | null = null;
    /** The step between consecutive integer ids seen in one response: what a gap is measured against. */
    let step: number | null = null;
    let scheduled: { at: number; delayMs: number; seq: number } | null = null;
    return {
      add(entry) {
        switch (entry.kind) {
          case 'attempt-started': {
            method = entry.method.toUpperCase();
            sentId = entry.lastEventId;
            firstOfAttempt = true;
            noIdsSeen = false;
            previousId = null;
            if (scheduled !== null && entry.attempt > 1) {
              const waited = entry.time - scheduled.at;
              if (waited < scheduled.delayMs - EARLY_SLACK_MS) {
                set.report('reconnect-too-fast', TEXTS['reconnect-too-fast'], evidenceOf(entry.connectionId, entry.seq, `attempt ${entry.attempt} started ${waited} ms after a reconnect was scheduled in ${scheduled.delayMs} ms (row ${scheduled.seq})`));
              }
            }
            scheduled = null;
            return;
          }
          case 'reconnect-scheduled':
            scheduled = entry.delayMs === null ? null : { at: entry.time, delayMs: entry.delayMs, seq: entry.seq };
            return;
          case 'retry-changed':
            if (entry.delayMs < STORM_RETRY_MS) set.report('retry-storm', TEXTS['retry-storm'], evidenceOf(entry.connectionId, entry.seq, `retry: ${entry.delayMs}`));
            return;
          case 'event':
            break;
          default:
            return;
        }
        const at = (note: string) => evidenceOf(entry.connectionId, entry.seq, note);
        // One piece of evidence per attempt: the first event a reconnect could not resume after.
        if (entry.lastEventId === '' && !noIdsSeen) {
          noIdsSeen = true;
          const code = method === 'GET' ? 'no-ids' : 'no-ids-request';
          set.report(code, TEXTS[code], at(`attempt ${entry.attempt}: from this ${entry.type} event on, no event has had an id`));
        }
        if (entry.id === null || entry.id === '') return;
        const id = entry.id;
        if (firstOfAttempt) {
          firstOfAttempt = false;
          const sent = sentId;
          const [n, last] = [asInt(id), asInt(sent)];
          if (sent !== null && sent !== '') {
            if (id === sent || (n !== null && last !== null && n <= last)) {
              set.report('last-event-id-ignored', TEXTS['last-event-id-ignored'], at(`attempt ${entry.attempt} sent Last-Event-ID: ${sent}; its first event has id ${id}`));
            } else if (n !== null && last !== null && step !== null && n - last > step) {
              const lost = Math.round((n - last) / step) - 1;
              set.report('gap-after-reconnect', TEXTS['gap-after-reconnect'], at(`attempt ${entry.attempt} sent Last-Event-ID: ${sent}; its first event has id ${id} (${lost} event${lost === 1 ? '' : 's'} missing)`));
            }
          }
        }
        if (previousId !== null) {
          const [n, before] = [asInt(id), asInt(previousId)];
          if (id === previousId) set.report('id-repeated', TEXTS['id-repeated'], at(`id ${id} again, right after itself`));
          else if (n !== null && before !== null && n < before) set.report('id-backwards', TEXTS['id-backwards'], at(`id ${id} after id ${previousId}`));
          else if (n !== null && before !== null && n > before) step = step === null ? n - before : Math.min(step, n - before);
        }
        previousId = id;
      },
      findings: set.findings,
    };
  },
};
