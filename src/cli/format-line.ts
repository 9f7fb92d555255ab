/** Terminal lines for the CLI: a timestamp and attempt number before the entry's description. */
import { clock, describeBodySize, describeEntry, safeText, type Style } from '../core/describe.js';
import { clientError, profileById } from '../core/profiles.js';
import type { HeaderPair, ResponseBody, TimelineEntry } from '../core/timeline.js';

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

const BODY_LINES = 5;
const BODY_LINE_CHARS = 200;
const INDENT = ' '.repeat(17);

/** A failed response's body under its end line: the first lines, each escaped; --json has it whole. */
export function formatBody(body: ResponseBody, s: Style): string[] {
  const lines = body.text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const shown = lines.slice(0, BODY_LINES).map((l) => `${INDENT}${safeText(l.length > BODY_LINE_CHARS ? `${l.slice(0, BODY_LINE_CHARS)}…` : l)}`);
  const more = lines.length > BODY_LINES ? [`${INDENT}${s.dim(`… ${lines.length - BODY_LINES} more lines (--json shows the whole body)`)}`] : [];
  return [`${INDENT}${s.dim(`body (${safeText(body.contentType ?? 'no content-type')}, ${describeBodySize(body)}):`)}`, ...shown, ...more];
}

