/**
 * No response: a request that got no response headers for seconds, until it ended. A real nginx
 * with `gzip on` for text/event-stream and buffering holds the whole response, headers included,
 * until a gzip buffer fills (../shared/recipes/real-proxies.md; measured with the demo stream:
 * nothing for the whole capture), so the stream is not "slow" but silent before it starts, and
 * every other check has nothing to look at.
 */
import { formatDuration } from '../describe.js';
import type { TimelineEntry } from '../timeline.js';
import type { DoctorCheck, DoctorFold } from './check.js';
import { createFindingSet, evidenceOf } from './finding-set.js';

/** Shorter waits are a slow server or a quick stop; a stream's headers usually come at once. */
const MIN_WAIT_MS = 2000;

const text = (longestMs: number, count: number, observed: boolean) =>
  ({
    severity: 'warning',
    title: observed
      ? `No response in ${formatDuration(longestMs)}: not even the response headers came back${count > 1 ? ` (${count} attempts)` : ''}`
      : `No response in ${formatDuration(longestMs)}: the request was sent and not even the response headers came back${count > 1 ? ` (${count} attempts)` : ''}`,
    why:
      'Nothing at all arrived: no status, no headers, no event, so a client sees a connection that hangs, and every other check has nothing to look at. ' +
      // A page's request may never have left the browser: the hook sees the page ask, not the socket.
      (observed
        ? 'A page\'s stream: the browser may not have sent the request at all. Over HTTP/1.1 it opens at most six connections per origin, for all its tabs, and a seventh request waits for one silently (the six-connections finding says so while the streams are open). '
        : '') +
      'The usual suspects: a proxy holding the whole response in its buffers (nginx with gzip on for text/event-stream and proxy buffering holds the compressed output, headers included, until a gzip buffer fills: minutes for a slow stream); ' +
      'a server or framework that sends its headers only with the first write and has written nothing yet; a server stuck before answering.',
    fix:
      (observed ? 'If the page had six or more streams open to this origin: serve them over HTTP/2 or HTTP/3, or share one stream. ' : '') +
      'Send the headers at once (Node: res.flushHeaders(); most frameworks: flush after writing the head). ' +
      'Do not compress text/event-stream (nginx gzip_types without it, or gzip off for the location; Express compression\'s filter), ' +
      'and turn buffering off for the stream (nginx proxy_buffering off; or the response header X-Accel-Buffering: no, unless the proxy ignores it). ' +
      'Then run the doctor again: with headers it can say more.',
  }) as const;

export const noResponseCheck: DoctorCheck = {
  name: 'heartbeat',
  create(context): DoctorFold {
    const observed = context.headersSeen === 'some';
    const set = createFindingSet('heartbeat');
    const startedAt = new Map<number, number>();
    let connectTimeoutSimulated = false;
    let longestMs = 0;
    let count = 0;
    return {
      add(entry: TimelineEntry): void {
        switch (entry.kind) {
          case 'attempt-started':
            startedAt.set(entry.attempt, entry.time);
            return;
          case 'response':
            startedAt.delete(entry.attempt);
            return;
          case 'fault-injected':
            // A connect-timeout simulation stays in force: its ends are the engine's, not the server's silence.
            if (entry.fault === 'connect-timeout') connectTimeoutSimulated = true;
            return;
          case 'attempt-ended': {
            const started = startedAt.get(entry.attempt);
            startedAt.delete(entry.attempt);
            if (started === undefined || entry.reason === 'fault' || (entry.reason === 'connect-timeout' && connectTimeoutSimulated)) return;
            const waitedMs = entry.time - started;
            if (waitedMs < MIN_WAIT_MS) return;
            longestMs = Math.max(longestMs, waitedMs);
            count++;
            set.report('no-response', text(longestMs, count, observed), evidenceOf(entry.connectionId, entry.seq, `attempt ${entry.attempt} ended (${entry.reason}) ${formatDuration(waitedMs)} after its request, with no response headers`));
            return;
          }
          default:
        }
      },
      findings: set.findings,
    };
  },
};
