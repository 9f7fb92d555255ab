/**
 * The demo page at `/` (for browsers; curl gets the help text): plain HTML, its script and styles
 * from this server, under a CSP that allows nothing else. The page's data (the requests its buttons
 * send, the curl lines) is JSON in a non-executed script element, escaped so it cannot close it.
 */
import { curlLines, DEMO_REQUESTS } from '../catalog.js';

declare const __SSE_DEMO_PAGE_SCRIPT__: string;

/** The bundled page.ts (src/tooling/build.mjs); empty in an unbundled run, where the page then has no buttons. */
export const DEMO_SCRIPT: string = typeof __SSE_DEMO_PAGE_SCRIPT__ === 'string' ? __SSE_DEMO_PAGE_SCRIPT__ : '';

export const DEMO_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const DEMO_CSS = `:root { color-scheme: light dark; font: 15px/1.5 system-ui, sans-serif; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
#buttons { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
button { font: inherit; padding: .4rem .8rem; border-radius: 6px; border: 1px solid #8888; background: Canvas; color: CanvasText; cursor: pointer; }
button:hover { border-color: #1a73e8; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #8881; padding: .75rem; border-radius: 6px; margin: 0; }
#out { min-height: 4rem; }
#status[data-state="failed"] { color: #d93025; }
.note { color: GrayText; }
input { font: inherit; }
`;

/** Without an icon of its own the browser asks for /favicon.ico and logs the 404. */
export const DEMO_ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1a73e8"/><path d="M3 11h2M7 8h2M11 5h2" stroke="#fff" stroke-width="2"/></svg>';

export function demoPageHtml(base: string, token: string | null): string {
  const data = { formats: DEMO_REQUESTS, curl: curlLines(base, token) };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SSE DevTools demo</title>
<link rel="stylesheet" href="/demo.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<h1>SSE DevTools demo server</h1>
<p>Each button streams one imitated API from this page. With DevTools open on the <b>SSE</b> tab, the stream shows up there with its lens: the assembled answer, timing and usage beside the raw events.</p>
<p><label>Token <input id="token" value="demo-token" size="16" autocomplete="off"></label> <span class="note">(what the server was started with; <code>--no-auth</code> takes none)</span></p>
<div id="buttons" data-testid="demo-buttons"></div>
<h2>Received</h2>
<p id="status" data-testid="demo-status" class="note">Pick a format above.</p>
<pre id="out" data-testid="demo-output"></pre>
<h2>From a terminal</h2>
<p class="note">The same streams with curl; or <code>npx sse-devtools capture URL -d BODY -H 'Authorization: Bearer …' --max-reconnects 0</code> (an SSE client reconnects when a stream ends, which here would ask again). Add <code>?speed=50</code> for a fast stream, <code>?fail=mid</code> or <code>?fail=error</code> for a broken one. The <code>/events</code> stream and its options are described in the help: <code>curl ${base}/</code>.</p>
<pre id="curl"></pre>
<script type="application/json" id="demo-data">${json}</script>
<script src="/demo.js"></script>
</body>
</html>
`;
}
