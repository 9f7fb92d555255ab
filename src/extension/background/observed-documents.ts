/**
 * Which document each stream a page's hook reported belongs to, so that a document's streams end
 * when the document goes away (the page navigates or reloads, an iframe navigates or is removed).
 * The hook dies with its document and never reports those ends: without this, their rows stayed
 * open forever. A same-document change (pushState, a hash) is no new document and ends nothing.
 *
 * A document is named by its scope (the frame: '' for the top frame, `f<frameId>:` for an iframe)
 * and its hook's `since` (the page's clock when the hook came; null: no hook in the frame's
 * document now, so the previous one is gone). Who reports it: the panel's poll for the top frame,
 * the background's frame drains for iframes, in the order their drains come, so a document is
 * known before its streams open. A drain that arrives late from a document already gone opens
 * streams that end at once.
 */

/** Documents remembered as gone per scope (a late drain names one); older ones are forgotten. */
const MAX_ENDED = 16;
/** Iframes remembered per tab: a page that keeps adding and removing them forgets the oldest gone ones. */
const MAX_SCOPES = 256;

interface ScopeState {
  /** The live document's token; undefined until one was reported. */
  doc: number | null | undefined;
  ended: (number | null)[];
  /** An iframe that went away: frame ids are not reused, so anything it still reports is gone too. */
  removed: boolean;
  /** The scope's streams still followed, by their scoped stream id, with their document. */
  streams: Map<string, number | null>;
}

export function createDocumentBook() {
  const tabs = new Map<number, Map<string, ScopeState>>();

  function scopeOf(tabId: number, scope: string): ScopeState {
    let t = tabs.get(tabId);
    if (!t) tabs.set(tabId, (t = new Map()));
    let s = t.get(scope);
    if (!s) t.set(scope, (s = { doc: undefined, ended: [], removed: false, streams: new Map() }));
    return s;
  }

  function endScope(s: ScopeState, keep: number | null | undefined): string[] {
    const out: string[] = [];
    for (const [sid, doc] of s.streams) {
      if (keep !== undefined && doc === keep) continue;
      out.push(sid);
      s.streams.delete(sid);
      if (!s.ended.includes(doc)) s.ended.push(doc);
    }
    if (s.doc !== undefined && s.doc !== keep && !s.ended.includes(s.doc)) s.ended.push(s.doc);
    if (s.ended.length > MAX_ENDED) s.ended.splice(0, s.ended.length - MAX_ENDED);
    return out;
  }

  return {
    /**
     * The document in `scope` is `doc` now: the streams of the documents before it are returned, to
     * be ended. A document already gone (a late report) changes nothing.
     */
    seen(tabId: number, scope: string, doc: number | null): string[] {
      const s = scopeOf(tabId, scope);
      if (s.removed || s.doc === doc || (doc !== null && s.ended.includes(doc))) return [];
      const gone = endScope(s, doc);
      s.doc = doc;
      return gone;
    },
    /** A stream opened in `doc` of `scope`; when that document is already gone, how (end the stream at once). */
    opened(tabId: number, scope: string, doc: number | null, sid: string): 'removed' | 'replaced' | null {
      const s = scopeOf(tabId, scope);
      if (s.removed) return 'removed';
      if (s.ended.includes(doc)) return 'replaced';
      s.streams.set(sid, doc);
      return null;
    },
    /** A stream that ended by itself (or whose row went) is no longer followed here. */
    closed(tabId: number, scope: string, sid: string): void {
      tabs.get(tabId)?.get(scope)?.streams.delete(sid);
    },
    /** The iframes the tab has now (their scopes): the streams of every other iframe are returned, to be ended. */
    frames(tabId: number, present: ReadonlySet<string>): string[] {
      const t = tabs.get(tabId);
      if (!t) return [];
      const gone: string[] = [];
      for (const [scope, s] of t) {
        if (scope === '' || present.has(scope) || s.removed) continue;
        gone.push(...endScope(s, undefined));
        s.removed = true;
      }
      for (const [scope, s] of t) {
        if (t.size <= MAX_SCOPES) break;
        if (s.removed) t.delete(scope);
      }
      return gone;
    },
    forget(tabId: number): void {
      tabs.delete(tabId);
    },
  };
}
