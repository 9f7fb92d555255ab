/**
 * A production-speed SSE source: numbered events (id N, 100 B of data) at a steady rate, resuming
 * after the Last-Event-ID it receives, ending at `total` and answering 204 once everything was sent.
 * It honours backpressure (waits for 'drain'), so a client that stops reading slows it down rather
 * than making it buffer. Every response records which ids it wrote, so a test can compare what the
 * server sent with what the client kept.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FastResponse {
  lastEventId: string | null;
  /** Ids written to the socket by this response, first..last inclusive (0 when none yet). */
  first: number;
  last: number;
  /** Times `write` returned false: the client (or the TCP window) could not keep up. */
  blocked: number;
}

export interface FastServer {
  url: string;
  responses: FastResponse[];
  close(): Promise<void>;
}

const PAD = 'x'.repeat(64);

function fastEvent(n: number): string {
  return `id: ${n}\nevent: tick\ndata: {"n":${n},"pad":"${PAD}"}\n\n`;
}

export async function startFastServer(options: { total: number; perSecond: number }): Promise<FastServer> {
  const responses: FastResponse[] = [];
  const open = new Set<ServerResponse>();
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((options.perSecond * tickMs) / 1000));
  const server = createServer((req, res) => {
    const header = req.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? header : null;
    const after = Number.parseInt(lastEventId ?? '0', 10) || 0;
    if (after >= options.total) {
      res.writeHead(204).end();
      return;
    }
    const record: FastResponse = { lastEventId, first: 0, last: 0, blocked: 0 };
    responses.push(record);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    open.add(res);
    let next = after + 1;
    let timer: NodeJS.Timeout | null = null;
    const pump = (): void => {
      timer = null;
      if (res.destroyed) return;
      let text = '';
      const from = next;
      for (let i = 0; i < perTick && next <= options.total; i++) text += fastEvent(next++);
      if (record.first === 0) record.first = from;
      record.last = next - 1;
      const ok = res.write(text);
      if (next > options.total) {
        res.end();
        return;
      }
      if (ok) timer = setTimeout(pump, tickMs);
      else {
        record.blocked++;
        res.once('drain', pump);
      }
    };
    res.on('close', () => {
      open.delete(res);
      if (timer) clearTimeout(timer);
    });
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fast`,
    responses,
    close: () =>
      new Promise((done) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
