/**
 * Streams held by something between the server and the client, imitated at the server: events
 * produced apart (each says when in its `ts`) but written in lumps, as a buffering proxy lets them go.
 */
import type { ServerResponse } from 'node:http';
import type { DoctorStreamSpec } from './spec.js';
import { event, pause, streamHead } from './script.js';

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
    watchMs: 4000,
    script: async (res) => {
      streamHead(res);
      res.write(stamped(1));
      await lump(res, 2, 4, 300);
      await lump(res, 6, 4, 300);
      res.end();
    },
  },
  {
    name: 'held',
    does: 'nothing for the first 1.2 s after the headers, then the four events produced meanwhile in one lump, then one event at a time',
    codes: ['first-bytes-held'],
    watchMs: 3000,
    script: async (res) => {
      streamHead(res);
      await lump(res, 1, 4, 300);
      for (let n = 5; n <= 7; n++) {
        await pause(res, 100);
        if (!res.destroyed) res.write(stamped(n));
      }
      res.end();
    },
  },
  {
    name: 'batched',
    does: 'thirty events written five to a write, 100 ms apart: many events per network read, no silences',
    codes: ['many-events-per-read'],
    watchMs: 2000,
    script: async (res) => {
      streamHead(res);
      for (let w = 0; w < 6; w++) {
        if (res.destroyed) return;
        res.write(Array.from({ length: 5 }, (_, i) => event(w * 5 + i + 1, JSON.stringify({ n: w * 5 + i + 1 }))).join(''));
        await pause(res, 100);
      }
      res.end();
    },
  },
];
