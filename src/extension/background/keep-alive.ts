/**
 * Chrome stops an extension service worker about 30 s after its last extension event and aborts
 * its fetches; bytes arriving on a stream do not count as events, an extension API call does
 * (measured: shared/recipes/browser-testing.md). So while a connection is open, call a cheap API
 * every 20 s. With nothing open the worker may stop: it holds nothing that is not persisted.
 */
const KEEP_ALIVE_MS = 20_000;

export function startKeepAlive(isActive: () => boolean, ping: () => Promise<unknown>, everyMs = KEEP_ALIVE_MS): () => void {
  const timer = setInterval(() => {
    if (isActive()) void ping().catch(() => {});
  }, everyMs);
  return () => clearInterval(timer);
}
