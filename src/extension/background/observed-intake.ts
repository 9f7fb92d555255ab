/**
 * Where what a page's hook reports enters the background: the only door the page has, and it
 * leads to "observed data for this tab" and nothing else. Each drain is checked record by record
 * (src/core/observe/records.ts) and rate-limited per tab, so a page that floods costs a bounded
 * amount of work; nothing is dropped silently: a stream that lost records gets a row saying how
 * many and why, and the panel's status line counts what belonged to no known stream.
 */
import { checkDrain, type CheckedDrain } from '../../core/observe/records.js';
import type { ObservedStream } from '../../core/observe/observed-stream.js';
import { count } from '../../core/limits.js';
import type { ObservedIntake } from '../../protocol/messages.js';
import type { ObservedRecord } from '../../protocol/observed.js';

/** What a tab may report per second, sustained; bursts up to the bucket's size pass. */
const OBSERVE_RATE = { records: 20_000, chars: 4 * 1024 * 1024 } as const;
/** A burst: two seconds of records, and room for one event of the largest size a capture holds. */
const BUCKET = { records: 2 * OBSERVE_RATE.records, chars: 20 * 1024 * 1024 } as const;
/** Streams one tab may open: past it, new ones are counted, not followed. */
const MAX_OBSERVED_PER_TAB = 500;

interface TabState {
  records: number;
  chars: number;
  refilledAt: number;
  opened: number;
  status: ObservedIntake;
}

export interface IntakeOptions {
  now(): number;
  find(tabId: number, sid: string): ObservedStream | null;
  open(tabId: number, pageUrl: string, record: Extract<ObservedRecord, { t: 'open' }>): ObservedStream;
}

/** Characters a record carries: what the per-tab byte rate counts. */
function charsOf(r: ObservedRecord): number {
  switch (r.t) {
    case 'open':
      return r.url.length + r.frame.length + (r.body?.length ?? 0);
    case 'chunk':
      return r.text.length;
    case 'es-message':
      return r.data.length + r.type.length;
    default:
      return 64;
  }
}

/** Entries a record may turn into: a chunk of tiny events is many rows. */
function rowsOf(r: ObservedRecord): number {
  if (r.t !== 'chunk') return 1;
  let n = 1;
  for (let i = r.text.indexOf('\n'); i !== -1; i = r.text.indexOf('\n', i + 1)) n++;
  return Math.ceil(n / 2);
}

function scoped(checked: CheckedDrain, scope: string): CheckedDrain {
  if (scope === '') return checked;
  return {
    ...checked,
    records: checked.records.map((r) => ({ ...r, sid: scope + r.sid })),
    invalid: new Map([...checked.invalid].map(([sid, n]) => [sid === '' ? '' : scope + sid, n])),
  };
}

export function createObservedIntake(options: IntakeOptions) {
  const tabs = new Map<number, TabState>();

  function tab(tabId: number): TabState {
    let t = tabs.get(tabId);
    if (!t) {
      t = { records: BUCKET.records, chars: BUCKET.chars, refilledAt: options.now(), opened: 0, status: { tabId, accepted: 0, invalid: 0, limited: 0, hookDropped: 0 } };
      tabs.set(tabId, t);
    }
    const now = options.now();
    const s = Math.max(0, now - t.refilledAt) / 1000;
    t.records = Math.min(BUCKET.records, t.records + s * OBSERVE_RATE.records);
    t.chars = Math.min(BUCKET.chars, t.chars + s * OBSERVE_RATE.chars);
    t.refilledAt = now;
    return t;
  }

  return {
    /**
     * `scope` names the frame the drain came from (empty for the top frame), put before each
     * stream id: one frame's hook, as hostile as the page, cannot write into another frame's streams.
     */
    take(tabId: number, pageUrl: string, drain: unknown, scope = ''): ObservedIntake {
      const t = tab(tabId);
      const checked = scoped(checkDrain(drain), scope);
      t.status.hookDropped += checked.hookDropped;
      /** Per stream, records lost here (invalid or over the rate) and whether stream text was among them. */
      const lost = new Map<ObservedStream, { invalid: number; limited: number; text: boolean }>();
      const lose = (stream: ObservedStream, kind: 'invalid' | 'limited', text: boolean) => {
        const l = lost.get(stream) ?? { invalid: 0, limited: 0, text: false };
        l[kind]++;
        l.text ||= text;
        lost.set(stream, l);
      };
      for (const [sid, n] of checked.invalid) {
        const stream = sid === '' ? null : options.find(tabId, sid);
        if (stream) for (let i = 0; i < n; i++) lose(stream, 'invalid', true);
        else t.status.invalid += n;
      }
      for (const r of checked.records) {
        const rows = rowsOf(r);
        const chars = charsOf(r);
        const known = options.find(tabId, r.sid);
        if (t.records < rows || t.chars < chars || (r.t === 'open' && !known && t.opened >= MAX_OBSERVED_PER_TAB)) {
          t.status.limited++;
          if (known) lose(known, 'limited', r.t === 'chunk');
          continue;
        }
        t.records -= rows;
        t.chars -= chars;
        t.status.accepted++;
        if (known) known.add(r);
        else if (r.t === 'open') {
          t.opened++;
          options.open(tabId, pageUrl, r);
        } else t.status.invalid++;
      }
      const time = options.now();
      for (const [stream, l] of lost) {
        if (l.invalid > 0) stream.lost(l.invalid, 'they were not records a hook writes (wrong shape or too large)', l.text, time);
        if (l.limited > 0) stream.lost(l.limited, `the tab reported more than ${count(OBSERVE_RATE.records)} records or ${count(OBSERVE_RATE.chars / 1024 / 1024)} MiB a second`, l.text, time);
      }
      return { ...t.status };
    },
    forget(tabId: number): void {
      tabs.delete(tabId);
    },
  };
}
