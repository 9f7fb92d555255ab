/**
 * The SSE tab in the REAL Chromium DevTools (recipe B, headless), against the real demo server:
 * what a user does in the panel and what they see there. Every connection carries its own
 * `tag=` in the URL so the server's recorded requests can be told apart.
 *
 * Run: node src/tooling/build.mjs && node --test --test-timeout=180000 dist/test/e2e/devtools-panel.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'puppeteer-core';
import { parseCapture } from '../../src/core/capture/schema.js';
import { startScenarioServer, type RecordedRequest, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { ARTIFACTS } from '../helpers/browser.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';

const GUARD = 20_000;
const TOKEN = 'Bearer demo-token';

let server: ScenarioServer;
let session: DevtoolsSession;
/** Serves what a misconfigured proxy does: an HTML login page with status 200 instead of the stream. */
let loginServer: RawServer;
const LOGIN_PAGE = '<!doctype html><html><body><h1 id="pwned">Sign in</h1><form action="/login"><input name="user"></form><img src=x onerror="document.title=1"></body></html>';
const panel = (): Frame => session.panel;

before(async () => {
  server = await startScenarioServer();
  loginServer = await startRawServer((res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(LOGIN_PAGE);
  });
  session = await launchDevtools();
});

after(async () => {
  await session?.close();
  await server?.close();
  await loginServer?.close();
});

// ---------------------------------------------------------------------------------------------
// What a user does

const { field, fill, openForm, pressConnect, disconnectSelected } = panelActions(panel, GUARD);

interface ConnectOptions {
  query: string;
  /** Another server than the scenario server; `query` is then ignored. */
  url?: string;
  token?: string;
  idleTimeoutMs?: number;
  reconnectDelayMs?: number;
}

/** Fills the form and presses Connect; resolves once the new connection is the selected one. */
async function connect(o: ConnectOptions): Promise<string> {
  const url = o.url ?? `${server.url}/events?${o.query}`;
  await openForm();
  await fill('url-input', url);
  await fill('header-value', o.token ?? TOKEN);
  await fill('idle-timeout', o.idleTimeoutMs?.toString() ?? '');
  if (o.reconnectDelayMs !== undefined) {
    if (!(await panel().$(byTestId('reconnect-delay')))) await (await field('toggle-reconnect')).click();
    await fill('reconnect-delay', String(o.reconnectDelayMs));
  }
  await pressConnect(url);
  return url;
}

// ---------------------------------------------------------------------------------------------
// What a user sees

interface Row {
  kind: string;
  seq: number;
  channel: string | null;
  /** The event id column, for event rows. */
  id: string | null;
  text: string;
}

/** The timeline rows in the DOM (the timeline is virtualized: the newest ones), in seq order. */
async function rows(): Promise<Row[]> {
  const found = await panel().$$eval('[data-testid="timeline-row"]', (els) =>
    els.map((el) => {
      const idCell = el.querySelector('.c-id');
      const ownText = idCell ? [...idCell.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('') : null;
      return {
        kind: el.getAttribute('data-kind') ?? '',
        seq: Number(el.getAttribute('data-seq')),
        channel: el.getAttribute('data-channel'),
        id: el.getAttribute('data-kind') === 'event' ? ownText : null,
        text: el.textContent ?? '',
      };
    }),
  );
  return found.sort((a, b) => a.seq - b.seq);
}

/** Waits until a row of `kind` (whose text contains `text`, if given) is in the timeline. */
async function waitForRow(kind: string, text = ''): Promise<void> {
  await panel().waitForFunction(
    (k: string, t: string) => [...document.querySelectorAll(`[data-testid="timeline-row"][data-kind="${k}"]`)].some((r) => (r.textContent ?? '').includes(t)),
    { timeout: GUARD },
    kind,
    text,
  );
}

/** Waits until the shown event rows include at least `min` of each channel. */
async function waitForEvents(channels: string[], min = 1): Promise<void> {
  await panel().waitForFunction(
    (cs: string[], n: number) => {
      const shown = [...document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]')].map((r) => r.getAttribute('data-channel'));
      return cs.every((c) => shown.filter((s) => s === c).length >= n);
    },
    { timeout: GUARD },
    channels,
    min,
  );
}

function requestsTagged(tag: string): RecordedRequest[] {
  return server.streamRequests().filter((r) => r.query.tag === tag);
}

async function waitForRequests(tag: string, count: number): Promise<RecordedRequest[]> {
  const deadline = Date.now() + GUARD;
  while (requestsTagged(tag).length < count) {
    if (Date.now() > deadline) throw new Error(`the server saw ${requestsTagged(tag).length} requests tagged ${tag}, expected ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return requestsTagged(tag);
}

// ---------------------------------------------------------------------------------------------

test('connecting with a Bearer token shows the events of both channels with their ids', async () => {
  await connect({ query: 'channels=alpha,beta&interval=150&tag=t1' });
  await waitForEvents(['alpha', 'beta'], 2);

  const events = (await rows()).filter((r) => r.kind === 'event');
  for (const e of events) {
    // The demo server puts event n on channel n mod 2: alpha for even ids, beta for odd ones.
    assert.match(e.id ?? '', /^\d+$/, `event row ${e.seq} shows its id`);
    assert.equal(e.channel, Number(e.id) % 2 === 0 ? 'alpha' : 'beta', `event ${e.id} is shown on its channel`);
    assert.ok(e.text.includes(`"n":${e.id}`), `event ${e.id} shows its data`);
  }
  const channelItems = await panel().$$eval('[data-testid="channel-item"]', (els) => els.map((el) => el.getAttribute('data-channel') ?? ''));
  assert.deepEqual(channelItems.sort((a, b) => a.localeCompare(b)), ['alpha', 'beta']);
  assert.equal(requestsTagged('t1')[0]?.headers.authorization, TOKEN, 'the server received the token typed into the form');
  await disconnectSelected();
});

test('clicking a channel shows only its events, and "All" shows every channel again', async () => {
  await connect({ query: 'channels=alpha,beta&interval=100&tag=t2' });
  await waitForEvents(['alpha', 'beta'], 2);

  await panel().click('[data-testid="channel-item"][data-channel="alpha"]');
  await panel().waitForFunction(
    () => {
      const shown = [...document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]')].map((r) => r.getAttribute('data-channel'));
      return shown.length > 0 && shown.every((c) => c === 'alpha');
    },
    { timeout: GUARD },
  );
  const filtered = (await rows()).filter((r) => r.kind === 'event');
  assert.ok(filtered.length > 0 && filtered.every((r) => r.channel === 'alpha'), 'only alpha events are listed');

  await panel().click(byTestId('channel-all'));
  await waitForEvents(['alpha', 'beta']);
  await disconnectSelected();
});

test('when the server ends the response the panel reconnects with the last event id it received', async () => {
  await connect({ query: 'maxDuration=1500&interval=200&channels=alpha,beta&tag=t3', reconnectDelayMs: 300 });
  await waitForRow('reconnect-scheduled');
  const [, second] = await waitForRequests('t3', 2);
  await disconnectSelected();

  const shown = await rows();
  const ended = shown.find((r) => r.kind === 'attempt-ended');
  const scheduled = shown.find((r) => r.kind === 'reconnect-scheduled');
  assert.ok(ended && scheduled, 'the timeline shows the attempt ending and the reconnect');
  assert.ok(ended.text.includes('closed-by-server'), `the attempt end says who closed it: ${ended.text}`);
  assert.ok(ended.seq < scheduled.seq);
  const lastEvent = shown.filter((r) => r.kind === 'event' && r.seq < scheduled.seq).at(-1);
  assert.ok(lastEvent?.id, 'events arrived before the server ended the response');
  assert.ok(scheduled.text.includes(`Last-Event-ID ${lastEvent.id}`), `the reconnect row names Last-Event-ID ${lastEvent.id}: ${scheduled.text}`);
  assert.equal(second?.lastEventId, lastEvent.id, 'the server got that id on the second request');
  assert.equal(second?.lastEventIdVia, 'header');
});

test('an idle timeout ends an attempt on a stream that goes silent', async () => {
  await connect({ query: 'scenario=hold&tag=t4', idleTimeoutMs: 800 });
  await waitForRow('attempt-ended', 'idle-timeout');
  await disconnectSelected();
  assert.ok(requestsTagged('t4').length >= 1);
});

test('a wrong token shows the 401 and stops without reconnecting', async () => {
  await connect({ query: 'interval=200&tag=t5', token: 'Bearer wrong-token' });
  await waitForRow('attempt-ended', 'http-error 401');
  await waitForRow('stopped');

  const shown = await rows();
  assert.equal(shown.filter((r) => r.kind === 'reconnect-scheduled').length, 0, 'no reconnect is scheduled after a 401');
  assert.equal(shown.filter((r) => r.kind === 'event').length, 0);
  assert.ok(await panel().$('[data-testid="connection-item"][aria-selected="true"][data-phase="closed"]'), 'the connection is shown as closed');
  assert.equal(requestsTagged('t5').length, 1, 'the server got exactly one request');
});

test('"Export selected" saves a valid capture without the token', async () => {
  const url = await connect({ query: 'channels=alpha,beta&interval=100&tag=t6' });
  await waitForEvents(['alpha', 'beta'], 2);
  await disconnectSelected();

  const download = session.expectDownload();
  await (await field('export-selected')).click();
  // The panel may first ask what to export (redaction on by default), or save at once.
  const dialog = await Promise.race([download.then(() => null), panel().waitForSelector(byTestId('export-dialog'), { timeout: GUARD })]);
  if (dialog) {
    const redact = await dialog.$(byTestId('export-redact-secrets'));
    if (redact) assert.equal(await redact.evaluate((el) => (el as HTMLInputElement).checked), true, 'secrets are redacted unless the user says otherwise');
    await (await field('export-save')).click();
  }
  const saved = await download;
  assert.match(saved.suggestedFilename, /^sse-capture-\d{8}-\d{6}\.json$/);

  const text = readFileSync(saved.path, 'utf8');
  const parsed = parseCapture(text);
  assert.ok(parsed.ok, `the capture validates: ${parsed.ok ? '' : parsed.errors.join('; ')}`);
  assert.equal(parsed.capture.connections.length, 1, 'only the selected connection is exported');
  const [connection] = parsed.capture.connections;
  assert.equal(connection?.config.url, url);
  assert.ok((connection?.entries.filter((e) => e.kind === 'event').length ?? 0) >= 4, 'the events are in the capture');
  assert.ok(!text.includes('demo-token'), 'the token is redacted');
  assert.ok(parsed.capture.redactions.length > 0, 'the capture says what was redacted');
});

// ---------------------------------------------------------------------------------------------
// The fault lab, as users run it from the panel

async function startFault(kind: string, fields: Record<string, string>): Promise<void> {
  await panel().select(byTestId('fault-kind'), kind);
  for (const [testId, value] of Object.entries(fields)) await fill(testId, value);
  await (await field('fault-start')).click();
}

const textsOf = async (kind: string) => (await rows()).filter((r) => r.kind === kind).map((r) => r.text);

test('the idle-timeout simulation, set during a connection, ends it and is recorded as a fault', async () => {
  await connect({ query: 'tag=s1&interval=2000&heartbeat=0', reconnectDelayMs: 60_000 });
  await waitForRow('event');
  await startFault('idle-timeout', { 'fault-ms': '700' });
  await waitForRow('attempt-ended', 'idle-timeout');
  assert.match((await textsOf('fault-injected'))[0]!, /idle-timeout: idle timeout set to 700 ms/);
  await disconnectSelected();
});

test('a maximum connection age ends every connection N ms after connecting, the strip shows the cuts, and it can be stopped', async () => {
  await connect({ query: 'tag=s2&interval=100', reconnectDelayMs: 200 });
  await waitForRow('event');
  await startFault('max-connection-age', { 'fault-ms': '600' });
  await panel().waitForSelector('[data-testid="fault-chip"][data-kind="max-connection-age"]', { timeout: GUARD });
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="attempt-bar"][data-reason="fault"]').length >= 2, { timeout: GUARD });
  const ends = await textsOf('attempt-ended');
  assert.ok(ends.some((e) => e.includes('maximum connection age 600 ms')), ends.join('\n'));
  await (await field('fault-stop')).click();
  await waitForRow('fault-injected', 'max-connection-age simulation stopped');
  assert.equal(await panel().$(byTestId('fault-chip')), null);
  await session.screenshot(join(ARTIFACTS, 'devtools-max-connection-age.png'));
  await disconnectSelected();
});

test('the AWS ALB preset is a proxy idle timeout of 60 s, named in the timeline and on its chip', async () => {
  await connect({ query: 'tag=s2b&interval=100', reconnectDelayMs: 200 });
  await waitForRow('event');
  await panel().select(byTestId('fault-kind'), 'proxy-idle-timeout');
  await panel().select(byTestId('proxy-preset'), 'AWS ALB');
  assert.equal(await (await field('fault-ms')).evaluate((el) => (el as HTMLInputElement).value), '60000');
  await (await field('fault-start')).click();
  await waitForRow('fault-injected', 'proxy idle timeout set to 60 s (AWS ALB preset)');
  const chip = await field('fault-chip');
  assert.match(await chip.evaluate((el) => el.textContent ?? ''), /Proxy idle timeout 60000 ms \(AWS ALB\)/);
  await disconnectSelected();
});

test('"Drop now" is disabled while the connection waits to reconnect, says why, and logs no cut', async () => {
  await connect({ query: 'tag=s2c&count=1', reconnectDelayMs: 60_000 });
  await waitForRow('reconnect-scheduled');
  await panel().select(byTestId('fault-kind'), 'drop');
  const button = await field('fault-start');
  assert.equal(await button.evaluate((el) => (el as HTMLButtonElement).disabled), true);
  assert.match(await button.evaluate((el) => el.getAttribute('title') ?? ''), /drop needs an attempt in progress; the connection is waiting to reconnect/);
  await session.screenshot(join(ARTIFACTS, 'devtools-drop-disabled-waiting.png'));
  // What applies to the next attempt can still be started while waiting.
  await panel().select(byTestId('fault-kind'), 'latency');
  assert.equal(await (await field('fault-start')).evaluate((el) => (el as HTMLButtonElement).disabled), false);
  assert.deepEqual(await textsOf('fault-injected'), []);
  assert.equal((await textsOf('attempt-ended')).length, 1);
  await disconnectSelected();
});

test('token expiry: the next reconnect sends the expired token, gets 401 and stops', async () => {
  const requests = () => server.streamRequests().filter((r) => r.query.tag === 's3');
  await connect({ query: 'tag=s3&interval=100&maxDuration=1000', reconnectDelayMs: 200 });
  await waitForRow('event');
  await startFault('token-expiry', { 'fault-value': 'Bearer expired-token' });
  await waitForRow('stopped');
  assert.match((await textsOf('attempt-ended')).at(-1)!, /http-error 401/);
  assert.equal(requests().at(-1)?.headers.authorization, 'Bearer expired-token');
  assert.doesNotMatch((await textsOf('fault-injected')).join('\n'), /expired-token/, 'the new token is not shown');
});

/** Selects the row of `kind` (whose text contains `text`) and waits for its detail. */
async function openRow(kind: string, text = ''): Promise<void> {
  await waitForRow(kind, text);
  const handles = await panel().$$(`[data-testid="timeline-row"][data-kind="${kind}"]`);
  for (const h of handles) {
    if ((await h.evaluate((el) => el.textContent ?? '')).includes(text)) {
      await h.click();
      break;
    }
  }
  await panel().waitForSelector(byTestId('detail-pane'), { timeout: GUARD });
}

test('the HTML login page served instead of the stream is shown in the detail as text, never rendered', async () => {
  await connect({ query: '', url: `${loginServer.url}events` });
  await openRow('attempt-ended', 'bad-content-type');
  const body = await field('detail-response-body');
  assert.equal(await body.$eval(byTestId('detail-data'), (el) => el.textContent), LOGIN_PAGE);
  assert.match(await body.$eval(byTestId('detail-response-body-size'), (el) => el.textContent ?? ''), /text\/html; charset=utf-8, \d+ B/);
  assert.equal(await panel().$('.detail h1, .detail form, .detail img'), null, 'no element of the page exists in the panel');
  await session.screenshot(join(ARTIFACTS, 'devtools-failure-body-html-light.png'));
  // The response row shows the same body beside its headers.
  await openRow('response', '200');
  assert.equal(await (await field('detail-response-body')).$eval(byTestId('detail-data'), (el) => el.textContent), LOGIN_PAGE);
});

test('the panel follows the DevTools theme, light and dark (screenshots in test-results/)', async () => {
  await connect({ query: 'channels=alpha,beta&interval=250&tag=t7' });
  await waitForEvents(['alpha', 'beta'], 3);
  const firstEvent = await panel().$('[data-testid="timeline-row"][data-kind="event"]');
  await firstEvent?.click();
  await panel().waitForSelector(byTestId('detail-pane'), { timeout: GUARD });

  const look = () =>
    panel().evaluate(() => {
      const [r, g, b] = (getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? []).map(Number);
      return { theme: document.documentElement.dataset.theme, luminance: (0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0)) / 255 };
    });
  const light = await look();
  assert.equal(light.theme, 'light');
  assert.ok(light.luminance > 0.7, `the light panel has a light background (${light.luminance.toFixed(2)})`);
  await session.screenshot(join(ARTIFACTS, 'devtools-panel-light.png'));

  await session.setTheme('dark');
  // DevTools reloaded: the panel is a new page that shows the same, still streaming connection.
  await waitForEvents(['alpha', 'beta'], 2);
  const dark = await look();
  assert.equal(dark.theme, 'dark');
  assert.ok(dark.luminance < 0.3, `the dark panel has a dark background (${dark.luminance.toFixed(2)})`);
  await session.screenshot(join(ARTIFACTS, 'devtools-panel-dark.png'));
  await disconnectSelected();
});

// After the theme test: the panel is dark now.
test("a 401's JSON body is a tree in the detail pane (dark theme), and Drop is disabled while waiting to reconnect", async () => {
  await connect({ query: 'interval=200&tag=t8', token: 'Bearer wrong-token' });
  await openRow('attempt-ended', 'http-error 401');
  const body = await field('detail-response-body');
  assert.match(await body.evaluate((el) => el.textContent ?? ''), /unauthorized/);
  assert.ok(await body.$('[data-testid="json-tree"]'), 'shown as a tree');
  assert.match(await body.$eval(byTestId('detail-response-body-size'), (el) => el.textContent ?? ''), /application\/json, \d+ B/);
  await session.screenshot(join(ARTIFACTS, 'devtools-failure-body-json-dark.png'));

  await connect({ query: 'tag=t9&count=1', reconnectDelayMs: 60_000 });
  await waitForRow('reconnect-scheduled');
  await panel().select(byTestId('fault-kind'), 'drop');
  assert.equal(await (await field('fault-start')).evaluate((el) => (el as HTMLButtonElement).disabled), true);
  await session.screenshot(join(ARTIFACTS, 'devtools-drop-disabled-dark.png'));
  await disconnectSelected();
});
