/** A stream that goes quiet past okhttp-eventsource's 5 s read timeout, with no heartbeat to carry it. */
import type { DoctorStreamSpec } from './spec.js';
import { event, pause, resumeFrom, streamHead } from './script.js';

/** Just past okhttp-eventsource's 5 s read timeout: as short as still true. */
const SILENCE_MS = 6000;

export const SILENCE_STREAMS: readonly DoctorStreamSpec[] = [
  {
    name: 'silent',
    does: `one event, then ${SILENCE_MS / 1000} s without a byte (no heartbeat), then one more: okhttp-eventsource's 5 s read timeout would cut it`,
    codes: ['silence-exceeds-timeout'],
    watchMs: SILENCE_MS + 6000,
    script: async (res, req) => {
      const n = resumeFrom(req);
      streamHead(res);
      res.write(event(n + 1, JSON.stringify({ n: n + 1 })));
      await pause(res, SILENCE_MS);
      if (!res.destroyed) res.write(event(n + 2, JSON.stringify({ n: n + 2 })));
      res.end();
    },
  },
];
