/**
 * Replays a captured connection as a live SSE endpoint on 127.0.0.1: the original event types, ids,
 * data, comments and `retry:` values with the original timing (scaled), attempt by attempt. A
 * client that reconnects with a Last-Event-ID resumes after that id; where the original server
 * closed the stream (or the network cut it), the replay closes it too; where the original client
 * gave up (its own timeout, the user), the replay keeps the stream open and silent, so a client with
 * the same timeout ends it the same way. An attempt that got an HTTP error is answered with it.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapturedConnection, CaptureFile } from '../core/capture/format.js';
import { MAX_TIMER_MS } from '../core/config.js';
import { safeText } from '../core/describe.js';
import { sseComment, sseEvent, sseFieldProblem, sseRetry } from '../core/sse-writer.js';
import type { EndReason, TimelineEntry } from '../core/timeline.js';

export interface ReplayOptions {
  capture: CaptureFile;
  /** Which connection to replay; the first one when absent. */
  connectionId?: string;
  port?: number;
  /** 2 plays twice as fast; 0 sends everything at once. */
  speed?: number;
  /** After the last attempt start again from the first, instead of answering 204. */
  loop?: boolean;
  /** One line per request, for a terminal: whatever the request held is shown escaped. */
  onRequest?: (line: string) => void;
}

/**
 * One captured attempt: a range of the connection's entries, not a copy of them, so a capture of a
 * million events is held once however many clients replay it.
 */
interface Segment {
  attempt: number;
  status: number;
  contentType: string;
  startAt: number;
  /** Entries [first, end) of the connection hold this attempt's; its items are the wire entries among them. */
  first: number;
  end: number;
  items: number;
  endAt: number | null;
  /** Close the response at the end, as the server or the network did. */
  closes: boolean;
}

export interface ReplayServer {
  url: string;
  port: number;
  connection: CapturedConnection;
  /** Bytes written for clients that they have not taken yet: bounded, because a slow client makes the replay wait. */
  bufferedBytes(): number;
  close(): Promise<void>;
}

const CLIENT_ENDS: ReadonlySet<EndReason> = new Set(['idle-timeout', 'connect-timeout', 'closed-by-user']);

/** How much of a request is echoed to the terminal: a request line or header can be kilobytes. */
const MAX_ECHO_CHARS = 200;
const echo = (s: string): string => safeText(s.length > MAX_ECHO_CHARS ? `${s.slice(0, MAX_ECHO_CHARS)}…` : s);

/** A client's writes are gathered up to this size before going to its socket. */
const CHUNK_CHARS = 64 * 1024;

const isWire = (e: TimelineEntry): boolean => e.kind === 'event' || e.kind === 'comment' || e.kind === 'retry-changed';

/** The wire form of an entry the server sent; null for entries that were not part of the stream. */
function wireText(e: TimelineEntry): string | null {
  switch (e.kind) {
    case 'event':
      return sseEvent({ id: e.id, type: e.type, data: e.data });
    case 'comment':
      return sseComment(e.text);
    case 'retry-changed':
      return sseRetry(e.delayMs);
    default:
      return null;
  }
}

/** Why an entry cannot be replayed, or null: a capture is untrusted, and the stream must carry exactly what it says. */
function unreplayable(e: TimelineEntry): string | null {
  if (e.kind === 'event') return (e.id !== null ? sseFieldProblem('id', e.id) : null) ?? sseFieldProblem('event type', e.type);
  if (e.kind === 'retry-changed' && !Number.isInteger(e.delayMs)) return `retry ${e.delayMs} is not a whole number of milliseconds`;
  return null;
}

/** The attempts that got a response, or the reason the capture cannot be replayed (naming the entry). */
function segmentsOf(connection: CapturedConnection, where = 'connections[0]'): Segment[] {
  const segments: Segment[] = [];
  let current: Segment | null = null;
  const entries = connection.entries;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.kind === 'attempt-started') {
      if (current) current.end = i;
      current = { attempt: e.attempt, status: 0, contentType: 'text/event-stream', startAt: e.time, first: i, end: entries.length, items: 0, endAt: null, closes: true };
      segments.push(current);
      continue;
    }
    if (!current || e.attempt !== current.attempt) continue;
    if (e.kind === 'response') {
      current.status = e.status;
      current.startAt = e.time;
      current.contentType = e.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'text/event-stream';
    } else if (e.kind === 'attempt-ended') {
      current.endAt = e.time;
      current.closes = !CLIENT_ENDS.has(e.reason);
    } else if (isWire(e)) {
      const problem = unreplayable(e);
      if (problem) throw new Error(`${where}.entries[${i}]: ${problem}, so this capture cannot be replayed`);
      current.items++;
    }
  }
  // Attempts that never got a response (network errors) have nothing to replay.
  return segments.filter((s) => s.status !== 0);
}

export function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
  const index = options.connectionId ? options.capture.connections.findIndex((c) => c.id === options.connectionId) : 0;
  const connection = options.capture.connections[index];
  if (!connection) {
    const ids = options.capture.connections.map((c) => c.id).join(', ');
    return Promise.reject(new Error(options.connectionId ? `no connection "${options.connectionId}" in the capture (it has: ${ids})` : 'the capture has no connections'));
  }
  let segments: Segment[];
  try {
    segments = segmentsOf(connection, `connections[${index}]`);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  if (segments.length === 0) return Promise.reject(new Error(`connection "${connection.id}" has no attempt with a response to replay`));
  const entries = connection.entries;
  const speed = options.speed ?? 1;
  const scale = (ms: number) => (speed <= 0 ? 0 : Math.max(0, ms / speed));
  let next = 0;
  const open = new Set<ServerResponse>();

  /** The first wire entry of `seg` at or after entry `from`; seg.end when there is none. */
  function nextItem(seg: Segment, from: number): number {
    let i = from;
    while (i < seg.end && !(entries[i]!.attempt === seg.attempt && isWire(entries[i]!))) i++;
    return i;
  }

  function hasEventAfter(seg: Segment, at: number): boolean {
    for (let i = at + 1; i < seg.end; i++) if (entries[i]!.kind === 'event' && entries[i]!.attempt === seg.attempt) return true;
    return false;
  }

  /** Where a request picks up: after its Last-Event-ID if the capture has it, else the next attempt. */
  function startFor(lastEventId: string | null): { segment: number; item: number } | null {
    if (lastEventId) {
      for (let s = segments.length - 1; s >= 0; s--) {
        const seg = segments[s]!;
        for (let i = seg.end - 1; i >= seg.first; i--) {
          const e = entries[i]!;
          if (e.kind !== 'event' || e.attempt !== seg.attempt || e.lastEventId !== lastEventId) continue;
          // The id was its attempt's last event: what follows it is the next attempt, even when a
          // heartbeat came after it (the original client, resuming with this id, got the next attempt).
          if (hasEventAfter(seg, i)) return { segment: s, item: nextItem(seg, i + 1) };
          next = s + 1;
          return nextAttempt();
        }
      }
    }
    return nextAttempt();
  }

  function nextAttempt(): { segment: number; item: number } | null {
    if (next >= segments.length) {
      if (!options.loop) return null;
      next = 0;
    }
    return { segment: next, item: nextItem(segments[next]!, segments[next]!.first) };
  }

  /**
   * Streams one attempt to one client from a cursor, with one timer: everything due is written,
   * then the timer is set for the next item; when the socket is full the cursor waits for 'drain'.
   * A slow or stalled client so costs a cursor and a socket buffer, never a queue of the capture.
   */
  function play(res: ServerResponse, seg: Segment, from: number): void {
    const base = from === nextItem(seg, seg.first) ? seg.startAt : prevItemTime(seg, from);
    const started = performance.now();
    let cursor = from;
    let timer: NodeJS.Timeout | null = null;
    let ended = false;
    const lastAt = lastItemTime(seg) ?? base;
    const endDue = seg.closes ? scale(Math.max(seg.endAt ?? lastAt, lastAt) - base) + 1 : null;
    const wait = (ms: number): void => {
      // Longer than setTimeout can wait fires at once; waiting in steps keeps the original timing.
      timer = setTimeout(step, Math.min(ms, MAX_TIMER_MS));
    };
    const step = (): void => {
      timer = null;
      if (ended || res.destroyed) return;
      const now = performance.now() - started;
      let chunk = '';
      while (cursor < seg.end) {
        const e = entries[cursor]!;
        const due = scale(e.time - base);
        if (due > now) break;
        chunk += wireText(e) ?? '';
        cursor = nextItem(seg, cursor + 1);
        if (chunk.length >= CHUNK_CHARS) {
          const more = res.write(chunk);
          chunk = '';
          if (!more) {
            res.once('drain', step);
            return;
          }
        }
      }
      const more = chunk === '' || res.write(chunk);
      if (!more) {
        res.once('drain', step);
        return;
      }
      if (cursor < seg.end) {
        wait(scale(entries[cursor]!.time - base) - now);
        return;
      }
      if (endDue === null) return;
      if (endDue > now) {
        wait(endDue - now);
        return;
      }
      ended = true;
      res.end();
    };
    res.on('close', () => {
      ended = true;
      if (timer) clearTimeout(timer);
      res.off('drain', step);
      open.delete(res);
    });
    step();
  }

  function prevItemTime(seg: Segment, before: number): number {
    for (let i = before - 1; i >= seg.first; i--) if (entries[i]!.attempt === seg.attempt && isWire(entries[i]!)) return entries[i]!.time;
    return seg.startAt;
  }

  function lastItemTime(seg: Segment): number | null {
    for (let i = seg.end - 1; i >= seg.first; i--) if (entries[i]!.attempt === seg.attempt && isWire(entries[i]!)) return entries[i]!.time;
    return null;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = req.headers['last-event-id'];
    const lastEventId = (typeof header === 'string' ? header : null) ?? url.searchParams.get('lastEventId') ?? url.searchParams.get('Last-Event-ID');
    const start = startFor(lastEventId);
    const request = `${echo(req.method ?? '')} ${echo(req.url ?? '')}`;
    if (!start) {
      options.onRequest?.(`${request} → 204: every captured attempt was replayed (use --loop to start over)`);
      res.writeHead(204).end();
      return;
    }
    next = start.segment + 1;
    const seg = segments[start.segment]!;
    let remaining = 0;
    for (let i = start.item; i < seg.end; i = nextItem(seg, i + 1)) remaining++;
    options.onRequest?.(`${request}${lastEventId ? ` (Last-Event-ID ${echo(lastEventId)})` : ''} → attempt #${seg.attempt}, HTTP ${seg.status}, ${remaining} items`);
    // A capture is untrusted: only a status HTTP can carry, and a header value without controls.
    const status = seg.status >= 100 && seg.status <= 599 ? seg.status : 502;
    const contentType = seg.contentType.replace(/[^\t\x20-\x7e]/g, '');
    if (status !== 200) {
      res.writeHead(status, { 'Content-Type': contentType }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache', 'X-Replayed-Attempt': String(seg.attempt) });
    res.flushHeaders();
    open.add(res);
    play(res, seg, start.item);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        port,
        connection,
        bufferedBytes: () => [...open].reduce((n, res) => n + res.writableLength, 0),
        close: () =>
          new Promise((done) => {
            for (const res of open) res.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
