/** Terminal lines for the CLI: a timestamp and attempt number before the entry's description. */
import { clock, describeEntry, safeText, type Style } from '../core/describe.js';
import type { HeaderPair, TimelineEntry } from '../core/timeline.js';

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const colors: Style = {
  dim: wrap(2, 22),
  bold: wrap(1, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  magenta: wrap(35, 39),
};
export { plain } from '../core/describe.js';

export function formatEntry(e: TimelineEntry, s: Style): string {
  const head = `${s.dim(clock(e.time))} ${s.dim(e.attempt > 0 ? `#${e.attempt}`.padEnd(3) : '   ')}`;
  return `${head} ${describeEntry(e, s)}`;
}

export function formatHeaders(headers: readonly HeaderPair[], arrow: string, s: Style): string[] {
  return headers.map(([n, v]) => `${' '.repeat(17)}${s.dim(`${arrow} ${safeText(n)}: ${safeText(v)}`)}`);
}
