import type { TimelineEntry } from '../../core/timeline.js';

/** How many entries have a seq of at most `seq` (entries are in seq order). */
export function countUpTo(entries: readonly TimelineEntry[], seq: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
