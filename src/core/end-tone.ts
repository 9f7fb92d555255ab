/**
 * How an attempt's end reads at a glance: one colour language for the timeline's rows, the
 * reconnect strip's bars, their legend and the terminal, so the same end never looks fine in one
 * place and failed in another. A server ending the response is how SSE streams normally live
 * (load balancers cut them, the client resumes with Last-Event-ID); a 204 is the server's own way
 * to say stop.
 */
import type { EndReason } from './timeline.js';

export type EndTone = 'normal' | 'error' | 'simulated' | 'user';

export const END_TONES: Readonly<Record<EndReason, EndTone>> = {
  'closed-by-server': 'normal',
  'no-content': 'normal',
  'idle-timeout': 'error',
  'connect-timeout': 'error',
  'http-error': 'error',
  'bad-content-type': 'error',
  'network-error': 'error',
  // How SSE streams usually live (a server or proxy ends them, the browser resumes); a lost network reads the same to the page.
  'lost-or-closed': 'normal',
  fault: 'simulated',
  'closed-by-user': 'user',
};

/** The legend, in the order it is shown; `open` is an attempt that has not ended. */
export const TONE_LEGEND: readonly { tone: EndTone | 'open'; label: string; reasons: string }[] = [
  { tone: 'open', label: 'open', reasons: 'the attempt is still running' },
  { tone: 'normal', label: 'ended normally', reasons: 'closed-by-server, no-content (204), lost-or-closed (an observed EventSource reconnects: lost or closed by the server, its page cannot tell which)' },
  { tone: 'error', label: 'error', reasons: 'http-error, bad-content-type, network-error, idle-timeout, connect-timeout' },
  { tone: 'simulated', label: 'simulated', reasons: 'fault (a simulation from the fault lab)' },
  { tone: 'user', label: 'closed by you', reasons: 'closed-by-user' },
];
