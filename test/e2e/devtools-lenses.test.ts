/**
 * Lenses in the REAL DevTools panel (issue 13): a POST-answered stream of each format from a real
 * 127.0.0.1 server (the fixtures of test/fixtures/lenses, paced like tokens) shows its assembled
 * result, timing and usage beside the timeline, linked both ways; a cut stream says so loudly; a
 * capture reopens with the same lens, a hand-picked one included, in the panel and in the viewer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { ElementHandle, Frame, Page } from 'puppeteer-core';
import { parseCapture } from '../../src/core/capture/schema.js';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions, exportSelected as exportSelectedCapture } from '../helpers/devtools-actions.js';
import { startLensFixtureServer, type LensFixtureServer } from '../helpers/lens-fixture-server.js';

const GUARD = 20_000;
let server: LensFixtureServer;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field, fill, openForm, pressConnect } = panelActions(panel, GUARD);

before(async () => {
  server = await startLensFixtureServer();
  session = await launchDevtools();
});
after(async () => {
  await session?.close();
  await server?.close();
});

/** Opens a POST stream as a user does in the form (an API call with a JSON body and a bearer token). */
async function connect(url: string): Promise<void> {
  await openForm();
  await fill('url-input', url);
  await fill('header-value', 'Bearer sk-test');
  await panel().select(byTestId('method-select'), 'POST');
  await fill('body-input', '{"stream":true}');
  // An API client does not reconnect after the answer ends, as EventSource would.
  if (!(await panel().$(byTestId('max-attempts')))) await (await field('toggle-reconnect')).click();
  await fill('max-attempts', '1');
  await pressConnect(url);
}

const lensText = (): Promise<string> => panel().$eval(byTestId('lens-view'), (el) => (el as HTMLElement).innerText);

async function waitForLens(lens: string, text: string): Promise<void> {
  await panel().waitForSelector(`${byTestId('lens-view')}[data-lens="${lens}"]`, { timeout: GUARD });
  await panel().waitForFunction((t: string) => document.querySelector<HTMLElement>('[data-testid="lens-view"]')?.innerText.includes(t) ?? false, { timeout: GUARD }, text);
}

interface Case {
  fixture: string;
  lens: string;
  /** Assembled text the lens must show. */
  text: string;
  usage: boolean;
  tool?: string;
}

const CASES: readonly Case[] = [
  { fixture: 'openai-chat-complete', lens: 'openai-chat', text: 'Bonjour, Zürich 🌍!', usage: true },
  { fixture: 'openai-responses-complete', lens: 'openai-responses', text: 'It is sunny in Zürich.', usage: true, tool: 'get_weather' },
  { fixture: 'anthropic-complete', lens: 'anthropic', text: 'Let me check Paris and Zürich 🌦.', usage: true, tool: 'get_weather' },
  { fixture: 'gemini-complete', lens: 'gemini', text: 'Paris is cool, Zürich 🌦 is wet.', usage: true, tool: 'get_weather' },
  { fixture: 'ai-sdk-complete', lens: 'ai-sdk', text: 'Checking Paris and Zürich 🌦.', usage: false, tool: 'get_weather' },
];

for (const c of CASES) {
  test(`${c.lens}: the lens shows the assembled answer, timing${c.usage ? ' and usage' : ''}, with no finding`, async () => {
    await connect(server.urlFor(c.fixture));
    await waitForLens(c.lens, c.text);
    await panel().waitForFunction(() => !document.querySelector('[data-testid="lens-streaming"]'), { timeout: GUARD });
    assert.match(await panel().$eval(byTestId('lens-ttft'), (el) => el.textContent), /\d+ ms|\d\.\d+ s/, 'time to first token is shown');
    assert.match(await panel().$eval(byTestId('lens-total'), (el) => el.textContent), /\d+ ms|\d\.\d+ s/, 'total duration is shown');
    assert.ok(await panel().$(byTestId('lens-gap-chart')), 'the gaps between deltas are charted');
    assert.equal(!!(await panel().$(byTestId('lens-usage'))), c.usage, 'usage is shown when the stream carries it');
    if (c.usage) assert.ok(await panel().$(byTestId('lens-rate')), 'tokens/s from usage');
    assert.equal((await panel().$$(byTestId('lens-finding'))).length, 0, 'a complete stream has no finding');
    if (c.tool) {
      const names = await panel().$$eval(byTestId('lens-tool-name'), (els) => els.map((e) => e.textContent));
      assert.ok(names.includes(c.tool), `the tool call ${c.tool} is shown (${names.join(', ')})`);
      assert.ok(await panel().$(`${byTestId('lens-view')} ${byTestId('json-tree')}`), "the tool call's arguments are parsed");
    }
    assert.match(await panel().$eval(byTestId('lens-picker'), (el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? ''), /^Auto \(detected: /);
    for (const theme of ['light', 'dark'] as const) {
      await session.setTheme(theme);
      await waitForLens(c.lens, c.text);
      await session.screenshot(join(ARTIFACTS, `devtools-lens-${c.lens}-${theme}.png`));
    }
  });
}

test('mcp: the JSON-RPC response is in the calls table, with its result and session', async () => {
  await connect(server.urlFor('mcp-tools-call', { path: '/mcp' }));
  await waitForLens('mcp', 'Paris: 18 °C, light rain');
  const rows = await panel().$$eval(byTestId('mcp-call'), (els) => els.map((e) => ({ outcome: e.getAttribute('data-outcome'), text: (e as HTMLElement).innerText })));
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.outcome, 'result');
  assert.match(rows[0]?.text ?? '', /\b5\b/, 'the call id');
  for (const theme of ['light', 'dark'] as const) {
    await session.setTheme(theme);
    await waitForLens('mcp', 'Paris: 18 °C, light rain');
    await session.screenshot(join(ARTIFACTS, `devtools-lens-mcp-${theme}.png`));
  }
});

/** Where characters [from, to) of a transcript text are drawn, relative to the element. */
function charBox(el: ElementHandle, from: number, to: number) {
  return el.evaluate(
    (node, a: number, b: number) => {
      const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      let at = 0;
      let started = false;
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const len = t.textContent!.length;
        if (!started && a < at + len) {
          range.setStart(t, a - at);
          started = true;
        }
        if (started && b <= at + len) {
          range.setEnd(t, b - at);
          break;
        }
        at += len;
      }
      const r = range.getBoundingClientRect();
      const box = node.getBoundingClientRect();
      return { x: r.left - box.left, y: r.top - box.top, w: r.width, h: r.height };
    },
    from,
    to,
  );
}

test('linked both ways: selecting text selects the events that wrote it; selecting an event marks its text', async () => {
  await session.setTheme('light');
  await connect(server.urlFor('openai-chat-complete'));
  await waitForLens('openai-chat', 'Bonjour, Zürich 🌍!');
  // Ended, so nothing redraws the text under the mouse; and stopped, so the toolbar's Pause button is
  // gone (while live the filter bar wraps at this width, and its unwrapping moved the text 18 px up
  // between measuring it and dragging over it).
  await panel().waitForFunction(() => !document.querySelector('[data-testid="lens-streaming"]'), { timeout: GUARD });
  await panel().waitForSelector('[data-testid="connection-item"][aria-selected="true"][data-phase="closed"]', { timeout: GUARD });
  const text = await panel().waitForSelector(`${byTestId('lens-view')} ${byTestId('lens-text')}`, { timeout: GUARD });
  assert.ok(text);
  const full = await text.evaluate((el) => el.textContent);
  assert.equal(full, 'Bonjour, Zürich 🌍!');

  // A drag over "Bonjour, Zü" with the real mouse: the fixture's deltas are "Bonjour", ", Zü", "rich 🌍", "!".
  const box = (await text.boundingBox())!;
  const start = await charBox(text, 0, 1);
  const end = await charBox(text, 10, 11);
  const mouse = session.devtools.mouse;
  await mouse.move(box.x + start.x + 1, box.y + start.y + start.h / 2);
  await mouse.down();
  await mouse.move(box.x + end.x + end.w - 1, box.y + end.y + end.h / 2, { steps: 5 });
  await mouse.up();
  const dragged = await panel().evaluate(() => document.getSelection()?.toString() ?? '');
  assert.equal(dragged, 'Bonjour, Zü', 'the drag selected the text');
  await panel().waitForSelector('[data-testid="timeline-row"][data-linked="true"]', { timeout: GUARD });
  const linked = await panel().$$eval('[data-testid="timeline-row"][data-linked="true"]', (els) => els.map((e) => (e.querySelector('.c-data') as HTMLElement).innerText));
  assert.equal(linked.length, 2, `the two events that wrote "Bonjour, Zü" are marked: ${linked.join(' | ')}`);
  assert.ok(linked[0]!.includes('"Bonjour"') && linked[1]!.includes('", Zü"'), linked.join(' | '));
  const selected = await panel().$eval('[data-testid="timeline-row"][aria-selected="true"]', (e) => (e.querySelector('.c-data') as HTMLElement).innerText);
  assert.ok(selected.includes('Bonjour'), 'the first of them is the selected row');
  assert.equal(await panel().evaluate(() => document.getSelection()?.toString() ?? ''), 'Bonjour, Zü', 'the text stays selected');
  await session.screenshot(join(ARTIFACTS, 'devtools-lens-linked-text-to-events.png'));

  // The other way, with the keyboard: the row after is the event that wrote ", Zürich"; its characters are marked.
  await (await field('timeline')).focus();
  await session.devtools.keyboard.press('ArrowDown');
  await panel().waitForSelector(byTestId('lens-mark'), { timeout: GUARD });
  const row = await panel().$eval('[data-testid="timeline-row"][aria-selected="true"]', (e) => (e.querySelector('.c-data') as HTMLElement).innerText);
  const marked = await panel().$eval(byTestId('lens-mark'), (e) => e.textContent);
  assert.equal(marked, ', Zü', `the mark is what the selected event wrote (${row})`);
  assert.equal((await panel().$$('[data-testid="timeline-row"][data-linked="true"]')).length, 0, 'picking a row clears the earlier link');
  await session.screenshot(join(ARTIFACTS, 'devtools-lens-linked-event-to-text.png'));
  await session.setTheme('dark');
  await panel().waitForSelector(byTestId('lens-view'), { timeout: GUARD });
  await (await panel().$$('[data-testid="timeline-row"][data-kind="event"]'))[2]!.click();
  await panel().waitForSelector(byTestId('lens-mark'), { timeout: GUARD });
  await session.screenshot(join(ARTIFACTS, 'devtools-lens-linked-dark.png'));

  // From the keyboard: a part's "4 events" button, focused and pressed, marks every event of the answer.
  await panel().focus(`${byTestId('lens-view')} ${byTestId('lens-part-events')}`);
  await session.devtools.keyboard.press('Enter');
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-linked="true"]').length === 4, { timeout: GUARD });
});

test('a cut stream (no [DONE]) says so loudly at the top, linked to its row', async () => {
  await connect(server.urlFor('openai-chat-complete', { cut: 1 }));
  await panel().waitForSelector(`${byTestId('lens-finding')}[data-code="no-terminal"]`, { timeout: GUARD });
  const first = await panel().$eval(`${byTestId('lens-body')} > *`, (el) => el.getAttribute('data-testid'));
  assert.equal(first, 'lens-findings', 'findings come first');
  await panel().click(`${byTestId('lens-finding')}[data-code="no-terminal"] ${byTestId('lens-finding-row')}`);
  await panel().waitForSelector('[data-testid="timeline-row"][aria-selected="true"]', { timeout: GUARD });
  for (const theme of ['light', 'dark'] as const) {
    await session.setTheme(theme);
    await panel().waitForSelector(`${byTestId('lens-finding')}[data-code="no-terminal"]`, { timeout: GUARD });
    await session.screenshot(join(ARTIFACTS, `devtools-lens-cut-${theme}.png`));
  }
});

const chunk = (content: string) => `data: ${JSON.stringify({ id: 'chatcmpl-h', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

test('hostile: markup in a delta stays text, and a huge delta does not break the view', async () => {
  const markup = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b> **not markdown**';
  server.register('hostile', [chunk(markup), chunk('A'.repeat(400_000)), 'data: [DONE]\n\n']);
  await connect(server.urlFor('hostile'));
  await waitForLens('openai-chat', '**not markdown**');
  assert.ok((await lensText()).includes('<b>bold</b>'), 'the markup is shown as the characters it is');
  assert.equal((await panel().$$(`${byTestId('lens-view')} img, ${byTestId('lens-text')} *:not(mark)`)).length, 0, 'no element came from the stream');
  await panel().waitForSelector(`${byTestId('lens-view')} .lens-cut`, { timeout: GUARD });
  assert.notEqual(await panel().evaluate(() => document.title), 'pwned');
  await session.screenshot(join(ARTIFACTS, 'devtools-lens-hostile.png'));
});

test('20 000 deltas: the panel stays responsive and the transcript ends whole', async () => {
  const pieces: string[] = [];
  for (let i = 0; i < 100; i++) pieces.push(Array.from({ length: 200 }, (_, j) => chunk(`w${i * 200 + j} `)).join(''));
  pieces.push('data: [DONE]\n\n');
  server.register('many', pieces);
  // A figure, not a check: the panel's long tasks (over 50 ms) while it takes the stream.
  await panel().evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => w.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
  });
  const started = Date.now();
  await connect(server.urlFor('many', { gap: 20 }));
  // While it streams, the panel answers: the lens picker opens and the timeline takes a click.
  await panel().waitForSelector(`${byTestId('lens-view')}[data-lens="openai-chat"]`, { timeout: GUARD });
  // Rows are recycled as the timeline follows the stream: the click goes to whichever row is there now.
  await panel().$eval('[data-testid="timeline-row"]', (el) => (el as HTMLElement).click());
  await panel().waitForSelector('[data-testid="timeline-row"][aria-selected="true"]', { timeout: GUARD });
  await waitForLens('openai-chat', 'w19999 ');
  const seconds = (Date.now() - started) / 1000;
  const length = await panel().$eval(byTestId('lens-text'), (el) => el.textContent.length);
  let expected = 0;
  for (let i = 0; i < 20_000; i++) expected += `w${i} `.length;
  assert.equal(length, expected, 'every delta is in the transcript once');
  const longTasks = await panel().evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  console.log(`20 000 deltas: whole transcript shown ${seconds.toFixed(1)} s after Connect; ${longTasks.length} long tasks in the panel, the longest ${Math.round(Math.max(0, ...longTasks))} ms`);
});

const exportSelected = (): Promise<string> => exportSelectedCapture(session, GUARD);

async function fileInput(): Promise<ElementHandle<HTMLInputElement>> {
  return (await panel().waitForSelector('[data-testid="open-capture-input"]', { timeout: GUARD })) as ElementHandle<HTMLInputElement>;
}

async function openInViewer(path: string, theme: 'light' | 'dark'): Promise<Page> {
  const page = await session.browser.newPage();
  await page.goto(`file://${resolve('dist/sse-devtools-viewer.html')}?theme=${theme}`);
  const input = await page.waitForSelector('[data-testid="open-capture-input"]', { timeout: GUARD });
  await (input as ElementHandle<HTMLInputElement>).uploadFile(path);
  return page;
}

test('captures: a detected lens and a hand-picked one reopen the same in the panel and the viewer; an unknown name is ignored with a note', async () => {
  await session.setTheme('light');
  // Detected: the Anthropic stream.
  await connect(server.urlFor('anthropic-complete'));
  await waitForLens('anthropic', 'Let me check Paris and Zürich 🌦.');
  const detected = await exportSelected();
  assert.equal(JSON.parse(readFileSync(detected, 'utf8')).connections[0].lens, undefined, 'a detected lens is not written: detection gives it back');

  // Hand-picked: the Chat stream read as None, then as Chat again by name.
  await connect(server.urlFor('openai-chat-complete'));
  await waitForLens('openai-chat', 'Bonjour');
  await panel().select(byTestId('lens-picker'), 'none');
  await panel().waitForFunction(() => !document.querySelector('[data-testid="lens-view"]'), { timeout: GUARD });
  await panel().select(byTestId('lens-picker'), 'openai-chat');
  await waitForLens('openai-chat', 'Bonjour, Zürich 🌍!');
  const picked = await exportSelected();
  const parsed = parseCapture(readFileSync(picked, 'utf8'));
  assert.ok(parsed.ok);
  assert.equal(parsed.capture.connections[0]?.lens, 'openai-chat', 'the hand-picked lens is saved');

  for (const [path, lens, text] of [
    [detected, 'anthropic', 'Let me check Paris and Zürich 🌦.'],
    [picked, 'openai-chat', 'Bonjour, Zürich 🌍!'],
  ] as const) {
    await (await fileInput()).uploadFile(path);
    await waitForLens(lens, text);
    if (lens === 'openai-chat') assert.equal(await panel().$eval(byTestId('lens-picker'), (el) => (el as HTMLSelectElement).value), 'openai-chat', 'reopened with the hand-picked lens');
    for (const theme of ['light', 'dark'] as const) {
      const page = await openInViewer(path, theme);
      await page.waitForSelector(`[data-testid="lens-view"][data-lens="${lens}"]`, { timeout: GUARD });
      await page.waitForFunction((t: string) => document.querySelector<HTMLElement>('[data-testid="lens-view"]')!.innerText.includes(t), { timeout: GUARD }, text);
      await page.screenshot({ path: join(ARTIFACTS, `viewer-lens-${lens}-${theme}.png`) });
      await page.close();
    }
  }

  // A file naming a lens that does not exist (or worse) is opened, the name ignored with a note.
  const hostile = JSON.parse(readFileSync(picked, 'utf8'));
  hostile.connections[0].lens = '<img src=x onerror=alert(1)>';
  const hostilePath = join(mkdtempSync(join(tmpdir(), 'sse-lens-')), 'hostile.json');
  writeFileSync(hostilePath, JSON.stringify(hostile));
  await (await fileInput()).uploadFile(hostilePath);
  const note = await panel().waitForSelector(byTestId('lens-note'), { timeout: GUARD });
  assert.match((await note!.evaluate((el) => el.textContent)) ?? '', /does not know .*ignored/);
  await waitForLens('openai-chat', 'Bonjour, Zürich 🌍!');
  assert.equal(await panel().$eval(byTestId('lens-picker'), (el) => (el as HTMLSelectElement).value), 'auto', 'detected instead');
});

test("an observed page stream (the page's own fetch POST) shows its lens", async () => {
  await session.inspected.goto(`${server.url}page?fixture=anthropic-complete`);
  const origin = server.url.replace(/\/$/, '');
  await panel().waitForFunction((o: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(o), { timeout: GUARD }, origin);
  await (await field('observe-toggle')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-status"]')?.textContent?.includes('hook active'), { timeout: GUARD });
  await (await field('reload-and-observe')).click();
  const observed = `${byTestId('observed-group')} ${byTestId('connection-item')}`;
  await panel().waitForFunction((sel: string) => [...document.querySelectorAll(`${sel} .label`)].some((l) => l.getAttribute('title')?.includes('fixture=anthropic-complete')), { timeout: GUARD }, observed);
  for (const item of await panel().$$(observed)) {
    if ((await item.$eval('.label', (l) => l.getAttribute('title') ?? '')).includes('fixture=anthropic-complete')) await item.click();
  }
  await waitForLens('anthropic', 'Let me check Paris and Zürich 🌦.');
  await session.screenshot(join(ARTIFACTS, 'devtools-lens-observed.png'));

  // Exported with secrets redacted (the default), it is still an observed stream, and reopens with its lens.
  const path = await exportSelected();
  const parsed = parseCapture(readFileSync(path, 'utf8'));
  assert.ok(parsed.ok);
  assert.equal(parsed.capture.connections[0]?.observed?.api, 'fetch', 'the capture says the page opened the stream with fetch');
  await (await fileInput()).uploadFile(path);
  await waitForLens('anthropic', 'Let me check Paris and Zürich 🌦.');
});

test('docked narrow (550 px) and wide: the lens and the timeline are both in view', async () => {
  for (const width of [550, 1280]) {
    await session.resize(width);
    for (const theme of ['light', 'dark'] as const) {
      await session.setTheme(theme);
      await connect(server.urlFor('anthropic-complete'));
      await (await panel().$('[data-testid="pane-tab-timeline"]'))?.click();
      await waitForLens('anthropic', 'Let me check Paris and Zürich 🌦.');
      assert.ok(await (await panel().$(byTestId('lens-view')))!.isVisible(), 'the lens is shown');
      assert.ok(await (await panel().$(byTestId('timeline')))!.isVisible(), 'and the timeline with it');
      await session.screenshot(join(ARTIFACTS, `devtools-lens-${width}-${theme}.png`));
    }
  }
});

test('docked narrow (550 px), a stream with a finding: the lens and the timeline keep their room, and Health is a tab of its own', async () => {
  await session.resize(550);
  for (const theme of ['light', 'dark'] as const) {
    await session.setTheme(theme);
    // Cut before its terminal event: the doctor reports an error, which opens the Health view by itself when wide.
    await connect(server.urlFor('anthropic-complete', { cut: 12 }));
    await (await panel().$('[data-testid="pane-tab-timeline"]'))?.click();
    await panel().waitForSelector(`${byTestId('lens-view')}[data-lens="anthropic"] ${byTestId('lens-finding')}[data-code="no-terminal"]`, { timeout: GUARD });
    await panel().waitForFunction(() => /Health \(\d+\)/.test(document.querySelector('[data-testid="health-toggle"]')?.textContent ?? ''), { timeout: GUARD });
    assert.equal(await panel().$eval(byTestId('pane-tab-timeline'), (t) => t.getAttribute('aria-selected')), 'true', 'the finding did not take the Timeline tab away');
    const heights = await panel().evaluate(() => ({
      timeline: document.querySelector<HTMLElement>('[data-testid="timeline"]')!.getBoundingClientRect().height,
      lens: document.querySelector<HTMLElement>('[data-testid="lens-view"]')!.getBoundingClientRect().height,
    }));
    assert.ok(heights.timeline >= 150, `the timeline keeps room for its rows (${Math.round(heights.timeline)} px)`);
    assert.ok(heights.lens >= 150, `and the lens too (${Math.round(heights.lens)} px)`);
    await session.screenshot(join(ARTIFACTS, `devtools-lens-550-finding-${theme}.png`));
    await panel().waitForSelector(`${byTestId('pane-tab-health')} .health-badge.error`, { timeout: GUARD });

    // The Health tab shows the finding; its evidence leads back to the Timeline tab, on the row.
    await (await field('pane-tab-health')).click();
    const evidence = await panel().waitForSelector(`${byTestId('health-view')} [data-code="no-terminal"] ${byTestId('health-evidence')}`, { visible: true, timeout: GUARD });
    await session.screenshot(join(ARTIFACTS, `devtools-health-tab-550-${theme}.png`));
    const seq = await evidence!.evaluate((b) => b.getAttribute('data-seq'));
    await evidence!.click();
    await panel().waitForSelector(`${byTestId('pane-tab-timeline')}[aria-selected="true"]`, { timeout: GUARD });
    await panel().waitForSelector(`[data-testid="timeline-row"][data-seq="${seq}"][aria-selected="true"]`, { visible: true, timeout: GUARD });
  }
  await session.resize(1280);
});

