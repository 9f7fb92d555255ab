/**
 * Streams held by something between the server and the client, imitated at the server: events
 * produced apart (each says when in its `ts`) but written in lumps, as a buffering proxy lets them go.
 */
import type { ServerResponse } from 'node:http';
import type { DoctorStreamSpec } from './spec.js';
import { event, pause, resumeFrom, streamHead } from './script.js';

const stamped = (n: number): string => event(n, JSON.stringify({ n, ts: Date.now() }));

/** `count` events produced `apartMs` apart, written together once the last is made. */
async function lump(res: ServerResponse, from: number, count: number, apartMs: number): Promise<void> {
  let text = '';
  for (let i = 0; i < count; i++) {
    await pause(res, apartMs);
    text += stamped(from + i);
  }
  if (!res.destroyed) res.write(text);
}

export const BUFFERING_STREAMS: readonly DoctorStreamSpec[] = [
  {
    name: 'buffered',
    does: 'one event at once, then events produced 300 ms apart (their ts says so) let go four at a time after each silence, as a buffering proxy does',
    codes: ['buffered-bursts'],
    watchMs: 8000,
    script: async (res, req) => {
      const n = resumeFrom(req);
      streamHead(res);
      res.write(stamped(n + 1));
      await lump(res, n + 2, 4, 300);
      await lump(res, n + 6, 4, 300);
      res.end();
    },
  },
  {
    name: 'held',
    does: 'nothing for the first 1.2 s after the headers, then the four events produced meanwhile in one lump, then one event at a time every 500 ms for 20 s',
    codes: ['first-bytes-held'],
    watchMs: 4000,
    // Open for a while: a reconnect's held first lump would come after a silence, a burst of its own.
    script: async (res, req) => {
      const n = resumeFrom(req);
      streamHead(res);
      await lump(res, n + 1, 4, 300);
      for (let k = 5; k <= 44 && !res.destroyed; k++) {
        await pause(res, 500);
        if (!res.destroyed) res.write(stamped(n + k));
      }
      res.end();
    },
  },
  {
    name: 'batched',
    does: 'thirty events written five to a write, 100 ms apart: many events per network read, no silences',
    codes: ['many-events-per-read'],
    watchMs: 6000,
    script: async (res, req) => {
      const n = resumeFrom(req);
      streamHead(res);
      for (let w = 0; w < 6; w++) {
        if (res.destroyed) return;
        res.write(Array.from({ length: 5 }, (_, i) => event(n + w * 5 + i + 1, JSON.stringify({ n: n + w * 5 + i + 1 }))).join(''));
        await pause(res, 100);
      }
      res.end();
    },
  },
];
