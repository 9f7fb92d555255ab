/**
 * The lab's requests as they really go out (../shared/recipes/request-fidelity.md has what was
 * verified in both browsers). Each request gets a unique URL fragment: the server never sees it,
 * a declarativeNetRequest session rule matching it sends the headers fetch would drop (Cookie,
 * User-Agent, Origin, Referer, …) on that request alone, and webRequest reports the request's
 * headers with the fragment in its URL, so what was sent is matched to its request by name, never
 * by order.
 */
import browser, { type DeclarativeNetRequest, type WebRequest } from 'webextension-polyfill';
import type { Exchange, OutgoingRequest, SentObservation } from '../../core/engine/deps.js';
import { isForbiddenRequestHeader } from '../../core/forbidden-headers.js';
import type { HeaderPair } from '../../core/timeline.js';

const FRAGMENT = '#sse-devtools-';
/**
 * How long after fetch settles the browser may still be reporting the request; past it the entry
 * says the headers were not observed rather than wait forever. Every run here reported first.
 */
const REPORT_GRACE_MS = 3000;

interface Pending {
  sent: (o: SentObservation) => void;
  received: (setCookies: string[]) => void;
  setCookies: string[];
  observed: boolean;
}

const pending = new Map<string, Pending>();
let nextRuleId = 1;
const firefox = browser.runtime.getURL('').startsWith('moz-extension:');
// Chromium hides Cookie, Origin, Referer, Accept-Language and Set-Cookie without 'extraHeaders'; Firefox rejects the option.
const withExtra = <T extends string>(spec: T): (T | 'extraHeaders')[] => (firefox ? [spec] : [spec, 'extraHeaders']);

const keyOf = (url: string): string | null => {
  const at = url.lastIndexOf(FRAGMENT);
  return at < 0 ? null : url.slice(at + FRAGMENT.length);
};
const pairs = (headers: WebRequest.HttpHeaders | undefined): HeaderPair[] => (headers ?? []).map((h) => [h.name, h.value ?? '']);

/** Session rules outlive a stopped worker: any left are a request's that never finished. Removed before the first new one. */
let rulesCleared: Promise<void> = Promise.resolve();

/** Registers the listeners; called at the top level of the background, where a woken worker finds them. */
export function observeOwnRequests(): void {
  const dnr = browser.declarativeNetRequest as DeclarativeNetRequest.Static | undefined;
  if (dnr) {
    rulesCleared = dnr
      .getSessionRules()
      .then((rules) => (rules.length === 0 ? undefined : dnr.updateSessionRules({ removeRuleIds: rules.map((r) => r.id) })))
      .catch((err: unknown) => console.warn('SSE DevTools: could not clear old header rules', err));
  }
  const webRequest = browser.webRequest as WebRequest.Static | undefined;
  if (!webRequest) return;
  // Only requests made by no tab (the background's own): the pages a user browses are never looked at,
  // nor slowed by a listener that asks for their headers.
  const filter = { urls: ['http://*/*', 'https://*/*'], tabId: -1 };
  webRequest.onSendHeaders.addListener(
    (d) => {
      const p = d.tabId === -1 ? pending.get(keyOf(d.url) ?? '') : undefined;
      // The first request of a redirect chain is the one the connection asked for.
      if (!p || p.observed) return;
      p.observed = true;
      p.sent({ headers: pairs(d.requestHeaders), detail: 'observed by the browser as the request left (webRequest)' });
    },
    filter,
    withExtra('requestHeaders'),
  );
  webRequest.onHeadersReceived.addListener(
    (d) => {
      const p = d.tabId === -1 ? pending.get(keyOf(d.url) ?? '') : undefined;
      if (!p) return;
      p.setCookies.push(...pairs(d.responseHeaders).filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v));
      // A redirect's Set-Cookie counts too; the final response settles them.
      if (d.statusCode < 300 || d.statusCode >= 400) p.received(p.setCookies);
    },
    filter,
    withExtra('responseHeaders'),
  );
}

/** Forbidden headers become the rule's; Cookie is added to the browser's when its cookies go too. */
function ruleFor(id: number, key: string, url: string, headers: readonly HeaderPair[], credentials: RequestCredentials): DeclarativeNetRequest.Rule | null {
  const forbidden = headers.filter(([n]) => isForbiddenRequestHeader(n));
  if (forbidden.length === 0) return null;
  return {
    id,
    priority: 1,
    // The fragment is unique to this request; no character of it is special to urlFilter.
    // A redirect keeps the fragment; the host keeps a Cookie typed for one server from reaching another.
    condition: { urlFilter: `${FRAGMENT}${key}`, tabIds: [-1], requestDomains: [new URL(url).hostname] },
    action: {
      type: 'modifyHeaders',
      requestHeaders: forbidden.map(([name, value]) => ({
        // Chromium sends a rule's header name in lower case whatever it is given.
        header: name.toLowerCase(),
        operation: name.toLowerCase() === 'cookie' && credentials === 'include' ? 'append' : 'set',
        value,
      })),
    },
  };
}

/**
 * The headers for fetch. Cache mode no-store makes the browser add Pragma and Cache-Control below
 * where webRequest looks (the Fetch standard's "HTTP-network-or-cache fetch"); set here they are
 * the same values, seen as sent, and the browser adds no second copy.
 */
function withCacheHeaders(request: OutgoingRequest): HeaderPair[] {
  const headers = request.headers.filter(([n]) => !isForbiddenRequestHeader(n));
  if (request.init.cache !== 'no-store') return headers;
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  return [...headers, ...(has('pragma') ? [] : [['pragma', 'no-cache'] as HeaderPair]), ...(has('cache-control') ? [] : [['cache-control', 'no-cache'] as HeaderPair])];
}

export function sendObserved(request: OutgoingRequest): Exchange {
  const key = crypto.randomUUID();
  let sent!: (o: SentObservation) => void;
  let received!: (setCookies: string[]) => void;
  const sentP = new Promise<SentObservation>((r) => (sent = r));
  const receivedP = new Promise<string[]>((r) => (received = r));
  const webRequest = browser.webRequest as WebRequest.Static | undefined;
  if (webRequest) pending.set(key, { sent, received, setCookies: [], observed: false });
  else {
    sent({ headers: null, detail: 'headers as configured (not observed): SSE DevTools has no permission to observe its requests (webRequest)' });
    received([]);
  }

  const rule = ruleFor(nextRuleId++, key, request.url, request.headers, request.init.credentials);
  const dnr = browser.declarativeNetRequest as DeclarativeNetRequest.Static | undefined;
  const url = `${request.url.split('#')[0]}${FRAGMENT}${key}`;
  const response = (async () => {
    if (rule) {
      if (!dnr) throw new Error(`this browser cannot send ${rule.action.requestHeaders!.map((h) => h.header).join(', ')} from an extension`);
      await rulesCleared;
      // Awaited before fetch: without it Chromium missed the rule now and then.
      await dnr.updateSessionRules({ addRules: [rule] });
    }
    try {
      return await fetch(url, { ...request.init, headers: withCacheHeaders(request) });
    } finally {
      // Only once fetch settles: Firefox skipped rules removed right after the call.
      if (rule) await dnr?.updateSessionRules({ removeRuleIds: [rule.id] }).catch(() => undefined);
      setTimeout(() => {
        pending.delete(key);
        sent({ headers: null, detail: 'headers as configured (not observed): the browser did not report this request' });
        received([]);
      }, REPORT_GRACE_MS);
    }
  })();
  return { response, sent: sentP, setCookies: () => receivedP };
}
