/**
 * Owns every connection by id: runs the engine for each, retains its timeline under a cap, and
 * restores and resumes connections after the background context was stopped. Knows nothing about
 * ports or browsers: it reports to a Sink (the port hub) and stores through Persistence.
 */
import { labelFor, validateConfig, type ConnectionConfig, type FieldError } from '../../core/config.js';
import { createConnection, type Connection, type EngineDeps, type ResumePoint } from '../../core/engine.js';
import { maskHeaders, maskHeaderValue, maskUrl, REDACTED } from '../../core/secrets.js';
import { validateFault, type Fault, type FaultKind } from '../../core/faults.js';
import type { ConnectionState, TimelineEntry } from '../../core/timeline.js';
import { DEFAULT_SETTINGS, type Settings } from '../../core/settings.js';
import type { ConnectionInfo, ConnectionStats } from '../../protocol/messages.js';
import type { Persistence, Secrets, StoredConnection } from './persistence.js';

/** Where the manager reports what happened; the port hub batches it to panels and to storage. */
export interface Sink {
  entry(entry: TimelineEntry): void;
  changed(connectionId: string): void;
  trimmed(connectionId: string, beforeSeq: number): void;
  removed(connectionId: string): void;
  /** Null when the sink can take more entries now; else resolves when it can (engines stop reading meanwhile). */
  room(): Promise<void> | null;
}

interface Managed {
  id: string;
  label: string;
  createdAt: number;
  /** Secrets masked: safe to send to panels and to store. */
  config: ConnectionConfig;
  secrets: Secrets;
  engine: Connection | null;
  entries: TimelineEntry[];
  stats: ConnectionStats;
  /** Bytes counted by earlier engine instances (before a restart or a reconnect by the user). */
  bytesBefore: number;
  /** The browser restarted and took the secret values with it: only the form can supply them again. */
  secretsLost: boolean;
}

export interface ManagerOptions {
  persistence: Persistence;
  sink: Sink;
  settings?: Settings;
  engineDeps?: Partial<EngineDeps>;
  now?: () => number;
  newId?: () => string;
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
  secrets(id: string): Secrets | null;
  setSettings(settings: Settings): void;
  readonly settings: Settings;
  info(id: string): ConnectionInfo | null;
  stored(id: string): StoredConnection | null;
  snapshot(): { connections: ConnectionInfo[]; entries: TimelineEntry[] };
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

export function createConnectionManager(options: ManagerOptions): ConnectionManager {
  const { persistence, sink } = options;
  const now = options.now ?? (() => Date.now());
  const newId = options.newId ?? defaultId;
  let settings: Settings = options.settings ?? DEFAULT_SETTINGS;
  const connections = new Map<string, Managed>();

  function onEntry(m: Managed, e: TimelineEntry): void {
    m.entries.push(e);
    if (e.kind === 'event') m.stats.events++;
    else if (e.kind === 'attempt-started') m.stats.attempts++;
    sink.entry(e);
    sink.changed(m.id);
    if (m.entries.length > settings.maxEntriesPerConnection) trim(m);
  }

  /** Drops the oldest tenth at once, so a full store trims rarely rather than on every entry. */
  function trim(m: Managed): void {
    const cap = settings.maxEntriesPerConnection;
    const drop = m.entries.length - cap + Math.max(1, Math.floor(cap / 10));
    const beforeSeq = m.entries[drop]?.seq ?? (m.entries.at(-1)?.seq ?? 0) + 1;
    m.entries.splice(0, drop);
    sink.trimmed(m.id, beforeSeq);
    const detail = `the retention cap of ${cap.toLocaleString('en-US')} entries per connection was reached; the oldest ${drop.toLocaleString('en-US')} were dropped`;
    if (m.engine) {
      m.engine.note({ kind: 'entries-dropped', count: drop, detail });
      return;
    }
    // A restored connection that is not running has no engine to number the entry: do it here.
    const last = m.entries.at(-1);
    onEntry(m, { connectionId: m.id, attempt: last?.attempt ?? 0, seq: (last?.seq ?? 0) + 1, time: now(), kind: 'entries-dropped', count: drop, detail });
  }

  function resumePoint(m: Managed): ResumePoint {
    const last = m.entries.at(-1);
    return {
      lastEventId: m.engine?.lastEventId ?? m.stats.lastEventId,
      retryMs: m.engine?.retryMs ?? null,
      nextAttempt: (last?.attempt ?? 0) + 1,
      nextSeq: (last?.seq ?? 0) + 1,
    };
  }

  function startEngine(m: Managed, resume?: ResumePoint): Connection {
    if (m.engine) m.bytesBefore += m.engine.bytesReceived;
    const engine = createConnection({
      id: m.id,
      config: unmask(m.config, m.secrets),
      onEntry: (e) => {
        if (e.kind === 'event') m.stats.lastEventId = e.lastEventId;
        m.stats.bytes = m.bytesBefore + (m.engine === engine ? engine.bytesReceived : 0);
        onEntry(m, e);
      },
      onState: () => sink.changed(m.id),
      deps: options.engineDeps,
      resume,
      room: () => sink.room(),
    });
    m.engine = engine;
    return engine;
  }

  /** A restored connection that was not running says why it stopped, as its timeline does. */
  function restoredState(m: Managed): ConnectionState {
    for (let i = m.entries.length - 1; i >= 0; i--) {
      const e = m.entries[i]!;
      if (e.kind === 'stopped') return { phase: 'closed', why: e.why, since: e.time };
    }
    return { phase: 'closed', why: 'stopped when the background was restarted', since: m.entries.at(-1)?.time ?? m.createdAt };
  }

  function info(m: Managed): ConnectionInfo {
    const state = m.engine?.state ?? restoredState(m);
    // A token-expiry simulation's values are secrets whatever the header is called: they stay in the engine's memory.
    const faults = (m.engine?.faults ?? []).map((f): Fault => (f.kind === 'token-expiry' ? { ...f, headers: f.headers.map(([n, v]) => [n, maskHeaderValue(n, v)]) } : f));
    return { id: m.id, label: m.label, config: m.config, state, stats: { ...m.stats }, createdAt: m.createdAt, faults };
  }

  return {
    get settings() {
      return settings;
    },

    async restore() {
      const { connections: stored, entries } = await persistence.load();
      for (const s of stored) {
        const secrets = await persistence.loadSecrets(s.id);
        const m: Managed = {
          id: s.id,
          label: s.label,
          createdAt: s.createdAt,
          config: s.config,
          secrets: secrets ?? { url: s.config.url, headers: s.config.headers, body: s.config.body },
          engine: null,
          entries: entries.get(s.id) ?? [],
          stats: s.stats,
          bytesBefore: s.stats.bytes,
          secretsLost: secrets === null && hasMask(s.config),
        };
        connections.set(m.id, m);
        if (!s.active) continue;
        // The record and the entries are written in one transaction, so the entries say where to go on.
        const engine = startEngine(m, { ...resumePoint(m), retryMs: s.resume.retryMs });
        if (m.secretsLost) {
          engine.note({ kind: 'worker-restarted', detail: 'the browser restarted; secret header values are kept only for the browser session, so the connection was not resumed. Reconnect it from the form.' });
          engine.close('not resumed after a browser restart: secret values were not kept');
          continue;
        }
        const lastId = m.stats.lastEventId === '' ? 'no Last-Event-ID' : `Last-Event-ID ${m.stats.lastEventId}`;
        engine.note({ kind: 'worker-restarted', detail: `the background was stopped and restarted (Chrome stops idle service workers; also after a crash or update); resuming with ${lastId}` });
        engine.start();
      }
    },

    open(config) {
      const errors = validateConfig(config);
      if (errors.length > 0) return { id: null, errors };
      const id = newId();
      const m: Managed = {
        id,
        // From the masked URL: a label is shown and stored, a token in the query must not be.
        label: labelFor({ method: config.method, url: maskUrl(config.url) }),
        createdAt: now(),
        config: maskConfig(config),
        secrets: { url: config.url, headers: config.headers.map(([n, v]) => [n, v]), body: config.body },
        engine: null,
        entries: [],
        stats: { events: 0, bytes: 0, attempts: 0, lastEventId: config.initialLastEventId ?? '' },
        bytesBefore: 0,
        secretsLost: false,
      };
      connections.set(id, m);
      if (hasMask(m.config)) void persistence.saveSecrets(id, m.secrets);
      startEngine(m).start();
      sink.changed(id);
      return { id, errors: [] };
    },

    disconnect(id) {
      connections.get(id)?.engine?.close();
    },

    reconnect(id) {
      const m = connections.get(id);
      if (!m || (m.engine && m.engine.state.phase !== 'closed')) return;
      if (m.secretsLost) {
        // Reconnecting would send the literal "[redacted]" as the token.
        startEngine(m, resumePoint(m)).close('cannot reconnect: the secret header values were lost when the browser restarted; connect again from the form');
        sink.changed(id);
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
      void persistence.removeSecrets(id);
      sink.removed(id);
    },

    inject(id, fault) {
      const m = connections.get(id);
      if (!m?.engine || m.engine.state.phase === 'closed') return 'the connection is not running';
      const problem = validateFault(fault);
      if (problem) return problem;
      m.engine.inject(fault);
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
      return m ? { url: m.secrets.url, headers: m.secrets.headers.map(([n, v]) => [n, v]), body: m.secrets.body ?? m.config.body } : null;
    },

    setSettings(next) {
      settings = next;
      for (const m of connections.values()) if (m.entries.length > settings.maxEntriesPerConnection) trim(m);
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
        stats: { ...m.stats },
      };
    },

    snapshot() {
      const list = [...connections.values()];
      return { connections: list.map(info), entries: list.flatMap((m) => m.entries) };
    },

    hasActive() {
      for (const m of connections.values()) if (m.engine && m.engine.state.phase !== 'closed') return true;
      return false;
    },
  };
}
