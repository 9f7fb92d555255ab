/**
 * A complete capture's records for one tab, sent to the intake in batches as a hook's drains are:
 * the debugger and response filters report every chunk, and one message per chunk would cost the
 * intake more than the records. Bounded: past MAX_QUEUE waiting records, new ones are counted as
 * dropped, and the count goes with the next batch.
 */
import type { ObservedDrain, ObservedRecord } from '../../protocol/observed.js';

const MAX_QUEUE = 20_000;
const FLUSH_MS = 50;

export interface RecordBatch {
  push(record: ObservedRecord): void;
  /** Sends what waits now (a capture that stops flushes its last records). */
  flush(): void;
}

export function createRecordBatch(send: (drain: ObservedDrain) => void): RecordBatch {
  let queue: ObservedRecord[] = [];
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (queue.length === 0 && dropped === 0) return;
    const records = queue;
    const lost = dropped;
    queue = [];
    dropped = 0;
    send({ records, dropped: lost });
  };
  return {
    push(record) {
      if (queue.length >= MAX_QUEUE) dropped++;
      else queue.push(record);
      timer ??= setTimeout(flush, FLUSH_MS);
    },
    flush,
  };
}
