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
  onRequest?: (line: string) => void;
}

type Item = { at: number; text: string; id: string | null };

interface Segment {
  attempt: number;
  status: number;
  contentType: string;
  startAt: number;
  items: Item[];
  endAt: number | null;
  /** Close the response at the end, as the server or the network did. */
  closes: boolean;
}

export interface ReplayServer {
  url: string;
  port: number;
  connection: CapturedConnection;
  close(): Promise<void>;
}

const CLIENT_ENDS: ReadonlySet<EndReason> = new Set(['idle-timeout', 'connect-timeout', 'closed-by-user']);

/** The wire form of an entry the server sent; null for entries that were not part of the stream. */
export function wireText(e: TimelineEntry): string | null {
  switch (e.kind) {
    case 'event': {
      const lines: string[] = [];
      if (e.id !== null) lines.push(e.id === '' ? 'id' : `id: ${e.id}`);
      if (e.type !== 'message') lines.push(`event: ${e.type}`);
      for (const line of e.data.split('\n')) lines.push(`data: ${line}`);
      return `${lines.join('\n')}\n\n`;
    }
    case 'comment':
      return `: ${e.text.replace(/[\r\n]/g, ' ')}\n`;
    case 'retry-changed':
      return `retry: ${e.delayMs}\n`;
    default:
      return null;
  }
}

export function segmentsOf(connection: CapturedConnection): Segment[] {
  const segments: Segment[] = [];
  let current: Segment | null = null;
  for (const e of connection.entries) {
    if (e.kind === 'attempt-started') {
      current = { attempt: e.attempt, status: 0, contentType: 'text/event-stream', startAt: e.time, items: [], endAt: null, closes: true };
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
    } else {
      const text = wireText(e);
      if (text !== null) current.items.push({ at: e.time, text, id: e.kind === 'event' ? e.lastEventId : null });
    }
  }
  // Attempts that never got a response (network errors) have nothing to replay.
  return segments.filter((s) => s.status !== 0);
}

export function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
  const connection = options.connectionId ? options.capture.connections.find((c) => c.id === options.connectionId) : options.capture.connections[0];
  if (!connection) {
    const ids = options.capture.connections.map((c) => c.id).join(', ');
    return Promise.reject(new Error(options.connectionId ? `no connection "${options.connectionId}" in the capture (it has: ${ids})` : 'the capture has no connections'));
  }
  const segments = segmentsOf(connection);
  if (segments.length === 0) return Promise.reject(new Error(`connection "${connection.id}" has no attempt with a response to replay`));
  const speed = options.speed ?? 1;
  const scale = (ms: number) => (speed <= 0 ? 0 : Math.max(0, ms / speed));
  let next = 0;
  const open = new Set<ServerResponse>();

  /** Where a request picks up: after its Last-Event-ID if the capture has it, else the next attempt. */
  function startFor(lastEventId: string | null): { segment: number; item: number } | null {
    if (lastEventId) {
      for (let s = segments.length - 1; s >= 0; s--) {
        const items = segments[s]!.items;
        for (let i = items.length - 1; i >= 0; i--) {
          if (items[i]!.id !== lastEventId) continue;
          // The id was the last thing its attempt sent: what follows it is the next attempt.
          if (i + 1 < items.length) return { segment: s, item: i + 1 };
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
    return { segment: next, item: 0 };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = req.headers['last-event-id'];
    const lastEventId = (typeof header === 'string' ? header : null) ?? url.searchParams.get('lastEventId') ?? url.searchParams.get('Last-Event-ID');
    const start = startFor(lastEventId);
    if (!start) {
      options.onRequest?.(`${req.method} ${req.url} → 204: every captured attempt was replayed (use --loop to start over)`);
      res.writeHead(204).end();
      return;
    }
    next = start.segment + 1;
    const seg = segments[start.segment]!;
    options.onRequest?.(`${req.method} ${req.url}${lastEventId ? ` (Last-Event-ID ${lastEventId})` : ''} → attempt #${seg.attempt}, HTTP ${seg.status}, ${seg.items.length - start.item} items`);
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
    const timers: NodeJS.Timeout[] = [];
    res.on('close', () => {
      timers.forEach(clearTimeout);
      open.delete(res);
    });
    const base = start.item === 0 ? seg.startAt : seg.items[start.item - 1]!.at;
    for (const item of seg.items.slice(start.item)) timers.push(setTimeout(() => res.write(item.text), scale(item.at - base)));
    if (seg.closes) {
      const lastAt = seg.items.at(-1)?.at ?? base;
      timers.push(setTimeout(() => res.end(), scale(Math.max(seg.endAt ?? lastAt, lastAt) - base) + 1));
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        port,
        connection,
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
