/**
 * The user's settings and their bounds, in one place: the panel's toolbar checks what is typed with
 * these, and the background reads whatever arrives (a port message, storage written by an older
 * version) through `readSettings`, so a value out of range can come from nowhere.
 */
import type { TimelineEntry } from './timeline.js';

/** The retention cap per connection: entries kept before the oldest go (with an entries-dropped row). */
const RETENTION = {
  default: 100_000,
  min: 1_000,
  /** 500 000 rows of 20 px stay under Firefox's largest element height (about 17.9 M px). */
  max: 500_000,
} as const;

/**
 * The byte budget per connection, beside the entry cap: past it the oldest entries go the same way
 * (a tenth at once, an entries-dropped row). 48 MiB of estimated entries (estimateEntryBytes) per
 * connection: the background and the panel each hold a copy, so 10 connections stay under about
 * 1 GB for the whole extension. Fixed, not a toolbar setting: the entry cap is what users tune, and
 * the budget only bites for large events (about 11 000 entries of 2 KB, none of 100 B at the
 * default entry cap). README "Retention" has the measured memory per entry.
 */
export const RETENTION_BYTES = 48 * 1024 * 1024;

/**
 * A cheap estimate of an entry's memory, the same for retention and the backlog: its data at two
 * bytes a character (V8 keeps ASCII at one, so this errs high) plus a fixed share for the object
 * and its other fields (about what README's measured figure gives for a 100 B event). Other kinds
 * are small and rare; they count their fixed share.
 */
export function estimateEntryBytes(e: TimelineEntry): number {
  if (e.kind === 'event') return 2 * e.data.length + 200;
  // A refused response's body may hold 64 KiB, once per attempt of a loop retrying 401s.
  if (e.kind === 'attempt-ended' && e.body) return 2 * e.body.text.length + 300;
  return 300;
}

export interface Settings {
  /** Entries retained per connection; past it the oldest go and an entries-dropped entry says so. */
  maxEntriesPerConnection: number;
}

export const DEFAULT_SETTINGS: Settings = { maxEntriesPerConnection: RETENTION.default };

/** Null when `text` is a retention cap the background accepts; else what the toolbar shows. */
export function retentionProblem(text: string): string | null {
  const n = Number(text);
  return Number.isInteger(n) && n >= RETENTION.min && n <= RETENTION.max ? null : `Entries kept per connection must be a whole number from ${RETENTION.min.toLocaleString('en-US')} to ${RETENTION.max.toLocaleString('en-US')}`;
}

/** Settings from anywhere untrusted: out-of-range values are clamped, garbage gives the default. */
export function readSettings(raw: unknown): Settings {
  const n = Number((raw as Partial<Settings> | undefined)?.maxEntriesPerConnection);
  return { maxEntriesPerConnection: Number.isInteger(n) ? Math.min(RETENTION.max, Math.max(RETENTION.min, n)) : RETENTION.default };
}
