/**
 * What the doctor's misbehaving streams are written with: a response a script writes piece by
 * piece, pausing between pieces so each is its own network read, and giving up as soon as the
 * client goes away (every stream of the catalog is bounded: it ends by itself or when closed).
 */
import type { ServerResponse } from 'node:http';

/** What a script knows of the request: where a resuming client says it stopped. */
export interface StreamRequest {
  lastEventId: string | null;
  /** The request's body (an LLM stream's question). */
  body: string;
  /** Lets the server end the response when it closes. */
  track: (res: ServerResponse) => void;
}

export type StreamScript = (res: ServerResponse, req: StreamRequest) => Promise<void>;

/** Resolves after `ms`, or at once when the response is closed (the client left). */
export function pause(res: ServerResponse, ms: number): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

/** Each piece its own write, a pause after it: a client reads them apart. */
export async function writeApart(res: ServerResponse, pieces: readonly (string | Uint8Array)[], pauseMs = 30): Promise<void> {
  for (const p of pieces) {
    if (res.destroyed) return;
    res.write(p);
    await pause(res, pauseMs);
  }
}

/** The headers a well-behaved stream sends; a script leaves out or changes the one it is about. */
export const GOOD_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
};

export function streamHead(res: ServerResponse, headers: Readonly<Record<string, string>> = GOOD_HEADERS): void {
  res.writeHead(200, headers);
  res.flushHeaders();
}

/** The integer a resuming client sent, 0 when none. */
export const resumeFrom = (req: StreamRequest): number => Number.parseInt(req.lastEventId ?? '', 10) || 0;

/**
 * A stream of pieces with good headers, ended after the last one. `make` numbers its ids after the
 * Last-Event-ID a reconnecting client sends, so a stream that misbehaves one way resumes well and
 * shows only its own finding however often a client comes back.
 */
export const pieces =
  (make: (after: number) => readonly (string | Uint8Array)[]): StreamScript =>
  async (res, req) => {
    streamHead(res);
    await writeApart(res, make(resumeFrom(req)));
    res.end();
  };

export const event = (id: number | null, data: string): string => `${id === null ? '' : `id: ${id}\n`}data: ${data}\n\n`;
