/**
 * Observing the inspected tab with the REAL page hook (extension/page-hook.js), end to end, as a
 * user does it: DevTools open on an app (test/helpers/observed-page.ts), the SSE tab, "Observe this
 * tab", "Reload and observe". The page's EventSource, fetch POST and XHR streams must appear with
 * their events in order, ids and attempts right and the token masked; "Open in lab" on the fetch
 * POST must re-create a working connection (the server's log is the reference); and the page must
 * receive exactly what the server sent, as without the hook.
 *
 * Chromium runs `reload({ injectedScript })` in the top frame only (shared/recipes/page-observation.md),
 * so the background puts the hook into each iframe as it commits and drains it there: the same
 * streams in a same-origin and a cross-site (localhost) iframe appear too, each marked with its
 * frame's URL. The iframes open theirs once their hook is there: it arrives just after a frame's
 * first script in some loads (bench/frame-hook.ts), which the panel then says (asserted when observing
 * begins on frames already loaded).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'puppeteer-core';
import { OBSERVE_GLOBAL } from '../../src/protocol/observed.js';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';
import { chatText, ES_HEARD, FETCH_EVENTS, PAGE_CHAT_BODY, PAGE_TOKEN, startObservedPageServer, XHR_EVENTS, xhrText, type ObservedPageServer } from '../helpers/observed-page.js';

const GUARD = 30_000;
const OBSERVED = `${byTestId('observed-group')} ${byTestId('connection-item')}`;

interface PageStreams {
  es: { message: number; price: number; opens: number; errors: number; closed: boolean };
  fetch: { events: number; text: string; done: boolean };
  xhr: { events: number; text: string; done: boolean };
  done: boolean;
}

let app: ObservedPageServer;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field, pressConnect, disconnectSelected } = panelActions(panel, GUARD);
/** The server's log before "Reload and observe": what came after is the observed load's. */
let firstLoad = 0;

before(async () => {
  app = await startObservedPageServer();
  session = await launchDevtools();
  await session.inspected.goto(`${app.url}/?cross&on-message`);
});

after(async () => {
  await session?.close();
  await app?.close();
});

type Scope = 'top' | 'frame' | 'cross';
const SCOPES: Scope[] = ['top', 'frame', 'cross'];
const frameOf = (scope: Scope): Frame => (scope === 'top' ? session.inspected.mainFrame() : session.inspected.frames().find((f) => f.url().includes(`/frame?scope=${scope}`) && !f.detached)!);
/** Where each scope's streams go: the cross-site frame's to its own origin. */
const originOf = (scope: Scope): string => (scope === 'cross' ? app.url.replace('127.0.0.1', 'localhost') : app.url);

/** Waits for the page's streams to finish; `stale` marks the load before a reload, never taken for the new one. */
async function pageDone(scope: Scope): Promise<PageStreams> {
  await frameOf(scope)?.waitForFunction(() => (window as unknown as { pageStreams?: PageStreams; stale?: true }).pageStreams?.done === true && !(window as unknown as { stale?: true }).stale, { timeout: GUARD });
  return frameOf(scope).evaluate(() => (window as unknown as { pageStreams: PageStreams }).pageStreams);
}

/** The iframes open their streams when their parent asks (observed-page.ts, `on-message`). */
async function startFrames(): Promise<void> {
  await session.inspected.mainFrame().evaluate(() => document.querySelectorAll('iframe').forEach((f) => f.contentWindow?.postMessage('start-streams', '*')));
}

async function selectObserved(path: string, origin = app.url): Promise<void> {
  const url = `${origin}${path}`;
  await panel().waitForFunction((sel: string, u: string) => [...document.querySelectorAll(`${sel} .label`)].some((l) => l.getAttribute('title') === u), { timeout: GUARD }, OBSERVED, url);
  for (const item of await panel().$$(OBSERVED)) {
    if ((await item.$eval('.label', (l) => l.getAttribute('title'))) === url) {
      await item.click();
      await panel().waitForSelector(`${OBSERVED}[aria-selected="true"]`, { timeout: GUARD });
      return;
    }
  }
}

/** The selected connection's event rows once there are `n` and its last attempt has ended (nothing more will come). */
async function eventRows(n: number): Promise<{ attempt: string; channel: string; id: string; data: string }[]> {
  await panel().waitForFunction((k: number) => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === k && document.querySelector('[data-testid="timeline-row"][data-kind="stopped"]') !== null, { timeout: GUARD }, n);
  return panel().$$eval('[data-testid="timeline-row"][data-kind="event"]', (rows) =>
    rows.map((r) => ({
      attempt: r.querySelector('.c-attempt')?.textContent ?? '',
      channel: r.querySelector('.c-channel')?.textContent ?? '',
      id: r.querySelector('.c-id')?.textContent ?? '',
      data: r.querySelector('.c-data')?.textContent ?? '',
    })),
  );
}

test('"Reload and observe" with the real hook: the EventSource, fetch POST and XHR streams of the page and of its same-origin and cross-site iframes, in order, ids and attempts right, the token masked', async () => {
  const first = await pageDone('top');
  assert.equal(first.fetch.events, FETCH_EVENTS + 1, 'the page works before any hook');
  await startFrames();
  await pageDone('frame');
  await pageDone('cross');
  firstLoad = app.streams.length;

  await panel().waitForFunction((origin: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(origin), { timeout: GUARD }, app.url);
  await (await field('observe-toggle')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-status"]')?.textContent?.includes('hook active'), { timeout: GUARD });
  // Switched on after the frames loaded, the hook reaches them late, and the panel says each one's streams so far are not seen.
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="observe-frame"][data-state="late"]').length === 2, { timeout: GUARD });
  assert.match(await panel().$eval(byTestId('observe-frames'), (f) => f.textContent ?? ''), /2 iframes, 0 observed from their start.*frame\?scope=frame.*after this frame's first script/s);
  for (const scope of SCOPES) await frameOf(scope).evaluate(() => void ((window as unknown as { stale: true }).stale = true));
  await (await field('reload-and-observe')).click();

  // The page, reloaded with the hook before its scripts, receives what the server sent, as before.
  await session.inspected.mainFrame().waitForFunction(() => !(window as unknown as { stale?: true }).stale && document.readyState === 'complete', { timeout: GUARD });
  // Each iframe's hook came as it committed: before its first script in most loads, just after in
  // some (bench/frame-hook.ts), which the panel then says. Its streams start once it is there.
  for (const scope of ['frame', 'cross'] as const) await frameOf(scope).waitForFunction((key: string) => Symbol.for(key) in globalThis, { timeout: GUARD }, OBSERVE_GLOBAL);
  await startFrames();
  const top = await pageDone('top');
  const frame = await pageDone('frame');
  const cross = await pageDone('cross');
  const logged = app.streams.slice(firstLoad);
  const log = (path: string, scope: string) => logged.filter((s) => s.path === path && s.scope === scope);
  for (const [scope, seen] of [['top', top], ['frame', frame], ['cross', cross]] as const) {
    const [chat] = log('/chat', scope);
    const [xhr] = log('/xhr', scope);
    assert.ok(chat?.endedByServer && xhr?.endedByServer, `${scope}: the server finished both streams`);
    assert.equal(seen.fetch.events, chat.events, `${scope}: the page read every fetch event the server wrote`);
    assert.equal(seen.fetch.text, chatText());
    assert.equal(seen.xhr.events, xhr.events, `${scope}: the page read every XHR event the server wrote`);
    assert.equal(seen.xhr.text, xhrText());
    assert.equal(seen.es.message + seen.es.price, ES_HEARD.length, `${scope}: the EventSource heard every event of its types`);
    assert.deepEqual(log('/es', scope).map((s) => s.headers['last-event-id'] ?? null), [null, '4'], `${scope}: one reconnect, resuming after id 4`);
    assert.equal(seen.es.opens, 2);
  }
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-frames"]')?.textContent?.startsWith('2 iframes, '), { timeout: GUARD });
  assert.equal(await panel().$('[data-testid="observe-frame"]:not([data-state="late"])'), null, 'every iframe is observed, from its start or said to be late');
  assert.deepEqual(top, { ...frame }, 'the observed frames received exactly the same');
  assert.deepEqual(top, { ...cross });

  // Observed: each frame's three streams, marked with the frame they came from.
  const expected = SCOPES.flatMap((scope) => ['/es', '/chat', '/xhr'].map((p) => `${originOf(scope)}${p}?scope=${scope}`));
  await panel().waitForFunction((sel: string, n: number) => document.querySelectorAll(sel).length >= n, { timeout: GUARD }, OBSERVED, expected.length);
  const items = await panel().$$eval(OBSERVED, (is) => is.map((i) => [i.querySelector('.label')?.getAttribute('title') ?? '', i.querySelector('.origin-url')?.textContent ?? '']));
  assert.deepEqual(items.map(([label]) => label ?? '').sort(), [...expected].sort());
  for (const [label, where] of items) {
    const scope = SCOPES.find((s) => label!.endsWith(`scope=${s}`))!;
    const frameUrl = scope === 'top' ? `${app.url}/?cross&on-message` : `${originOf(scope)}/frame?scope=${scope}&on-message`;
    assert.equal(where, scope === 'top' ? frameUrl : `${frameUrl} in ${app.url}/?cross&on-message`, `${label}: marked with its frame`);
  }
  assert.equal(await panel().$(`${byTestId('lab-group')} ${byTestId('connection-item')}[data-observed]`), null, 'none in the lab\'s group');

  await selectObserved('/es?scope=top');
  assert.deepEqual(
    (await eventRows(ES_HEARD.length)).map((r) => [r.attempt, r.channel, r.id, r.data]),
    // Id 3 came with a type the page does not listen to, which a hook cannot see: id 4 is marked as following a gap of one.
    ES_HEARD.map(([type, data, id], i) => [i < 3 ? '#1' : '#2', type, id === '4' ? '4⚠1' : id, data]),
    'the EventSource\'s events in order, the reconnect as attempt #2',
  );
  const esItem = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  assert.match(await esItem.$eval(byTestId('observed-badge'), (b) => b.textContent ?? ''), /observed · EventSource/);
  assert.match(await esItem.evaluate((el) => el.textContent ?? ''), /2 attempts/);
  // The server ended attempt 1 and the browser reconnected: a hook sees only `error`, so it claims neither a network error nor a delay.
  const rowText = (kind: string) => panel().$eval(`[data-testid="timeline-row"][data-kind="${kind}"]`, (r) => r.textContent ?? '');
  assert.match(await rowText('attempt-ended'), /lost-or-closed.*connection lost or closed by the server — the page's EventSource cannot tell which/);
  const reconnect = await rowText('reconnect-scheduled');
  assert.match(reconnect, /reconnect after an unknown delay as #2/);
  assert.doesNotMatch(reconnect, /in 0 ms/);

  await selectObserved('/xhr?scope=top');
  const xhrRows = await eventRows(XHR_EVENTS);
  assert.deepEqual(xhrRows.map((r) => [r.attempt, r.id, r.data]), Array.from({ length: XHR_EVENTS }, (_, i) => ['#1', `x${i + 1}`, `line ${i + 1}`]));

  await selectObserved('/chat?scope=top');
  const chatRows = await eventRows(FETCH_EVENTS + 1);
  assert.deepEqual(
    chatRows.map((r) => r.data),
    [...Array.from({ length: FETCH_EVENTS }, (_, i) => `{"token":${i + 1}}`), '[DONE]'],
  );
  const chatItem = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  assert.match(await chatItem.$eval(byTestId('observed-badge'), (b) => b.textContent ?? ''), /observed · fetch/);
  assert.equal(await chatItem.$(byTestId('disconnect-button')), null, 'read-only: no Disconnect for the page\'s stream');
  await (await panel().$('[data-testid="timeline-row"][data-kind="attempt-started"]'))!.click();
  await panel().waitForFunction(() => document.body.innerText.includes('Bearer [redacted]'), { timeout: GUARD });
  assert.ok(!(await panel().evaluate(() => document.body.innerText)).includes(PAGE_TOKEN.slice('Bearer '.length)), 'the token is masked everywhere in the panel');

  // The iframes' streams: the same events, ids and attempts, and the token masked.
  for (const scope of ['frame', 'cross'] as const) {
    await selectObserved(`/es?scope=${scope}`, originOf(scope));
    assert.deepEqual(
      (await eventRows(ES_HEARD.length)).map((r) => [r.attempt, r.channel, r.id, r.data]),
      ES_HEARD.map(([type, data, id], i) => [i < 3 ? '#1' : '#2', type, id === '4' ? '4⚠1' : id, data]),
      `${scope}: the EventSource's events in order, the reconnect as attempt #2`,
    );
    await selectObserved(`/xhr?scope=${scope}`, originOf(scope));
    assert.equal((await eventRows(XHR_EVENTS)).length, XHR_EVENTS);
    await selectObserved(`/chat?scope=${scope}`, originOf(scope));
    assert.equal((await eventRows(FETCH_EVENTS + 1)).at(-1)?.data, '[DONE]');
  }
  await (await panel().$('[data-testid="timeline-row"][data-kind="attempt-started"]'))!.click();
  await panel().waitForFunction(() => document.body.innerText.includes('Bearer [redacted]'), { timeout: GUARD });
  assert.ok(!(await panel().evaluate(() => document.body.innerText)).includes(PAGE_TOKEN.slice('Bearer '.length)), 'the cross-site frame\'s token is masked too');
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-real-light.png'));
  await selectObserved('/chat?scope=top');
});

/** What the observe bar shows: how many rows its status line takes, the line's text, whether the details are shown, and whether each warning and the Reload button are inside the panel. */
async function observeBar() {
  return panel().$eval(byTestId('observe-bar'), (bar) => {
    const line = bar.querySelector('.status-line');
    const parts = line ? [...line.children].filter((c) => !c.classList.contains('spacer')) : [];
    const rows = new Set(parts.map((c) => Math.round(c.getBoundingClientRect().top + c.getBoundingClientRect().height / 2)));
    const inside = (el: Element | null) => el !== null && el.getBoundingClientRect().right <= innerWidth && el.getBoundingClientRect().left >= 0;
    return {
      rows: line ? rows.size : 0,
      text: line?.textContent ?? '',
      /** Taller than its line: something besides the line is shown. */
      extra: Math.round(bar.getBoundingClientRect().height - (line?.getBoundingClientRect().height ?? 0)),
      details: bar.querySelector('[data-testid="observe-frames"]')?.checkVisibility() ?? false,
      warnings: [...bar.querySelectorAll('[data-testid="observe-bar-tally"][data-warn="true"]')].map((t) => [t.textContent ?? '', inside(t)] as const),
      reload: inside(bar.querySelector('[data-testid="reload-and-observe"]')),
    };
  });
}

test('observing takes one status line: the mode, the hook, the iframes observed from their start (a warning mark when not all), the rest behind its disclosure; an observed stream\'s end takes one line', async () => {
  const folded = await observeBar();
  assert.equal(folded.rows, 1, `one line at full width: ${folded.text}`);
  assert.ok(folded.extra <= 6, `nothing but the line is shown while folded (${folded.extra} px more)`);
  assert.equal(folded.details, false);
  assert.match(folded.text, /Observing.*hook active/);
  const frames = /iframes (\d)\/2 from start/.exec(folded.text);
  assert.ok(frames, `the iframes counted: ${folded.text}`);
  assert.equal(folded.warnings.some(([t]) => t.includes('iframes')), frames[1] !== '2', 'an iframe not observed from its start is marked as a warning');
  await (await field('observe-bar-details-toggle')).click();
  const open = await observeBar();
  assert.equal(open.details, true, 'the disclosure shows the iframes and what the hook sees');
  assert.match(await panel().$eval(byTestId('observe-bar'), (b) => (b as HTMLElement).innerText), /A hook in the page sees its fetch and XHR streams/);
  await (await field('observe-bar-details-toggle')).click();
  assert.equal((await observeBar()).details, false);

  await selectObserved('/chat?scope=top');
  const state = await panel().$eval(`${OBSERVED}[aria-selected="true"] [data-testid="connection-state"]`, (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return { text: el.textContent ?? '', title: el.getAttribute('title') ?? '', lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size };
  });
  assert.equal(state.text, 'ended · the page\'s fetch stream ended');
  assert.equal(state.title, 'ended: the page\'s fetch stream ended; a new request from the page is a new observed connection', 'the whole reason on hover');
  assert.equal(state.lines, 1);

  // Docked beside the page, DevTools is narrow: the line may wrap once, its warnings and Reload stay in view.
  for (const width of [550, 400]) {
    await session.resize(width);
    await panel().waitForSelector('.main[data-layout="tabs"]', { timeout: GUARD });
    const narrow = await observeBar();
    assert.ok(narrow.rows <= 2, `${width} px: at most two rows (${narrow.rows})`);
    assert.ok(narrow.warnings.every(([, inside]) => inside) && narrow.reload, `${width} px: every warning and Reload and observe in view`);
    await session.screenshot(join(ARTIFACTS, `devtools-observe-${width}-light.png`));
  }
  await (await field('observe-bar-details-toggle')).click();
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-400-details-light.png'));
  await (await field('observe-bar-details-toggle')).click();
  await session.resize(1280);
  await panel().waitForSelector('.main[data-layout="columns"]', { timeout: GUARD });
  await selectObserved('/chat?scope=top');
});

test('"Open in lab" on the page\'s fetch POST: Connect sends the same headers and body, and the lab\'s connection streams', async () => {
  const chatItem = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  await (await chatItem.$(byTestId('open-in-lab')))!.click();
  const url = `${app.url}/chat?scope=top`;
  await panel().waitForFunction((u: string) => document.querySelector<HTMLInputElement>('[data-testid="url-input"]')?.value === u, { timeout: GUARD }, url);
  const form = await panel().evaluate(() => ({
    method: (document.querySelector('[data-testid="method-select"]') as HTMLSelectElement).value,
    headers: [...document.querySelectorAll('[data-testid="header-row"]')].map((r) => [(r.querySelector('[data-testid="header-name"]') as HTMLInputElement).value, (r.querySelector('[data-testid="header-value"]') as HTMLInputElement).type]),
    body: document.querySelector<HTMLTextAreaElement>('[data-testid="body-input"]')?.value,
  }));
  assert.deepEqual(form, {
    method: 'POST',
    // The hook reads the headers from the Request fetch built, which lower-cases their names, as HTTP allows.
    headers: [
      ['authorization', 'password'],
      ['content-type', 'text'],
    ],
    body: PAGE_CHAT_BODY,
  }, 'the page\'s request, its token in the form hidden like any secret');

  const before = app.streams.length;
  await pressConnect(url);
  const labItem = await panel().waitForSelector(`${byTestId('lab-group')} ${byTestId('connection-item')}[aria-selected="true"]`, { timeout: GUARD });
  assert.match((await labItem!.evaluate((el) => el.getAttribute('data-id'))) ?? '', /^c/, 'a connection of the lab\'s own');
  // The server answers 401 unless the token and body are the page's: the events prove both.
  await panel().waitForFunction((n: number) => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === n, { timeout: GUARD }, FETCH_EVENTS + 1);
  const page = app.streams.slice(firstLoad).find((s) => s.path === '/chat' && s.scope === 'top')!;
  const lab = app.streams.slice(before).find((s) => s.path === '/chat');
  assert.ok(lab, 'the lab\'s request reached the server');
  assert.equal(lab.method, page.method);
  assert.equal(lab.headers.authorization, page.headers.authorization);
  assert.equal(lab.headers['content-type'], page.headers['content-type']);
  assert.equal(lab.body, page.body);
  assert.equal(lab.events, page.events);
  // The server ends the stream and the lab would reconnect: stop it, the server's log stays as asserted.
  await disconnectSelected();
});

test('"Open in lab" on a request whose body the hook read only in part: the form says the body is cut and how much was captured', async () => {
  // 100 KiB posted: the hook reads a request body up to 64 KiB.
  await session.inspected.evaluate(async () => {
    const res = await fetch('/xhr?scope=bigbody', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'b'.repeat(100 * 1024) });
    await res.text();
  });
  await selectObserved('/xhr?scope=bigbody');
  const item = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  await (await item.$(byTestId('open-in-lab')))!.click();
  await panel().waitForFunction((u: string) => document.querySelector<HTMLInputElement>('[data-testid="url-input"]')?.value === u, { timeout: GUARD }, `${app.url}/xhr?scope=bigbody`);
  assert.equal(await panel().$eval(byTestId('body-input'), (t) => (t as HTMLTextAreaElement).value.length), 64 * 1024, 'the part the hook read');
  const notice = await panel().waitForSelector(byTestId('body-cut-notice'), { visible: true, timeout: GUARD });
  const text = (await notice!.evaluate((n) => n.textContent ?? '')) ?? '';
  assert.match(text, /cut/i);
  assert.match(text, /65,536 bytes/);
  await session.screenshot(join(ARTIFACTS, 'devtools-open-in-lab-body-cut-light.png'));
  // The user pastes the whole body: the form no longer claims it is cut.
  await panel().$eval(byTestId('body-input'), (t) => {
    (t as HTMLTextAreaElement).value = 'b'.repeat(100 * 1024);
    t.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await panel().waitForFunction(() => document.querySelector('[data-testid="body-cut-notice"]') === null, { timeout: GUARD });
  // The dark theme (DevTools reloads the panel): the same notice, once more from the observed stream.
  await session.setTheme('dark');
  await selectObserved('/xhr?scope=bigbody');
  await (await (await panel().$(`${OBSERVED}[aria-selected="true"]`))!.$(byTestId('open-in-lab')))!.click();
  const dark = await panel().waitForSelector(byTestId('body-cut-notice'), { visible: true, timeout: GUARD });
  await dark!.evaluate((n) => n.scrollIntoView({ block: 'center' }));
  await session.screenshot(join(ARTIFACTS, 'devtools-open-in-lab-body-cut-dark.png'));
  await session.setTheme('light');
});

test('an iframe of a site the extension may not access is listed as not observed, with why and an Allow button; its streams are not seen', async () => {
  // 127.0.0.2 is another site than 127.0.0.1 and not among the manifest's host permissions.
  const other = createServer((_req, res) => void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>other</title><script>fetch("/nothing")</script>'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.2', r));
  try {
    const src = `http://127.0.0.2:${(other.address() as AddressInfo).port}/`;
    await session.inspected.goto(`${app.url}/framing?src=${encodeURIComponent(src)}`);
    const row = await panel().waitForSelector('[data-testid="observe-frame"][data-state="no-access"]', { timeout: GUARD });
    const text = await row!.evaluate((r) => r.textContent ?? '');
    assert.ok(text.startsWith(src), text);
    assert.match(text, /not observed: SSE DevTools may not run scripts on this site/);
    assert.ok(await row!.$(byTestId('allow-frame')), 'an Allow button asks for the site');
    assert.match(await panel().$eval(byTestId('observe-frames'), (f) => f.textContent ?? ''), /^1 iframe, 0 observed from their start/);
    assert.match(await panel().$eval('[data-testid="observe-bar-tally"][data-key="frames"][data-warn="true"]', (t) => t.textContent ?? ''), /iframes 0\/1 from start/, 'folded, the line still warns');
    await (await field('observe-bar-details-toggle')).click();
    await session.screenshot(join(ARTIFACTS, 'devtools-observe-frames-no-access.png'));
    await (await field('observe-bar-details-toggle')).click();
  } finally {
    other.closeAllConnections();
    other.close();
    await session.inspected.goto(`${app.url}/?cross&on-message`);
  }
});

test('dark theme: the observed streams stay after DevTools reloads, observing remembered for the origin', async () => {
  await session.setTheme('dark');
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('aria-pressed') === 'true', { timeout: GUARD });
  await selectObserved('/es?scope=top');
  await eventRows(ES_HEARD.length);
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-real-dark.png'));
  await session.resize(400);
  await panel().waitForSelector('.main[data-layout="tabs"]', { timeout: GUARD });
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-400-dark.png'));
  await (await field('observe-bar-details-toggle')).click();
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-400-details-dark.png'));
  await session.resize(1280);
  await session.setTheme('light');
});
