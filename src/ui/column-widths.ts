/**
 * The timeline's resizable columns and the widths the user dragged them to, remembered in the
 * panel's localStorage (the standalone viewer may have none: it then starts from the defaults).
 * What comes back from storage is checked like any input: unknown keys and out-of-range widths
 * are dropped.
 */

export const COLUMNS = [
  { key: 'time', label: 'Time', title: 'Wall-clock time of the entry, with milliseconds', width: 88 },
  { key: 'delta', label: 'Δ', title: 'Time since the row above', width: 58 },
  { key: 'attempt', label: '#', title: 'Attempt (connection) number', width: 28 },
  // Wide enough for "content_block_delta", the longest common LLM event type.
  { key: 'channel', label: 'Channel', title: 'The event type', width: 140 },
  { key: 'id', label: 'ID', title: 'The event id field; ⚠N: N numeric ids missing before it', width: 80 },
  { key: 'data', label: 'Data', title: 'The first line of the data; lifecycle rows span from the channel column', width: null },
  { key: 'size', label: 'Size', title: 'Bytes of data', width: 56 },
] as const;

export type ColumnKey = Exclude<(typeof COLUMNS)[number], { width: null }>['key'];
/** Only the columns the user dragged: the others keep the stylesheet's default, which is narrower in a docked panel. */
export type Widths = Readonly<Partial<Record<ColumnKey, number>>>;

const MIN_WIDTH = 24;
const MAX_WIDTH = 800;
const KEY = 'sse-devtools:columns';

const KEYS: readonly ColumnKey[] = COLUMNS.flatMap((c) => (c.width === null ? [] : [c.key]));

export const clampWidth = (w: number): number => Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w)));

export function loadWidths(): Widths {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as unknown;
    if (typeof raw !== 'object' || raw === null) return {};
    const stored = raw as Record<string, unknown>;
    const widths: Partial<Record<ColumnKey, number>> = {};
    for (const key of KEYS) {
      const w = stored[key];
      if (typeof w === 'number' && Number.isFinite(w)) widths[key] = clampWidth(w);
    }
    return widths;
  } catch {
    return {};
  }
}

export function saveWidths(widths: Widths): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(widths));
  } catch {
    // No storage (a file:// viewer, a full quota): the widths last until the panel closes.
  }
}
