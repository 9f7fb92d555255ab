/**
 * Issue 14, where it shows: in the REAL DevTools, a misbehaving 127.0.0.1 server (a gzip-compressed
 * stream without ids, no Cache-Control, an event with no space after its colon) gets a Health badge
 * on its connection and a Health view with each finding, its evidence linked to its timeline row,
 * why and fix; a capture of it, opened in the panel, gets its health from its entries, the
 * would-this-client-parse-it table too; the demo server's healthy /events stream
 * gets no warning or error badge. The standalone viewer shows a capture's too. Both themes, wide and docked at 550 px.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { createGzip } from 'node:zlib';
import type { ElementHandle, Frame } from 'puppeteer-core';
import { DEFAULT_TOKEN, startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { ARTIFACTS } from '../helpers/browser.js';
import { cli } from '../helpers/cli.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';

const GUARD = 20_000;
const EVENTS = 5;
let bad: Server;
let badUrl: string;
let demo: ScenarioServer;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { fill, openForm, pressConnect, showPane } = panelActions(panel, GUARD, { visible: true });
const SELECTED = '[data-testid="connection-item"][aria-selected="true"]';

/** Compressed, no ids, no Cache-Control, one field without its space: held open after its events, as a live stream is. */
function startBadServer(): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Content-Encoding': 'gzip', 'Access-Control-Allow-Origin': '*' });
    const gzip = createGzip();
    gzip.pipe(res);
    // Each event flushed on its own, as a server that flushes its compressor per event does.
    for (let i = 1; i <= EVENTS; i++) {
      gzip.write(i === 3 ? 'data:no-space\n\n' : `data: tick ${i}\n\n`);
      gzip.flush();
    }
    req.on('close', () => gzip.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  bad = await startBadServer();
  badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}/stream`;
  demo = await startScenarioServer({ port: 0, token: DEFAULT_TOKEN });
  session = await launchDevtools();
  await session.setTheme('light');
});
after(async () => {
  await session?.close();
  await demo?.close();
  bad?.closeAllConnections();
  await new Promise((r) => bad?.close(r));
});

const badgeOfSelected = () => panel().$eval(`${SELECTED} [data-testid="health-badge"]`, (b) => ({ text: b.textContent ?? '', title: b.getAttribute('title') ?? '', severity: b.getAttribute('data-severity') }));

async function waitForFinding(code: string): Promise<void> {
  await panel().waitForSelector(`${byTestId('health-finding')}[data-code="${code}"]`, { timeout: GUARD }).catch(async (e: unknown) => {
    const shown = await panel().$eval(byTestId('health-view'), (el) => (el as HTMLElement).innerText).catch(() => '(no health view)');
    throw new Error(`no ${code} finding; the Health view shows:\n${shown}`, { cause: e });
  });
}

test('a compressed stream without ids shows a Health badge and its findings, and evidence selects its row', async () => {
  await openForm();
  await fill('url-input', badUrl);
  await pressConnect(badUrl);
  await panel().waitForSelector(`${SELECTED} [data-testid="health-badge"][data-severity="warning"], ${SELECTED} [data-testid="health-badge"][data-severity="error"]`, { timeout: GUARD });
  const badge = await badgeOfSelected();
  assert.match(badge.text, /⚠ \d+/, 'the badge counts warnings');
  assert.match(badge.title, /^Health: .*\d+ warnings?/, 'its title says it in words');

  // Shown by itself: the connection has warnings.
  await panel().waitForSelector(byTestId('health-view'), { visible: true, timeout: GUARD });
  await waitForFinding('compressed');
  await waitForFinding('no-ids');
  // The framing notes reach the panel with their events (the port's columns once dropped them).
  await waitForFinding('framing-no-space');
  await panel().waitForSelector(`${byTestId('health-finding')}[data-code="framing-no-space"] ${byTestId('health-table')}`, { timeout: GUARD });
  const compressed = await panel().$eval(`${byTestId('health-finding')}[data-code="compressed"]`, (el) => (el as HTMLElement).innerText);
  assert.match(compressed, /Content-Encoding: gzip/i, 'the evidence quotes the header');
  assert.match(compressed, /Why it matters/);
  assert.match(compressed, /What usually fixes it/);

  await session.screenshot(join(ARTIFACTS, 'devtools-doctor-wide-light.png'));

  const link = await panel().waitForSelector(`${byTestId('health-finding')}[data-code="no-ids"] ${byTestId('health-evidence')}`, { timeout: GUARD });
  const seq = await link!.evaluate((b) => b.getAttribute('data-seq'));
  await link!.click();
  await panel().waitForSelector(`[data-testid="timeline-row"][data-seq="${seq}"][aria-selected="true"]`, { timeout: GUARD });

  // Docked to the side: the Health view is a tab of its own, which does not open by itself.
  await session.resize(550);
  await panel().waitForSelector('.main[data-layout="tabs"]', { timeout: GUARD });
  await showPane('timeline');
  assert.equal(await panel().$(byTestId('health-view')), null, 'the timeline keeps its tab');
  await panel().waitForSelector(`${byTestId('pane-tab-health')} .health-badge.warning`, { timeout: GUARD });
  await showPane('health');
  await panel().waitForSelector(byTestId('health-view'), { visible: true, timeout: GUARD });
  await session.screenshot(join(ARTIFACTS, 'devtools-doctor-docked-light.png'));

  await session.resize(1280);
  await panel().waitForSelector('.main[data-layout="columns"]', { timeout: GUARD });
});

test('a capture of that stream, opened in the panel, gets its health from its entries: the framing table too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sse-doctor-'));
  const file = join(dir, 'bad.json');
  const run = await cli(['capture', badUrl, '-o', file, '--duration', '1500', '--max-reconnects', '0']);
  assert.equal(run.code, 0, run.stderr);
  await session.setTheme('dark');
  await showPane('connections');
  const before = await panel().$$eval(byTestId('connection-item'), (els) => els.map((e) => e.getAttribute('data-id')));
  const input = (await panel().waitForSelector(byTestId('open-capture-input'), { timeout: GUARD })) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(file);
  await panel().waitForFunction(
    (old: (string | null)[], sel: string) => {
      const id = document.querySelector(sel)?.getAttribute('data-id');
      return id != null && !old.includes(id);
    },
    { timeout: GUARD },
    before,
    SELECTED,
  );
  const badge = await badgeOfSelected();
  assert.match(badge.text, /⚠ \d+/, 'the imported connection has its badge');
  await panel().waitForSelector(byTestId('health-view'), { visible: true, timeout: GUARD });
  await waitForFinding('compressed');
  await waitForFinding('framing-no-space');
  const table = await panel().$eval(`${byTestId('health-finding')}[data-code="framing-no-space"] ${byTestId('health-table')}`, (t) => (t as HTMLElement).innerText);
  assert.match(table, /Client/);
  assert.match(table, /Chromium/, 'a row per client profile');
  assert.match(table, /okhttp/, 'a row per client profile');
  await panel().$eval(`${byTestId('health-finding')}[data-code="framing-no-space"]`, (el) => el.scrollIntoView());
  await session.screenshot(join(ARTIFACTS, 'devtools-doctor-import-wide-dark.png'));
  await session.resize(550);
  await panel().waitForSelector('.main[data-layout="tabs"]', { timeout: GUARD });
  await showPane('health');
  await panel().waitForSelector(byTestId('health-view'), { visible: true, timeout: GUARD });
  await session.screenshot(join(ARTIFACTS, 'devtools-doctor-import-docked-dark.png'));
  await session.resize(1280);
  await panel().waitForSelector('.main[data-layout="columns"]', { timeout: GUARD });
  await session.setTheme('light');

  // The standalone viewer shares the workspace: the same badge and findings, computed there too.
  const page = await session.browser.newPage();
  await page.goto(`file://${resolve('dist/sse-devtools-viewer.html')}?theme=light`);
  const viewerInput = (await page.waitForSelector(byTestId('open-capture-input'), { timeout: GUARD })) as ElementHandle<HTMLInputElement>;
  await viewerInput.uploadFile(file);
  await page.waitForSelector(`${SELECTED} [data-testid="health-badge"][data-severity="warning"]`, { timeout: GUARD });
  await page.waitForSelector(`${byTestId('health-finding')}[data-code="framing-no-space"] ${byTestId('health-table')}`, { timeout: GUARD });
  await page.screenshot({ path: join(ARTIFACTS, 'viewer-doctor-light.png') });
  await page.close();
});

test("the demo server's healthy stream shows no warning or error badge", async () => {
  await openForm();
  const url = `${demo.url}/events?interval=50`;
  await fill('url-input', url);
  await fill('header-value', `Bearer ${DEFAULT_TOKEN}`);
  await pressConnect(url);
  await panel().waitForFunction((sel: string) => Number(document.querySelector(`${sel}`)?.textContent?.match(/(\d+) events?/)?.[1] ?? 0) >= 10, { timeout: GUARD }, `${SELECTED} .counts`);
  const severity = await panel().$eval(SELECTED, (item) => item.querySelector('[data-testid="health-badge"]')?.getAttribute('data-severity') ?? null);
  assert.ok(severity === null || severity === 'info', `no warning or error badge (got ${severity})`);
  // Nothing to show unasked; the toggle shows the view, which says so.
  assert.equal(await panel().$(byTestId('health-view')), null);
  await (await panel().waitForSelector(byTestId('health-toggle'), { visible: true, timeout: GUARD }))!.click();
  const shown = await panel().$eval(byTestId('health-view'), (el) => (el as HTMLElement).innerText);
  if (severity === null) assert.match(shown, /No findings/);
  await session.screenshot(join(ARTIFACTS, 'devtools-doctor-healthy-light.png'));
});
