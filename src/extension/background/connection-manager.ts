/**
 * Owns every connection by id: runs the engine for each, retains its timeline under a cap, and
 * restores and resumes connections after the background context was stopped. Knows nothing about
 * ports or browsers: it reports to a Sink (the port hub) and stores through Persistence.
 */
import { labelFor, validateConfig, type ConnectionConfig, type FieldError } from '../../core/config.js';
import { createConnection, type Connection, type EngineDeps, type ResumePoint, type ResumeSeed } from '../../core/engine.js';
import { maskHeaders, maskHeaderValue, maskUrl, REDACTED } from '../../core/secrets.js';
import { validateFault, type Fault, type FaultKind } from '../../core/faults.js';
import { createConnectionFold, type ConnectionFold } from '../../core/fold.js';
import type { EntryBody, TimelineEntry } from '../../core/timeline.js';
import { DEFAULT_SETTINGS, estimateEntryBytes, RETENTION_BYTES, type Settings } from '../../core/settings.js';
import type { ConnectionInfo, ObservedIntake } from '../../protocol/messages.js';
import { createObservedStream, observedRequest, type ObservedOrigin, type ObservedStream } from '../../core/observe/observed-stream.js';
import { createObservedIntake } from './observed-intake.js';
import type { ObservedMode } from '../../protocol/observed.js';
import type { Persistence, Secrets, StoredConnection } from './persistence.js';

/** Where the manager reports what happened; the port hub batches it to panels and to storage. */
export interface Sink {
  /**
   * A new entry and its estimated size (estimateEntryBytes, worked out once per entry by the
   * manager); its connection counts as changed too (its record moves with its entries).
   */
  entry(entry: TimelineEntry, size: number): void;
  changed(connectionId: string): void;
  trimmed(connectionId: string, beforeSeq: number): void;
  removed(connectionId: string): void;
  /** Null when the sink can take more entries now; else resolves when it can (engines stop reading meanwhile). */
  room(): Promise<void> | null;
}

/**
 * What is retained of a connection, without the entries themselves (they are in storage, or on
 * their way there in the port hub's backlog): retained seqs run on without a gap from `firstSeq`,
 * and each one's estimated bytes sit in a typed array (4 bytes an entry, nothing for the garbage
 * collector to trace), so the caps trim exactly where they did when the entries were kept.
 */
interface Retained {
  firstSeq: number;
  count: number;
  bytes: number;
  /** Estimated bytes of the retained entries, oldest first, from `head`. */
  sizes: Uint32Array;
  head: number;
}

/** One connection the manager owns: its settings, what it retains, the engine while one runs. */
interface OwnedConnection {
  id: string;
  label: string;
  createdAt: number;
  /** Secrets masked: safe to send to panels and to store. */
  config: ConnectionConfig;
  secrets: Secrets;
  /** The latest engine, kept after it closed for its last event id and retry: a reconnect goes on from them. */
  engine: Connection | null;
  /** The latest entries' count and weight (estimateEntryBytes), within the retention cap and the byte budget. */
  retained: Retained;
  /** The seq and attempt of the latest entry: a row of the manager's own, or a resumed engine, numbers after it. */
  lastSeq: number;
  lastAttempt: number;
  /** Every entry ever appended, trimmed or not: the counts stay the totals the user saw. */
  fold: ConnectionFold;
  /** The browser restarted and took the secret values with it: only the form can supply them again. */
  secretsLost: boolean;
  /**
   * A stream the inspected page opened, seen by a hook in the page: read-only, no engine. Its
   * fold is gone after a restart of the background (the page's later records are not followed).
   */
  /** `bodyCut`: the page's request body was reported only in part (Open in lab says so). */
  observed: { origin: ObservedOrigin; stream: ObservedStream | null; bodyCut?: boolean; openedAt?: number } | null;
}

export interface ManagerOptions {
  persistence: Persistence;
  sink: Sink;
  settings?: Settings;
  /** The byte budget per connection; RETENTION_BYTES unless a test wants a small one. */
  maxBytesPerConnection?: number;
  engineDeps?: Partial<EngineDeps>;
  now?: () => number;
  newId?: () => string;
  /**
   * A page's hook saw the page cancel the reader of a fetch stream: the request's URL and when the
   * page opened it (its clock). Firefox's complete capture disconnects that request's filter, with
   * which Firefox would keep the connection open.
   */
  onPageCancel?(tabId: number, url: string, openedAt: number): void;
}

export interface ConnectionManager {
  restore(): Promise<void>;
  open(config: ConnectionConfig): { id: string; errors: [] } | { id: null; errors: FieldError[] };
  disconnect(id: string): void;
  reconnect(id: string): void;
  remove(id: string): void;
  inject(id: string, fault: Fault): string | null;
  stopFault(id: string, kind: FaultKind): void;
  /** The unmasked URL and headers, for a panel the user asked to reveal them in. */
  secrets(id: string): (Secrets & { bodyCut: boolean }) | null;
  /**
   * A drain of a page's hook, as the panel of the inspected tab forwarded it: hostile input,
   * checked record by record and rate-limited per tab. Never throws.
   */
  /**
   * `mode`: which source reported it (hook by default); `cut`: what the panel cut from the drain, per
   * stream id; `scope`: the frame the drain came from, empty for the top frame (observed-intake.ts).
   */
  observe(tabId: number, pageUrl: string, drain: unknown, from?: { mode?: ObservedMode; cut?: unknown; scope?: string; doc?: number }): ObservedIntake;
  /**
   * A hook's document in a frame of the tab (`scope`: '' for the top frame, as in `observe`) is `doc`
   * now: its `since`, or null when the frame's document has no hook. The streams of the documents
   * before it end, as the browser ended them with their document.
   */
  observedDocument(tabId: number, scope: string, doc: number | null): void;
  /** The tab's iframes now, by scope: the streams of iframes no longer there end. */
  observedFrames(tabId: number, present: ReadonlySet<string>): void;
  /** A source stopped reporting a tab's streams: those still open say so, and take no more records. */
  forgetObserved(tabId: number, mode: ObservedMode, why: string): void;
  /** The tab is gone: its per-tab state goes, and its streams still open say so and take no more records. */
  tabClosed(tabId: number): void;
  setSettings(settings: Settings): void;
  readonly settings: Settings;
  info(id: string): ConnectionInfo | null;
  stored(id: string): StoredConnection | null;
  snapshot(): { connections: ConnectionInfo[] };
  hasActive(): boolean;
}

function maskConfig(config: ConnectionConfig): ConnectionConfig {
  const body = config.secretBody && config.body !== null && config.body !== '' ? REDACTED : config.body;
  return { ...config, url: maskUrl(config.url), headers: maskHeaders(config.headers, config.secretHeaders), body, reconnect: { ...config.reconnect } };
}

function unmask(config: ConnectionConfig, secrets: Secrets): ConnectionConfig {
  return { ...config, url: secrets.url, headers: secrets.headers.map(([n, v]) => [n, v]), body: secrets.body === undefined ? config.body : secrets.body };
}

const hasMask = (config: ConnectionConfig) =>
  config.url.includes(REDACTED) || config.headers.some(([, v]) => v.includes(REDACTED)) || (config.secretBody && config.body === REDACTED);

let counter = 0;
const defaultId = () => `c${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
/** Observed connections' ids never meet the lab's. */
const observedId = (tabId: number) => `o-${tabId}-${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function createConnectionManager(options: ManagerOptions): ConnectionManager {
  const { persistence, sink } = options;
  const now = options.now ?? (() => Date.now());
  const newId = options.newId ?? defaultId;
  let settings: Settings = options.settings ?? DEFAULT_SETTINGS;
  const maxBytes = options.maxBytesPerConnection ?? RETENTION_BYTES;
  const connections = new Map<string, OwnedConnection>();

  const emptyRetained = (firstSeq: number): Retained => ({ firstSeq, count: 0, bytes: 0, sizes: new Uint32Array(64), head: 0 });

  function retain(r: Retained, size: number): void {
    if (r.head + r.count === r.sizes.length) {
      if (r.count <= r.sizes.length / 2) r.sizes.copyWithin(0, r.head, r.head + r.count);
      else {
        const grown = new Uint32Array(r.sizes.length * 2);
        grown.set(r.sizes.subarray(r.head, r.head + r.count));
        r.sizes = grown;
      }
      r.head = 0;
    }
    r.sizes[r.head + r.count] = size;
    r.count++;
    r.bytes += size;
  }

  function onEntry(m: OwnedConnection, e: TimelineEntry): void {
    const r = m.retained;
    if (r.count === 0) r.firstSeq = e.seq;
    const size = estimateEntryBytes(e);
    retain(r, size);
    m.lastSeq = e.seq;
    m.lastAttempt = e.attempt;
    m.fold.add(e);
    sink.entry(e, size);
    if (r.count > settings.maxEntriesPerConnection || r.bytes > maxBytes) trim(m);
  }

  /**
   * Drops the oldest tenth at once (of the entry cap, or of the byte budget, whichever was passed),
   * so a full store trims rarely rather than on every entry; the fold keeps the totals. The entries
   * themselves are dropped by storage (a range delete) and by each panel, told by the trim.
   */
  function trim(m: OwnedConnection): void {
    const r = m.retained;
    const cap = settings.maxEntriesPerConnection;
    const overCount = r.count > cap;
    const overBytes = r.bytes > maxBytes;
    let drop = overCount ? r.count - cap + Math.max(1, Math.floor(cap / 10)) : 0;
    let dropped = 0;
    for (let i = 0; i < drop; i++) dropped += r.sizes[r.head + i]!;
    if (overBytes) {
      const target = maxBytes - Math.floor(maxBytes / 10);
      while (drop < r.count && r.bytes - dropped > target) dropped += r.sizes[r.head + drop++]!;
    }
    r.head += drop;
    const beforeSeq = r.firstSeq + drop;
    r.firstSeq = beforeSeq;
    r.count -= drop;
    r.bytes -= dropped;
    sink.trimmed(m.id, beforeSeq);
    const mib = (n: number) => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024).toLocaleString('en-US')} MiB` : `${Math.round(n / 1024).toLocaleString('en-US')} KiB`);
    const which = [overCount ? `the retention cap of ${cap.toLocaleString('en-US')} entries` : '', overBytes ? `the budget of ${mib(maxBytes)} of entries` : '']
      .filter(Boolean)
      .join(' and ');
    const detail = `${which} per connection was reached; the oldest ${drop.toLocaleString('en-US')} were dropped`;
    append(m, { kind: 'entries-dropped', count: drop, detail });
  }

  /**
   * An entry the manager, not the stream, knows about, numbered after the last one. A running
   * engine numbers it (its next seq is ours too); otherwise no engine will write again until a new
   * one resumes after the last entry, so numbering it here cannot collide.
   */
  function append(m: OwnedConnection, body: EntryBody): void {
    if (m.engine && m.engine.state.phase !== 'closed') {
      m.engine.note(body);
      return;
    }
    // An observed stream numbers its own entries: ours go in its sequence, never beside it.
    if (m.observed?.stream) {
      m.observed.stream.note(body, now());
      return;
    }
    onEntry(m, { connectionId: m.id, attempt: m.lastAttempt, seq: m.lastSeq + 1, time: now(), ...body });
  }

  function resumePoint(m: OwnedConnection): ResumePoint {
    return {
      lastEventId: m.engine?.lastEventId ?? m.fold.stats.lastEventId,
      retryMs: m.engine?.retryMs ?? null,
      nextAttempt: m.lastAttempt + 1,
      nextSeq: m.lastSeq + 1,
    };
  }

  /** A resumed engine, after a worker restart or a reconnect, goes on with the connection's own cookies. */
  function startEngine(m: OwnedConnection, resume?: ResumePoint): Connection {
    const seed: ResumeSeed | undefined = resume && { ...resume, cookies: m.secrets.cookies ?? [] };
    const engine = createConnection({
      id: m.id,
      config: unmask(m.config, m.secrets),
      onEntry: (e) => onEntry(m, e),
      onState: () => sink.changed(m.id),
      // With the secrets, in session storage: a stopped worker's successor resumes with them.
      onCookies: (cookies) => {
        if (connections.get(m.id) !== m) return;
        m.secrets = { ...m.secrets, cookies };
        void persistence.saveSecrets(m.id, m.secrets);
      },
      deps: options.engineDeps,
      resume: seed,
      room: () => sink.room(),
    });
    m.engine = engine;
    return engine;
  }

  function info(m: OwnedConnection): ConnectionInfo {
    // A token-expiry simulation's values are secrets whatever the header is called: they stay in the engine's memory.
    const faults = (m.engine?.faults ?? []).map((f): Fault => (f.kind === 'token-expiry' ? { ...f, headers: f.headers.map(([n, v]) => [n, maskHeaderValue(n, v)]) } : f));
    // State from the entries, as a capture of them says it: live and imported cannot disagree.
    const base = { id: m.id, label: m.label, config: m.config, state: m.fold.state, stats: { ...m.fold.stats }, createdAt: m.createdAt, faults };
    return m.observed ? { ...base, observed: m.observed.origin } : base;
  }

  /**
   * The observed streams by mode, tab and stream id, while their folds live. The mode is part of
   * the key so that a page's hook, which names its own stream ids, can never feed records into a
   * stream the complete capture reports (nor the other way round); each mode has its own intake,
   * so its own rate budget, too.
   */
  const observedBySid = new Map<string, OwnedConnection>();
  /** A new connection from its request, secrets included: the lab's from the form, an observed one from the page's request. */
  function freshConnection(id: string, request: ConnectionConfig, observed: OwnedConnection['observed']): OwnedConnection {
    return {
      id,
      // From the masked URL: a label is shown and stored, a token in the query must not be.
      label: labelFor({ method: request.method, url: maskUrl(request.url) }),
      createdAt: now(),
      config: maskConfig(request),
      secrets: { url: request.url, headers: request.headers.map(([n, v]) => [n, v]), body: request.body },
      engine: null,
      retained: emptyRetained(1),
      lastSeq: 0,
      lastAttempt: 0,
      // Panels and captures keep attempts; here they would only grow with every reconnect.
      fold: createConnectionFold({ lastEventId: request.initialLastEventId ?? '', keepAttempts: 0 }),
      secretsLost: false,
      observed,
    };
  }

  const intakeFor = (mode: ObservedMode) =>
    createObservedIntake({
      now,
      find: (tabId, sid) => observedBySid.get(`${mode}:${tabId}:${sid}`)?.observed?.stream ?? null,
      open: (tabId, pageUrl, record) => {
        const id = observedId(tabId);
        const request = observedRequest(record);
        const m = freshConnection(id, request, {
          origin: { api: record.api, mode, tabId, pageUrl: maskUrl(pageUrl), frameUrl: maskUrl(record.frame), withCredentials: record.withCredentials },
          stream: null,
          bodyCut: record.bodyCut,
          openedAt: record.time,
        });
        connections.set(id, m);
        if (hasMask(m.config)) void persistence.saveSecrets(id, m.secrets);
        const stream = createObservedStream({ connectionId: id, open: record, mode, onEntry: (e) => onEntry(m, e) });
        m.observed!.stream = stream;
        observedBySid.set(`${mode}:${tabId}:${record.sid}`, m);
        sink.changed(id);
        return stream;
      },
      gone: (tabId, sid, what, why) => observedBySid.get(`${mode}:${tabId}:${sid}`)?.observed?.stream?.gone(what, why, now()),
      cancelled: (tabId, sid) => {
        const m = observedBySid.get(`${mode}:${tabId}:${sid}`);
        if (mode === 'hook' && m?.observed?.origin.api === 'fetch') options.onPageCancel?.(tabId, m.secrets.url, m.observed.openedAt ?? 0);
      },
    });
  const intakes = { hook: intakeFor('hook'), complete: intakeFor('complete') };


  return {
    get settings() {
      return settings;
    },

    async restore() {
      const stored = await persistence.loadConnections();
      for (const s of stored) {
        const secrets = await persistence.loadSecrets(s.id);
        // The record and the entries are written in one transaction: its totals count every stored
        // entry (dropped ones too) and it resumes right after the last; the entries, fed again,
        // give the state and attempts, and what is retained. They are read a chunk at a time and
        // not kept: storage has them, and a panel reads them from there.
        const fold = createConnectionFold({ resume: { stats: s.stats, throughSeq: s.resume.nextSeq - 1 }, keepAttempts: 0 });
        const retained = emptyRetained(s.resume.nextSeq);
        let lastSeq = s.resume.nextSeq - 1;
        let lastAttempt = s.resume.nextAttempt - 1;
        await persistence.readHistory(s.id, 0, (chunk) => {
          for (const e of chunk) {
            if (retained.count === 0) retained.firstSeq = e.seq;
            retain(retained, estimateEntryBytes(e));
            fold.add(e);
            lastSeq = e.seq;
            lastAttempt = e.attempt;
          }
        });
        const m: OwnedConnection = {
          id: s.id,
          label: s.label,
          createdAt: s.createdAt,
          config: s.config,
          secrets: secrets ?? { url: s.config.url, headers: s.config.headers, body: s.config.body },
          engine: null,
          retained,
          lastSeq,
          lastAttempt,
          fold,
          secretsLost: secrets === null && hasMask(s.config),
          observed: s.observed ? { origin: s.observed, stream: null } : null,
        };
        connections.set(m.id, m);
        if (!s.active) {
          // Stopped connections end with a stopped entry; one whose stop was never stored says so now.
          if (fold.state.phase !== 'closed') append(m, { kind: 'stopped', why: 'stopped when the background was restarted' });
          continue;
        }
        if (m.secretsLost) {
          append(m, { kind: 'worker-restarted', detail: 'the browser restarted; secret header values are kept only for the browser session, so the connection was not resumed. Reconnect it from the form.' });
          append(m, { kind: 'stopped', why: 'not resumed after a browser restart: secret values were not kept' });
          continue;
        }
        const lastEventId = fold.stats.lastEventId;
        const lastId = lastEventId === '' ? 'no Last-Event-ID' : `Last-Event-ID ${lastEventId}`;
        append(m, { kind: 'worker-restarted', detail: `the background was stopped and restarted (Chrome stops idle service workers; also after a crash or update); resuming with ${lastId}` });
        startEngine(m, { ...resumePoint(m), retryMs: s.resume.retryMs }).start();
      }
    },

    open(config) {
      const errors = validateConfig(config);
      if (errors.length > 0) return { id: null, errors };
      const id = newId();
      const m = freshConnection(id, config, null);
      connections.set(id, m);
      if (hasMask(m.config)) void persistence.saveSecrets(id, m.secrets);
      startEngine(m).start();
      sink.changed(id);
      return { id, errors: [] };
    },

    // Observed connections are the page's: read-only, they have no engine to close, restart or fault.
    disconnect(id) {
      connections.get(id)?.engine?.close();
    },

    reconnect(id) {
      const m = connections.get(id);
      if (!m || m.observed || (m.engine && m.engine.state.phase !== 'closed')) return;
      if (m.secretsLost) {
        // Reconnecting would send the literal "[redacted]" as the token.
        append(m, { kind: 'stopped', why: 'cannot reconnect: the secret header values were lost when the browser restarted; connect again from the form' });
        return;
      }
      startEngine(m, resumePoint(m)).start();
      sink.changed(id);
    },

    remove(id) {
      const m = connections.get(id);
      if (!m) return;
      m.engine?.close();
      connections.delete(id);
      for (const [key, o] of observedBySid) if (o === m) observedBySid.delete(key);
      if (m.observed) intakes[m.observed.origin.mode].released(m.observed.origin.tabId);
      void persistence.removeSecrets(id);
      sink.removed(id);
    },

    inject(id, fault) {
      const m = connections.get(id);
      if (m?.observed) return 'an observed connection belongs to the page: open it in the lab to simulate failures';
      if (!m?.engine || m.engine.state.phase === 'closed') return 'the connection is not running';
      const problem = validateFault(fault) ?? m.engine.inject(fault);
      if (problem) return problem;
      sink.changed(id);
      return null;
    },

    stopFault(id, kind) {
      const m = connections.get(id);
      m?.engine?.stopFault(kind);
      sink.changed(id);
    },

    secrets(id) {
      const m = connections.get(id);
      return m ? { url: m.secrets.url, headers: m.secrets.headers.map(([n, v]) => [n, v]), body: m.secrets.body ?? m.config.body, bodyCut: m.observed?.bodyCut === true } : null;
    },

    observe(tabId, pageUrl, drain, { mode = 'hook', cut, scope = '', doc } = {}) {
      return intakes[mode].take(tabId, pageUrl, drain, cut, scope, doc);
    },

    observedDocument(tabId, scope, doc) {
      intakes.hook.document(tabId, scope, doc);
    },

    observedFrames(tabId, present) {
      intakes.hook.frames(tabId, present);
    },

    forgetObserved(tabId, mode, why) {
      const prefix = `${mode}:${tabId}:`;
      for (const [key, m] of observedBySid) {
        if (!key.startsWith(prefix)) continue;
        observedBySid.delete(key);
        const stream = m.observed?.stream;
        if (stream && !stream.stopped) stream.note({ kind: 'stopped', why }, now());
      }
    },

    tabClosed(tabId) {
      for (const intake of Object.values(intakes)) intake.forget(tabId);
      for (const [key, m] of observedBySid) {
        if (m.observed?.origin.tabId !== tabId) continue;
        observedBySid.delete(key);
        m.observed.stream?.gone('the tab was closed', 'the tab was closed, and its streams with it', now());
      }
    },

    setSettings(next) {
      settings = next;
      for (const m of connections.values()) if (m.retained.count > settings.maxEntriesPerConnection || m.retained.bytes > maxBytes) trim(m);
    },

    info(id) {
      const m = connections.get(id);
      return m ? info(m) : null;
    },

    stored(id) {
      const m = connections.get(id);
      if (!m) return null;
      return {
        id: m.id,
        label: m.label,
        createdAt: m.createdAt,
        config: m.config,
        active: m.engine !== null && m.engine.state.phase !== 'closed',
        resume: resumePoint(m),
        stats: { ...m.fold.stats },
        ...(m.observed ? { observed: m.observed.origin } : {}),
      };
    },

    snapshot() {
      return { connections: [...connections.values()].map(info) };
    },

    hasActive() {
      for (const m of connections.values()) if (m.engine && m.engine.state.phase !== 'closed') return true;
      return false;
    },
  };
}
