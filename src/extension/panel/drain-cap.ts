/**
 * A poll of the inspected page returns whatever the page's global answered: a hostile page can hand
 * back hundreds of megabytes in one drain. The panel forwards at most one large event's worth per
 * poll to the background (a runtime Port refuses a message of 64 MiB and more, and the background
 * should not parse more than its rate lets through anyway), and says what it cut: per stream id,
 * so each stream's timeline gets a row saying how many of its records were lost.
 */
import { MAX_DRAIN_CHARS } from '../../core/observe/records.js';
/** Distinct stream ids the panel names in a cut; past it, records are counted under ''. */
const MAX_CUT_SIDS = 1000;
const MAX_SID_CHARS = 200;
const NODE_CHARS = 16;
const MAX_DEPTH = 8;

/**
 * Characters a JSON value weighs (strings by length, every value a little), or Infinity once past
 * `budget`: the walk stops there, so a hostile record costs at most the budget to weigh.
 */
function weigh(value: unknown, budget: number, depth = 0): number {
  if (typeof value === 'string') return value.length + NODE_CHARS;
  if (typeof value !== 'object' || value === null) return NODE_CHARS;
  if (depth > MAX_DEPTH) return Infinity;
  let total = NODE_CHARS;
  const parts = Array.isArray(value) ? (value as unknown[]) : Object.entries(value as Record<string, unknown>).flat();
  for (const part of parts) {
    total += weigh(part, budget - total, depth + 1);
    if (total > budget) return Infinity;
  }
  return total;
}

export interface CappedDrain {
  drain: unknown;
  /** Records cut, by the stream id they named ('' when none or past MAX_CUT_SIDS). */
  cut: [string, number][];
}

export function capDrain(drain: unknown, budget = MAX_DRAIN_CHARS): CappedDrain {
  if (typeof drain !== 'object' || drain === null) return { drain, cut: [] };
  const records = (drain as { records?: unknown }).records;
  if (!Array.isArray(records)) return { drain, cut: [] };
  let used = 0;
  let kept = 0;
  for (; kept < records.length; kept++) {
    const size = weigh(records[kept], budget - used);
    if (used + size > budget) break;
    used += size;
  }
  if (kept === records.length) return { drain, cut: [] };
  const bySid = new Map<string, number>();
  for (let i = kept; i < records.length; i++) {
    const r = records[i] as unknown;
    const sid = typeof r === 'object' && r !== null ? (r as { sid?: unknown }).sid : undefined;
    let key = typeof sid === 'string' && sid.length <= MAX_SID_CHARS ? sid : '';
    if (!bySid.has(key) && bySid.size >= MAX_CUT_SIDS) key = '';
    bySid.set(key, (bySid.get(key) ?? 0) + 1);
  }
  return { drain: { records: records.slice(0, kept), dropped: (drain as { dropped?: unknown }).dropped }, cut: [...bySid] };
}
