/** Terminal lines for the CLI: a timestamp and attempt number before the entry's description. */
import { clock, describeEntry, safeText, type Style } from '../core/describe.js';
import { clientError, profileById } from '../core/profiles.js';
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

/** `profile` names the client whose error an attempt's end is shown as (src/core/profiles.ts). */
export function formatEntry(e: TimelineEntry, s: Style, profile: string | null = null): string {
  const head = `${s.dim(clock(e.time))} ${s.dim(e.attempt > 0 ? `#${e.attempt}`.padEnd(3) : '   ')}`;
  const client = e.kind === 'attempt-ended' ? clientError(profile, e.reason, e.status) : null;
  return `${head} ${describeEntry(e, s)}${client ? s.dim(`  [${profileById(profile)?.name}: ${client}]`) : ''}`;
}

export function formatHeaders(headers: readonly HeaderPair[], arrow: string, s: Style): string[] {
  return headers.map(([n, v]) => `${' '.repeat(17)}${s.dim(`${arrow} ${safeText(n)}: ${safeText(v)}`)}`);
}
