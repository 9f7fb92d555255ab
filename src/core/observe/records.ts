/**
 * What a page's hook reports, checked before anything else reads it: the page is untrusted, so a
 * drain may hold anything at all. Each record is checked on its own, so one bad record costs only
 * itself; sizes are those a capture may hold (src/core/limits.ts), so whatever is accepted can be
 * stored, exported and opened again.
 */
import * as z from 'zod';
import type { ObservedRecord } from '../../protocol/observed.js';
import { LIMITS } from '../limits.js';

// Extension pages forbid eval; zod would otherwise probe for it with `new Function`.
z.config({ jitless: true });

/** Records one drain may carry: the panel asks the hook for at most this many at a time. */
export const MAX_RECORDS_PER_DRAIN = 5000;
/** Characters of one drain the panel forwards: one event of the largest size accepted, with room around it. */
export const MAX_DRAIN_CHARS = LIMITS.eventDataChars + 1024 * 1024;

const sid = z.string().min(1).max(200);
const time = z.number().finite().min(LIMITS.timeMin).max(LIMITS.timeMax);
const text = z.string().max(LIMITS.textChars);
const url = z.string().max(LIMITS.urlChars);
const headers = z.array(z.tuple([text, text])).max(LIMITS.headers);

const recordSchema: z.ZodType<ObservedRecord> = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('open'),
    sid,
    api: z.enum(['fetch', 'xhr', 'eventsource']),
    time,
    url,
    method: z.string().max(16),
    headers,
    body: z.string().max(LIMITS.eventDataChars).nullable(),
    bodyCut: z.boolean(),
    withCredentials: z.boolean(),
    frame: url,
  }),
  z.object({ t: z.literal('response'), sid, time, status: z.number().int().min(0).max(999), statusText: text, headers, url }),
  z.object({ t: z.literal('chunk'), sid, time, text: z.string().max(LIMITS.eventDataChars) }),
  z.object({ t: z.literal('es-open'), sid, time }),
  z.object({ t: z.literal('es-message'), sid, time, type: text, data: z.string().max(LIMITS.eventDataChars), lastEventId: text }),
  z.object({ t: z.literal('es-error'), sid, time, readyState: z.number().int().min(0).max(2) }),
  z.object({ t: z.literal('end'), sid, time, reason: z.enum(['done', 'cancel', 'abort', 'close', 'error']), detail: text }),
]);

/** A drain as far as it can be read: its valid records, how many were not, and the hook's own drops. */
export interface CheckedDrain {
  records: ObservedRecord[];
  /** Records that were not valid, by the stream they named when that much could be read (else under ''). */
  invalid: Map<string, number>;
  /** What the hook said it dropped (its queue was full), bounded. */
  hookDropped: number;
}

/** The stream a record names, if it names one in a readable way; '' otherwise. */
function sidOf(value: unknown): string {
  const s = typeof value === 'object' && value !== null ? (value as { sid?: unknown }).sid : undefined;
  return typeof s === 'string' && s.length > 0 && s.length <= 200 ? s : '';
}

/** Never throws, whatever `value` is. */
export function checkDrain(value: unknown): CheckedDrain {
  const out: CheckedDrain = { records: [], invalid: new Map(), hookDropped: 0 };
  const bad = (key: string, n = 1) => out.invalid.set(key, (out.invalid.get(key) ?? 0) + n);
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { records?: unknown }).records)) {
    bad('');
    return out;
  }
  const drain = value as { records: unknown[]; dropped?: unknown };
  const dropped = drain.dropped;
  out.hookDropped = typeof dropped === 'number' && Number.isInteger(dropped) && dropped > 0 ? Math.min(dropped, Number.MAX_SAFE_INTEGER) : 0;
  const records = drain.records;
  const take = Math.min(records.length, MAX_RECORDS_PER_DRAIN);
  if (records.length > take) bad('', records.length - take);
  for (let i = 0; i < take; i++) {
    const parsed = recordSchema.safeParse(records[i]);
    if (parsed.success) out.records.push(parsed.data);
    else bad(sidOf(records[i]));
  }
  return out;
}

/** Whether a drain (the page's word, unchecked) holds anything worth sending on: records, or a count of dropped ones. */
export function drainHasRecords(drain: unknown): boolean {
  if (typeof drain !== 'object' || drain === null) return false;
  const d = drain as { records?: unknown; dropped?: unknown };
  return (Array.isArray(d.records) && d.records.length > 0) || (typeof d.dropped === 'number' && d.dropped > 0);
}
