/**
 * The panel's copy of what the background retains: connections and their entries, plus what is
 * derived once per entry on arrival (channel counts and rates, gaps in numeric ids) so that nothing
 * is recomputed per frame.
 *
 * Messages are applied in arrival order, a slice of entries at a time: after about SLICE_MS of work
 * the rest waits for the next task, so a history of 200 000 entries never holds the main thread for
 * long and the panel answers clicks while it loads. The `revision` signal changes at most once per
 * animation frame however many batches arrive in it: one render per frame, not per batch.
 */
import { signal } from '@preact/signals';
import type { EventEntry, TimelineEntry } from '../../core/timeline.js';
import type { CaptureFile } from '../../core/capture/format.js';
import { createConnectionFold, type AttemptRecord, type ConnectionFold } from '../../core/fold.js';
import { labelFor } from '../../core/config.js';
import type { Settings } from '../../core/settings.js';
import { decodeEntries, type BackgroundMessage, type ConnectionInfo } from '../../protocol/messages.js';
import { choiceFromFile, type LensChoice } from './lens-store.js';

const RATE_WINDOW_S = 10;

/** Work per task before yielding: well under the 50 ms that makes a long task, with room for a render. */
const SLICE_MS = 8;
/** Entries applied between looks at the clock. */
const SLICE_ENTRIES = 500;
/** When no frame comes (a hidden page does not paint), the revision still moves this often. */
const FRAME_FALLBACK_MS = 250;

/** Runs `fn` in a new task as soon as possible: a MessageChannel is not clamped to 4 ms like nested timeouts are. */
function nextTask(fn: () => void): void {
  if (typeof MessageChannel === 'undefined') {
    setTimeout(fn, 0);
    return;
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    fn();
  };
  channel.port2.postMessage(null);
}

export interface ChannelStat {
  count: number;
  /** When the first event of this channel arrived (epoch s): a young channel's rate is over its age, not the whole window. */
  firstSecond: number;
  /** Events per whole second (epoch s -> count), for the last RATE_WINDOW_S seconds. */
  buckets: Map<number, number>;
}

/** Attempts kept for the reconnect strip: a storm of reconnects must not grow the panel's memory. */
const MAX_SPANS = 500;

export interface ConnView {
  info: ConnectionInfo;
  entries: TimelineEntry[];
  channels: Map<string, ChannelStat>;
  /** seq of an event -> how many numeric ids are missing just before it. */
  gaps: Map<number, number>;
  lastNumericId: number | null;
  /** Bumped when entries are dropped from the front, so cached views know to start over. */
  trims: number;
  /** The entries this panel received, folded as they came: the reconnect strip's attempts, and an import's state and counts. */
  fold: ConnectionFold;
  /** The latest attempts, oldest first (the fold's); kept when their entries are trimmed. */
  attempts: readonly AttemptRecord[];
  /** The file a read-only connection was imported from; null for live ones. */
  imported: string | null;
  /** When an imported capture was written: the moment its state describes. Null for live ones. */
  capturedAt: number | null;
  /** The lens the user picked by hand (null: detected); saved in captures, so an import reopens with it. */
  lensChoice: LensChoice;
  /** Why a capture's lens was not taken (a name this version does not know). */
  lensNote: string | null;
}

export function createTimelineStore() {
  const connections = new Map<string, ConnView>();
  const revision = signal(0);
  const settings = signal<Settings | null>(null);
  const connected = signal(false);

  function view(info: ConnectionInfo): ConnView {
    let v = connections.get(info.id);
    if (!v) {
      const fold = createConnectionFold({ keepAttempts: MAX_SPANS, lastEventId: info.config.initialLastEventId ?? '' });
      v = { info, entries: [], channels: new Map(), gaps: new Map(), lastNumericId: null, trims: 0, fold, attempts: fold.attempts, imported: null, capturedAt: null, lensChoice: null, lensNote: null };
      connections.set(info.id, v);
    } else v.info = info;
    return v;
  }

  function countEvent(v: ConnView, e: EventEntry): void {
    let stat = v.channels.get(e.type);
    if (!stat) v.channels.set(e.type, (stat = { count: 0, firstSecond: Math.floor(e.time / 1000), buckets: new Map() }));
    stat.count++;
    const second = Math.floor(e.time / 1000);
    stat.buckets.set(second, (stat.buckets.get(second) ?? 0) + 1);
    if (stat.buckets.size > RATE_WINDOW_S * 2) {
      for (const s of stat.buckets.keys()) if (s <= second - RATE_WINDOW_S) stat.buckets.delete(s);
    }
    if (e.id !== null && /^\d{1,15}$/.test(e.id)) {
      const n = Number(e.id);
      if (v.lastNumericId !== null && n > v.lastNumericId + 1) v.gaps.set(e.seq, n - v.lastNumericId - 1);
      v.lastNumericId = n;
    }
  }

  function append(entries: readonly TimelineEntry[]): void {
    for (const e of entries) {
      const v = connections.get(e.connectionId);
      if (!v) continue;
      const last = v.entries.at(-1);
      // A batch can overlap what a snapshot held after a reconnect of the port: keep each seq once.
      if (last && e.seq <= last.seq) continue;
      v.entries.push(e);
      v.fold.add(e);
      if (e.kind === 'event') countEvent(v, e);
    }
  }

  function trim(connectionId: string, beforeSeq: number): void {
    const v = connections.get(connectionId);
    if (!v) return;
    let drop = 0;
    while (drop < v.entries.length && v.entries[drop]!.seq < beforeSeq) drop++;
    if (drop === 0) return;
    v.entries.splice(0, drop);
    v.trims++;
    for (const seq of v.gaps.keys()) if (seq < beforeSeq) v.gaps.delete(seq);
  }

  /** Messages not yet wholly applied, oldest first, and how many entries of the first are in. */
  const queue: BackgroundMessage[] = [];
  let applied = 0;
  let pumping = false;
  let frame: { raf: number | null; timer: ReturnType<typeof setTimeout> } | null = null;

  /** One revision bump for everything applied since the last frame. */
  function changed(): void {
    if (frame) return;
    const bump = (): void => {
      if (!frame) return;
      if (frame.raf !== null) cancelAnimationFrame(frame.raf);
      clearTimeout(frame.timer);
      frame = null;
      revision.value++;
    };
    frame = { raf: typeof requestAnimationFrame === 'undefined' ? null : requestAnimationFrame(bump), timer: setTimeout(bump, FRAME_FALLBACK_MS) };
  }

  function apply(message: BackgroundMessage): void {
    if (message.type === 'connect-result' || message.type === 'secrets') return;
    queue.push(message);
    if (!pumping) pump();
  }

  /** Applies queued messages until the queue is empty or the slice's time is up, then yields. */
  function pump(): void {
    pumping = true;
    const start = performance.now();
    while (queue.length > 0) {
      const message = queue[0]!;
      if (message.type === 'batch') {
        const { entries } = message;
        if (applied === 0) for (const info of message.connections) view(info);
        while (applied < entries.count) {
          const to = Math.min(entries.count, applied + SLICE_ENTRIES);
          append(decodeEntries(entries, applied, to));
          applied = to;
          if (applied < entries.count && performance.now() - start > SLICE_MS) {
            changed();
            nextTask(pump);
            return;
          }
        }
        // Trims may name entries of this very batch: append first, then drop.
        for (const t of message.trims) trim(t.connectionId, t.beforeSeq);
      } else applyWhole(message);
      queue.shift();
      applied = 0;
      if (queue.length > 0 && performance.now() - start > SLICE_MS) {
        changed();
        nextTask(pump);
        return;
      }
    }
    pumping = false;
    changed();
  }

  function applyWhole(message: Exclude<BackgroundMessage, { type: 'batch' }>): void {
    switch (message.type) {
      case 'snapshot': {
        // After a background restart the snapshot is the truth; entries the panel had are in it
        // because the background posts only what it has stored.
        // The history that follows is the whole truth for live connections: start them over, so
        // entries a stopped worker never stored cannot shadow the ones it writes after resuming.
        for (const [id, v] of [...connections]) if (v.imported === null) connections.delete(id);
        for (const info of message.connections) view(info);
        settings.value = message.settings;
        break;
      }
      case 'removed':
        connections.delete(message.connectionId);
        break;
      case 'settings':
        settings.value = message.settings;
        break;
      case 'connect-result':
      case 'secrets':
      case 'observed-intake':
        break;
    }
  }

  /**
   * Shows a capture's connections read-only, exactly as captured. An id already in use gets a
   * suffix, and its entries follow, so nothing imported can touch a live connection. State and
   * counts come from the entries through the same fold the background uses, so a connection
   * exported while open imports as it was shown then.
   */
  function addCapture(capture: CaptureFile, source: string): string[] {
    const ids: string[] = [];
    const written = Date.parse(capture.createdAt);
    for (const c of capture.connections) {
      let id = c.id;
      for (let n = 2; connections.has(id); n++) id = `${c.id} (${n})`;
      const entries = id === c.id ? c.entries : c.entries.map((e) => ({ ...e, connectionId: id }));
      const v = view({
        id,
        label: `${labelFor(c.config)} · ${source}`,
        config: c.config,
        state: { phase: 'closed', why: 'no attempt was made', since: 0 },
        stats: { events: 0, bytes: 0, attempts: 0, lastEventId: '' },
        createdAt: entries[0]?.time ?? Date.now(),
        faults: [],
        ...(c.observed ? { observed: c.observed } : {}),
      });
      v.imported = source;
      ({ choice: v.lensChoice, note: v.lensNote } = choiceFromFile(c.lens));
      append(entries);
      v.info = { ...v.info, state: v.fold.state, stats: { ...v.fold.stats } };
      v.capturedAt = Number.isFinite(written) ? written : (entries.at(-1)?.time ?? 0);
      ids.push(id);
    }
    revision.value++;
    return ids;
  }

  function removeImported(id: string): void {
    if (connections.get(id)?.imported === null) return;
    connections.delete(id);
    revision.value++;
  }

  function rate(stat: ChannelStat, nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    let n = 0;
    // Whole seconds before the current one: a partial second would read low.
    const from = Math.max(now - RATE_WINDOW_S, stat.firstSecond);
    const seconds = Math.min(RATE_WINDOW_S, now - from);
    // Counted by a small integer, never by the time itself: past 2^53 `s++` no longer changes a
    // float second, and a loop over seconds never ended (a capture's time hung the panel).
    for (let k = 0; k < seconds; k++) n += stat.buckets.get(from + k) ?? 0;
    return seconds > 0 ? n / seconds : 0;
  }

  return {
    connections,
    revision,
    settings,
    connected,
    apply,
    addCapture,
    removeImported,
    rate,
    /** Connections in the order they were created. */
    list(): ConnView[] {
      return [...connections.values()].sort((a, b) => a.info.createdAt - b.info.createdAt);
    },
  };
}

export type TimelineStore = ReturnType<typeof createTimelineStore>;
