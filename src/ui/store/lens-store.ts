/**
 * The lens of each connection, folded as its entries arrive: the core's LensFold gets each new
 * entry once (`add`), and `summary()` is read once per sync, which the view does once per frame
 * (the timeline store's revision), never per entry. History is folded again only when the user
 * switches lens. MCP is one session over several connections (a POST per message, the GET stream),
 * so its fold is shared by every connection of the same session and fed their entries in time
 * order. A session is its Mcp-Session-Id (the request's header, or the response's for initialize),
 * else its legacy `sessionId` (a POST's URL parameter, the GET stream's `endpoint` event), else the endpoint (origin + path); and live connections
 * never share a fold with an imported capture's, nor one capture with another: a reopened capture
 * of a session must not pair its calls with the live session's.
 */
import type { TimelineEntry } from '../../core/timeline.js';
import type { Lens, LensFold, LensName, LensSummary } from '../../core/lenses/lens.js';
import { detectLens, lensByName } from '../../core/lenses/registry.js';
import { countUpTo } from './seq-index.js';
import type { ConnView } from './timeline-store.js';

/** What the user picked: a lens by name, none at all, or null for the detected one. */
export type LensChoice = LensName | 'none' | null;

/** Detection reads only the first entries (each lens's detect looks at fewer still): its cost is bounded. */
const DETECT_ENTRIES = 64;

interface Feed {
  lens: Lens;
  fold: LensFold;
  /** The last seq fed, per connection. */
  fed: Map<ConnView, number>;
  summary: LensSummary | null;
  stale: boolean;
}

export interface LensState {
  detected: Lens | null;
  /** The lens shown: the user's choice, else the detected one; null shows no lens view. */
  lens: Lens | null;
  summary: LensSummary | null;
  /** The connections folded into it (more than one for an MCP session), in the order they were created. */
  members: readonly ConnView[];
}

interface Detection {
  lens: Lens | null;
  /** Looked at enough entries: detection is final. */
  done: boolean;
  /** How many entries it looked at: a frame with no new entry does not parse the first ones again. */
  seen: number;
}

/** Entries looked at for a session id: it is in the request or its response, the first few entries of a connection. */
const SESSION_ENTRIES = 16;
const SESSION_CHARS = 200;

const headerIn = (headers: readonly (readonly string[])[], name: string): string | null => headers.find((h) => h[0]?.toLowerCase() === name)?.[1] ?? null;

/** The legacy transport's GET stream names its session in the `endpoint` event: the URL to POST to. */
function legacySession(data: string, base: URL): string | null {
  try {
    return new URL(data.slice(0, 2048), base).searchParams.get('sessionId');
  } catch {
    return null;
  }
}

/**
 * The MCP session a connection belongs to (see the header comment); null for a URL that does not
 * parse. `settled`: no later entry can change it (its id was seen, or the entries it reads are in).
 */
function sessionOf(v: ConnView): { key: string | null; settled: boolean } {
  let u: URL;
  try {
    u = new URL(v.info.config.url);
  } catch {
    return { key: null, settled: true };
  }
  let id: string | null = u.searchParams.get('sessionId');
  for (const e of v.entries.slice(0, SESSION_ENTRIES)) {
    if (id !== null) break;
    if (e.kind === 'attempt-started' || e.kind === 'response') id = headerIn(e.headers, 'mcp-session-id');
    else if (e.kind === 'event' && e.type === 'endpoint') id = legacySession(e.data, u);
  }
  const source = v.imported === null ? 'live' : `file ${v.imported}`;
  const settled = id !== null || v.imported !== null || v.entries.length >= SESSION_ENTRIES;
  return { key: id === null ? `${source} ${u.origin}${u.pathname}` : `${source} ${u.origin} session ${id.slice(0, SESSION_CHARS)}`, settled };
}

export function createLensStore() {
  const detections = new WeakMap<ConnView, Detection>();
  const feeds = new WeakMap<ConnView, Feed>();
  const mcpFeeds = new Map<string, Feed>();
  // An MCP view asks every connection's session each frame: once settled, the answer is kept.
  const sessions = new WeakMap<ConnView, string | null>();

  function session(v: ConnView): string | null {
    if (sessions.has(v)) return sessions.get(v) ?? null;
    const { key, settled } = sessionOf(v);
    if (settled) sessions.set(v, key);
    return key;
  }

  function detect(v: ConnView): Lens | null {
    let d = detections.get(v);
    const seen = Math.min(v.entries.length, DETECT_ENTRIES);
    if (d && (d.done || d.seen === seen)) return d.lens;
    const lens = detectLens(v.entries.slice(0, DETECT_ENTRIES));
    // An import is whole; a live stream is looked at again until a lens is sure or enough entries came.
    d = { lens, done: lens !== null || v.imported !== null || seen >= DETECT_ENTRIES, seen };
    detections.set(v, d);
    return lens;
  }

  function newFeed(lens: Lens): Feed {
    return { lens, fold: lens.create(), fed: new Map(), summary: null, stale: true };
  }

  /** Adds what the members received since the last sync, oldest first across members. */
  function feed(f: Feed, members: readonly ConnView[]): void {
    const fresh: TimelineEntry[] = [];
    for (const m of members) {
      const from = countUpTo(m.entries, f.fed.get(m) ?? -Infinity);
      if (from >= m.entries.length) continue;
      for (let i = from; i < m.entries.length; i++) fresh.push(m.entries[i]!);
      f.fed.set(m, m.entries.at(-1)!.seq);
    }
    if (fresh.length === 0) return;
    // Stable: entries of one connection keep their order at equal times.
    if (members.length > 1) fresh.sort((a, b) => a.time - b.time);
    for (const e of fresh) f.fold.add(e);
    f.stale = true;
  }

  /** The lens of `v` brought up to date with its entries; `all` are every connection (for an MCP session's others). */
  function sync(v: ConnView, all: readonly ConnView[]): LensState {
    const detected = detect(v);
    const choice = v.lensChoice;
    const lens = choice === 'none' ? null : choice !== null ? lensByName(choice) : detected;
    if (lens === null) return { detected, lens: null, summary: null, members: [] };
    let f: Feed | undefined;
    let members: readonly ConnView[] = [v];
    const endpoint = lens.name === 'mcp' ? session(v) : null;
    if (endpoint !== null) {
      members = all.filter((c) => c === v || session(c) === endpoint);
      f = mcpFeeds.get(endpoint);
      if (!f) mcpFeeds.set(endpoint, (f = newFeed(lens)));
    } else {
      f = feeds.get(v);
      // A switch of lens starts over: the only time history is folded again.
      if (!f || f.lens !== lens) feeds.set(v, (f = newFeed(lens)));
    }
    feed(f, members);
    if (f.stale) {
      f.summary = f.fold.summary();
      f.stale = false;
    }
    return { detected, lens, summary: f.summary, members };
  }

  return { sync };
}


/** A lens name from a capture file: any string, so only a known name (or "none") is taken. */
export function choiceFromFile(name: string | undefined): { choice: LensChoice; note: string | null } {
  if (name === undefined) return { choice: null, note: null };
  if (name === 'none') return { choice: 'none', note: null };
  const lens = lensByName(name);
  if (lens) return { choice: lens.name, note: null };
  return { choice: null, note: `The capture names a lens this version does not know (${JSON.stringify(name.slice(0, 60))}); it was ignored and the lens is detected instead.` };
}
