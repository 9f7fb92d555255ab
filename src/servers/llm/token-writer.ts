/**
 * Writes an imitated LLM stream with the timing of a real one: the frames before the answer (role,
 * message_start, created) at once, then a pause before the first token (the model "thinking"), then
 * small uneven gaps between tokens. `speed` divides every delay, so tests run the same stream fast.
 * A stream can also fail in its middle, the two ways providers do: the connection cut inside a
 * message, or the format's own error event after the 200.
 */
import type { ServerResponse } from 'node:http';

export interface Frame {
  /** SSE text of one event, framed (ends with its blank line). */
  text: string;
  /** A content or tool-call delta: what a time-to-first-token measures and what the gaps separate. */
  token: boolean;
}

export const FAIL_MODES = ['mid', 'error'] as const;
export type FailMode = (typeof FAIL_MODES)[number];

export interface Pace {
  /** 1 is realistic; 10 is ten times faster. */
  speed: number;
  fail: FailMode | null;
}

/** Realistic for a small hosted model: about half a second to the first token, then 20-65 ms per token. */
const FIRST_TOKEN_MS = 450;
const GAP_MS = 20;
const GAP_SPREAD_MS = 45;
const MAX_SPEED = 1000;

/** `?speed=N&fail=mid|error` → a pace, or why not. */
export function paceFrom(query: URLSearchParams): Pace | string {
  const rawSpeed = query.get('speed');
  const speed = rawSpeed === null ? 1 : Number(rawSpeed);
  if (!(speed > 0 && speed <= MAX_SPEED)) return `speed must be a number above 0 and at most ${MAX_SPEED} (1 is realistic), not ${JSON.stringify(rawSpeed)}`;
  const fail = query.get('fail');
  if (fail !== null && !(FAIL_MODES as readonly string[]).includes(fail)) return `fail must be one of ${FAIL_MODES.join(', ')}, not ${JSON.stringify(fail)}`;
  return { speed, fail: fail as FailMode | null };
}

/** Deterministic unevenness: the same stream always has the same rhythm. */
const gapMs = (token: number): number => GAP_MS + ((token * 37) % GAP_SPREAD_MS);

/** Which frame a failure replaces: the middle token, so the answer is visibly half there. */
function middleFrame(frames: readonly Frame[]): number {
  const tokens = frames.flatMap((f, i) => (f.token ? [i] : []));
  return tokens.length > 0 ? (tokens[Math.floor(tokens.length / 2)] ?? 0) : Math.floor(frames.length / 2);
}

/**
 * Writes `frames` on `res` (headers already sent) and ends it; `errorFrame` is the format's error
 * event for `fail=error`. Stops quietly when the client goes away.
 */
export function writeFrames(res: ServerResponse, frames: readonly Frame[], pace: Pace, errorFrame: (at: number) => string): void {
  const timers: NodeJS.Timeout[] = [];
  res.on('close', () => timers.forEach((t) => clearTimeout(t)));
  const failAt = pace.fail === null ? -1 : middleFrame(frames);
  let at = 0;
  let tokens = 0;
  const schedule = (index: number): void => {
    if (index >= frames.length) {
      timers.push(setTimeout(() => res.end(), at));
      return;
    }
    const frame = frames[index];
    if (frame === undefined) return;
    if (frame.token) at += (tokens === 0 ? FIRST_TOKEN_MS : gapMs(tokens)) / pace.speed;
    if (frame.token) tokens++;
    if (index === failAt && pace.fail === 'mid') {
      // Half the event's bytes (maybe half a character), then the socket closes without the
      // chunked encoding's end: what a client sees when a proxy or the provider drops the connection.
      const bytes = Buffer.from(frame.text, 'utf8');
      timers.push(setTimeout(() => res.write(bytes.subarray(0, Math.ceil(bytes.length / 2)), () => res.destroy()), at));
      return;
    }
    if (index === failAt && pace.fail === 'error') {
      timers.push(setTimeout(() => res.end(errorFrame(index)), at));
      return;
    }
    timers.push(setTimeout(() => res.write(frame.text), at));
    schedule(index + 1);
  };
  schedule(0);
}

export const SSE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};
