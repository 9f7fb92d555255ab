/**
 * The user's settings and their bounds, in one place: the panel's toolbar checks what is typed with
 * these, and the background reads whatever arrives (a port message, storage written by an older
 * version) through `readSettings`, so a value out of range can come from nowhere.
 */

/** The retention cap per connection: entries kept before the oldest go (with an entries-dropped row). */
const RETENTION = {
  default: 100_000,
  min: 1_000,
  /** 500 000 rows of 20 px stay under Firefox's largest element height (about 17.9 M px). */
  max: 500_000,
} as const;

export interface Settings {
  /** Entries retained per connection; past it the oldest go and an entries-dropped entry says so. */
  maxEntriesPerConnection: number;
}

export const DEFAULT_SETTINGS: Settings = { maxEntriesPerConnection: RETENTION.default };

/** Null when `text` is a retention cap the background accepts; else what the toolbar shows. */
export function retentionProblem(text: string): string | null {
  const n = Number(text);
  return Number.isInteger(n) && n >= RETENTION.min && n <= RETENTION.max ? null : `${RETENTION.min.toLocaleString('en-US')}–${RETENTION.max.toLocaleString('en-US')}`;
}

/** Settings from anywhere untrusted: out-of-range values are clamped, garbage gives the default. */
export function readSettings(raw: unknown): Settings {
  const n = Number((raw as Partial<Settings> | undefined)?.maxEntriesPerConnection);
  return { maxEntriesPerConnection: Number.isInteger(n) ? Math.min(RETENTION.max, Math.max(RETENTION.min, n)) : RETENTION.default };
}
