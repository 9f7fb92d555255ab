/**
 * Where what a page's hook reports enters the background: the only door the page has, and it
 * leads to "observed data for this tab" and nothing else. Each drain is checked record by record
 * (src/core/observe/records.ts) and rate-limited per tab, so a page that floods costs a bounded
 * amount of work; nothing is dropped silently: a stream that lost records gets a row saying how
 * many and why, and the panel's status line counts what belonged to no known stream.
 */
import { checkDrain, MAX_DRAIN_CHARS, type CheckedDrain } from '../../core/observe/records.js';
import type { ObservedStream } from '../../core/observe/observed-stream.js';
import { count } from '../../core/limits.js';
import type { ObservedIntake } from '../../protocol/messages.js';
import type { ObservedRecord } from '../../protocol/observed.js';
import { createDocumentBook } from './observed-documents.js';

/** What a tab may report per second, sustained; bursts up to the bucket's size pass. */
const OBSERVE_RATE = { records: 20_000, chars: 4 * 1024 * 1024 } as const;
/** A burst: two seconds of records, and room for one event of the largest size a capture holds. */
const BUCKET = { records: 2 * OBSERVE_RATE.records, chars: 20 * 1024 * 1024 } as const;
/** Observed rows one tab may have at once (reload after reload, they add up): past it, new streams are counted, not followed. */
const MAX_OBSERVED_PER_TAB = 500;

interface TabState {
  records: number;
  chars: number;
  refilledAt: number;
  /** Rows this tab's streams made that are still there (the user removes rows; `released`). */
  opened: number;
  /** The page the counts in `status` are about: another page in the tab is counted afresh. */
  pageUrl: string;
  status: ObservedIntake;
}

export interface IntakeOptions {
  now(): number;
  find(tabId: number, sid: string): ObservedStream | null;
  open(tabId: number, pageUrl: string, record: Extract<ObservedRecord, { t: 'open' }>): ObservedStream;
  /** The page cancelled a stream it was reading (an `end` of reason cancel reached a known stream). */
  cancelled?(tabId: number, sid: string): void;
  /** The document that opened the stream is gone (observed-documents.ts): `what` says how, `why` the whole of it; the stream ends. */
  gone?(tabId: number, sid: string, what: string, why: string): void;
}

/** How a document went, for its streams' ends. */
const GONE = {
  page: 'the page navigated away or was reloaded',
  frame: 'its iframe navigated away or was reloaded',
  removed: 'its iframe went away (removed, or its page navigated away)',
} as const;
/** Why those streams have no end of their own: the hook went with the document. */
const HOOK_WENT = 'its streams ended with it, and so did its hook, which could not see how this one ended';

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

/** A cut list as the panel sends it, bounded whatever arrives. */
function checkCut(value: unknown): [string, number][] {
  if (!Array.isArray(value)) return [];
  const out: [string, number][] = [];
  for (const item of value.slice(0, 1001) as unknown[]) {
    if (!Array.isArray(item)) continue;
    const [sid, n] = item as unknown[];
    if (typeof sid === 'string' && sid.length <= 200 && typeof n === 'number' && Number.isSafeInteger(n) && n > 0) out.push([sid, n]);
  }
  return out;
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
  const documents = createDocumentBook();
  const end = (tabId: number, sids: string[], what: string) => {
    for (const sid of sids) options.gone?.(tabId, sid, what, `${what}: ${HOOK_WENT}`);
  };
  /** The document in `scope` is `doc` now (a hook's `since`, null: no hook there): the streams of those before it end. */
  const goneWhy = (scope: string) => GONE[scope === '' ? 'page' : 'frame'];
  const seen = (tabId: number, scope: string, doc: number | null) => end(tabId, documents.seen(tabId, scope, doc), goneWhy(scope));

  const freshStatus = (tabId: number): ObservedIntake => ({ tabId, accepted: 0, invalid: 0, limited: 0, hookDropped: 0, cut: 0 });

  function tab(tabId: number, pageUrl: string): TabState {
    let t = tabs.get(tabId);
    if (!t) {
      t = { records: BUCKET.records, chars: BUCKET.chars, refilledAt: options.now(), opened: 0, pageUrl, status: freshStatus(tabId) };
      tabs.set(tabId, t);
    }
    // Only what the panel shows starts afresh: the rate and the row cap hold across pages, which
    // the page itself can change at will (pushState).
    if (t.pageUrl !== pageUrl) {
      t.pageUrl = pageUrl;
      t.status = freshStatus(tabId);
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
     * `cut`: what the panel cut from this drain, per stream id (our panel's word, on the page's ids:
     * checked like the rest). `scope` names the frame the drain came from (empty for the top frame),
     * put before each stream id: one frame's hook, as hostile as the page, cannot write into another
     * frame's streams. `doc`: the document the drain came from (a hook's `since`), when known: its
     * streams end when it goes (observed-documents.ts).
     */
    take(tabId: number, pageUrl: string, drain: unknown, cut: unknown = [], scope = '', doc?: number): ObservedIntake {
      if (doc !== undefined) seen(tabId, scope, doc);
      const t = tab(tabId, pageUrl);
      const checked = scoped(checkDrain(drain), scope);
      t.status.hookDropped += checked.hookDropped;
      /** Per stream, records lost here (invalid or over the rate) and whether stream text was among them. */
      const lost = new Map<ObservedStream, { invalid: number; limited: number; cut: number; text: boolean }>();
      const lose = (stream: ObservedStream, kind: 'invalid' | 'limited' | 'cut', text: boolean, n = 1) => {
        const l = lost.get(stream) ?? { invalid: 0, limited: 0, cut: 0, text: false };
        l[kind] += n;
        l.text ||= text;
        lost.set(stream, l);
      };
      // Already scoped to the frame, as the records are.
      for (const [sid, n] of checked.invalid) {
        const stream = sid === '' ? null : options.find(tabId, sid);
        if (stream) lose(stream, 'invalid', true, n);
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
        if (known) {
          known.add(r);
          if (r.t === 'end' && r.reason === 'cancel') options.cancelled?.(tabId, r.sid);
          if (known.stopped && doc !== undefined) documents.closed(tabId, scope, r.sid);
        } else if (r.t === 'open') {
          t.opened++;
          options.open(tabId, pageUrl, r);
          const late = doc === undefined ? null : documents.opened(tabId, scope, doc, r.sid);
          if (late !== null) end(tabId, [r.sid], late === 'removed' ? GONE.removed : goneWhy(scope));
        } else t.status.invalid++;
      }
      for (const [sid, n] of checkCut(cut)) {
        const stream = sid === '' ? null : options.find(tabId, scope + sid);
        if (stream) lose(stream, 'cut', true, n);
        else t.status.cut += n;
      }
      const time = options.now();
      for (const [stream, l] of lost) {
        if (l.cut > 0) {
          t.status.cut += l.cut;
          stream.lost(l.cut, `cut by the panel: one poll of the page returned more than ${count(MAX_DRAIN_CHARS / 1024 / 1024)} MiB, more than it forwards at once`, l.text, time);
        }
        if (l.invalid > 0) stream.lost(l.invalid, 'they were not records a hook writes (wrong shape or too large)', l.text, time);
        if (l.limited > 0) stream.lost(l.limited, `the tab reported more than ${count(OBSERVE_RATE.records)} records or ${count(OBSERVE_RATE.chars / 1024 / 1024)} MiB a second`, l.text, time);
      }
      return { ...t.status };
    },
    /** A row this tab's stream made was removed: room for another. */
    released(tabId: number): void {
      const t = tabs.get(tabId);
      if (t && t.opened > 0) t.opened--;
    },
    /** The document in `scope` of the tab is `doc` now (a hook's `since`; null: the frame has no hook, so its document is new). */
    document(tabId: number, scope: string, doc: number | null): void {
      seen(tabId, scope, doc);
    },
    /** The iframes the tab has now, by scope: the documents of the others are gone. */
    frames(tabId: number, present: ReadonlySet<string>): void {
      end(tabId, documents.frames(tabId, present), GONE.removed);
    },
    /** The tab closed: nothing of it is kept. */
    forget(tabId: number): void {
      tabs.delete(tabId);
      documents.forget(tabId);
    },
  };
}
