/**
 * Issue 13's done-criterion against the DEMO server itself (not a fixture): in the REAL DevTools, a
 * stream of each imitated format (OpenAI Chat, Responses, Anthropic, Gemini, AI SDK) connected from
 * the form shows the server's answer, timing, gaps, usage and tool call, linked both ways to its
 * events, in both themes; a broken one says so loudly; the demo page's MCP button, observed, shows
 * the MCP lens's calls table; and a capture of each LLM stream reopens with the same lens in the
 * panel and in the standalone viewer.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { ElementHandle, Frame } from 'puppeteer-core';
import { answerFor, reasoningFor } from '../../src/servers/llm/answer.js';
import { DEFAULT_TOKEN, startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions, exportSelected as exportSelectedCapture } from '../helpers/devtools-actions.js';

const GUARD = 20_000;
/** Five times a real model's pace: the first token after about 90 ms, then gaps of 4-13 ms. */
const SPEED = 5;
let server: ScenarioServer;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
// Visible: right after a theme switch reloads DevTools, the form is in the DOM before it can take a click.
const { field, fill, openForm, pressConnect } = panelActions(panel, GUARD, { visible: true });

before(async () => {
  server = await startScenarioServer({ port: 0, token: DEFAULT_TOKEN });
  session = await launchDevtools();
  await session.setTheme('light');
});
after(async () => {
  await session?.close();
  await server?.close();
});

const WEATHER_TOOL = { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

interface Case {
  lens: string;
  path: string;
  body: Record<string, unknown>;
  /** The answer text the server writes, shown whole in the lens; null when it answers with a tool call alone. */
  answer: string | null;
  /** The reasoning it writes first (a folded part of the lens), where asked for. */
  reasoning: string | null;
  usage: boolean;
  tool: boolean;
}

const WEATHER = 'What is the weather in Zürich?';
const CASES: readonly Case[] = [
  // The server's Chat tool call carries no text, so Chat is asked for text (a tool call is in the next three).
  {
    lens: 'openai-chat',
    path: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: WEATHER }] },
    answer: answerFor(WEATHER),
    reasoning: null,
    usage: true,
    tool: false,
  },
  // A Responses tool call carries no message either: what it writes as text is its reasoning summary.
  {
    lens: 'openai-responses',
    path: '/v1/responses',
    body: { model: 'gpt-5-mini', stream: true, input: WEATHER, reasoning: { effort: 'low', summary: 'auto' }, tools: [{ type: 'function', ...WEATHER_TOOL }] },
    answer: null,
    reasoning: reasoningFor(WEATHER),
    usage: true,
    tool: true,
  },
  {
    lens: 'anthropic',
    path: '/v1/messages',
    body: {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: WEATHER }],
      tools: [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters }],
    },
    // The text anthropic.ts writes before a tool_use block (a literal there, not exported).
    answer: 'Let me look that up for you.',
    reasoning: reasoningFor(WEATHER),
    usage: true,
    tool: true,
  },
  {
    lens: 'gemini',
    path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    body: {
      contents: [{ role: 'user', parts: [{ text: WEATHER }] }],
      generationConfig: { thinkingConfig: { includeThoughts: true } },
      tools: [{ functionDeclarations: [WEATHER_TOOL] }],
    },
    // The text gemini.ts writes before a functionCall part (a literal there, not exported).
    answer: 'Let me check.',
    reasoning: reasoningFor(WEATHER),
    usage: true,
    tool: true,
  },
  // The AI SDK's UI message stream imitated here has no tool parts.
  {
    lens: 'ai-sdk',
    path: '/api/chat',
    body: { id: 'chat-demo', reasoning: true, messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: WEATHER }] }] },
    answer: answerFor(WEATHER),
    reasoning: reasoningFor(WEATHER),
    usage: true,
    tool: false,
  },
];

/** What the lens shows of a case once it has all come: its answer, or its tool call's name. */
const shownOf = (c: Case): string[] => [c.answer ?? 'get_weather'];

const urlOf = (path: string, query: string): string => `${server.url}${path}${path.includes('?') ? '&' : '?'}${query}`;

/** Opens a POST stream as a user does in the form: an API call with a JSON body and the demo token. */
async function connect(url: string, body: Record<string, unknown>): Promise<void> {
  await openForm();
  await fill('url-input', url);
  await fill('header-value', `Bearer ${DEFAULT_TOKEN}`);
  await panel().select(byTestId('method-select'), 'POST');
  await fill('body-input', JSON.stringify(body));
  // An API client does not reconnect after the answer ends, as EventSource would.
  if (!(await panel().$(byTestId('max-attempts')))) await (await field('toggle-reconnect')).click();
  await fill('max-attempts', '1');
  await pressConnect(url);
}

async function waitForLens(lens: string, texts: readonly string[], frame: Frame = panel()): Promise<void> {
  await frame.waitForSelector(`${byTestId('lens-view')}[data-lens="${lens}"]`, { timeout: GUARD });
  await frame.waitForFunction(
    (ts: string[]) => {
      const shown = document.querySelector<HTMLElement>('[data-testid="lens-view"]')?.innerText ?? '';
      return ts.every((t) => shown.includes(t));
    },
    { timeout: GUARD },
    [...texts],
  ).catch(async (e: unknown) => {
    const shown = await frame.$eval(byTestId('lens-view'), (el) => (el as HTMLElement).innerText).catch(() => '(no lens view)');
    throw new Error(`${lens}: the lens view does not show ${JSON.stringify(texts)}; it shows:\n${shown}`, { cause: e });
  });
}

const ended = (): Promise<unknown> => panel().waitForFunction(() => !document.querySelector('[data-testid="lens-streaming"]'), { timeout: GUARD });

/** Selects the (last) connection in the list whose URL contains `part`. */
async function selectConnection(part: string): Promise<void> {
  const items = await panel().$$(byTestId('connection-item'));
  for (const item of items.reverse()) {
    if ((await item.$eval('.label', (l) => l.getAttribute('title') ?? '')).includes(part)) {
      await item.click();
      return;
    }
  }
  assert.fail(`no connection for ${part}`);
}

const exportSelected = (): Promise<string> => exportSelectedCapture(session, GUARD);

/** Opens a capture with the panel's "Open capture…" and waits until what it imported is the selected connection. */
async function reopenInPanel(path: string): Promise<void> {
  const before = await panel().$$eval(byTestId('connection-item'), (els) => els.map((e) => e.getAttribute('data-id')));
  const input = (await panel().waitForSelector('[data-testid="open-capture-input"]', { timeout: GUARD })) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(path);
  await panel().waitForFunction(
    (old: (string | null)[]) => {
      const id = document.querySelector('[data-testid="connection-item"][aria-selected="true"]')?.getAttribute('data-id');
      return id !== undefined && !old.includes(id ?? null);
    },
    { timeout: GUARD },
    before,
  );
}

/** Clicks event rows from the top until one wrote characters of the transcript; returns what it marked and its raw data. */
async function markFromARow(): Promise<{ mark: string; data: string }> {
  const rows = await panel().$$('[data-testid="timeline-row"][data-kind="event"]');
  for (const row of rows.slice(0, 15)) {
    await row.click();
    const mark = await panel()
      .waitForSelector(byTestId('lens-mark'), { timeout: 400 })
      .then((m) => m?.evaluate((e) => e.textContent ?? '') ?? '')
      .catch(() => '');
    if (mark.trim() !== '') return { mark, data: await row.$eval('.c-data', (e) => (e as HTMLElement).innerText) };
  }
  return assert.fail('no event row marks characters of the transcript');
}

const captures = new Map<string, string>();

for (const c of CASES) {
  test(`${c.lens} from the demo server: its answer, timing, gaps, usage${c.tool ? ', tool call' : ''}, linked both ways`, async () => {
    const url = urlOf(c.path, `speed=${SPEED}`);
    await connect(url, c.body);
    await waitForLens(c.lens, shownOf(c));
    await ended();
    assert.match(await panel().$eval(byTestId('lens-ttft'), (el) => el.textContent), /\d+ ms|\d\.\d+ s/, 'time to first token is shown');
    assert.match(await panel().$eval(byTestId('lens-total'), (el) => el.textContent), /\d+ ms|\d\.\d+ s/, 'total duration is shown');
    assert.ok(await panel().$(byTestId('lens-gap-chart')), 'the gaps between deltas are charted');
    assert.equal(!!(await panel().$(byTestId('lens-usage'))), c.usage, 'usage is shown when the stream carries it');
    assert.equal((await panel().$$(byTestId('lens-finding'))).length, 0, 'a complete stream has no finding');
    if (c.tool) {
      const names = await panel().$$eval(byTestId('lens-tool-name'), (els) => els.map((e) => e.textContent));
      assert.ok(names.includes('get_weather'), `the tool call is shown (${names.join(', ')})`);
      const args = await panel().$eval(`${byTestId('lens-view')} ${byTestId('json-tree')}`, (el) => (el as HTMLElement).innerText);
      assert.ok(args.includes('city') && args.includes('Zürich'), `the arguments are parsed, escapes and all: ${args}`);
    }
    if (c.reasoning !== null) {
      const reasoning = await panel().$eval(`${byTestId('lens-view')} ${byTestId('lens-part')}[data-kind="reasoning"]`, (el) => el.textContent);
      assert.ok(reasoning.includes(c.reasoning), `the reasoning is its own part: ${reasoning}`);
    }
    await session.screenshot(join(ARTIFACTS, `devtools-lens-demo-${c.lens}-light.png`));

    // An event → the characters it wrote.
    const { mark, data } = await markFromARow();
    assert.ok([c.answer, c.reasoning].some((t) => t?.includes(mark)), `the mark "${mark}" is part of what the server wrote`);
    assert.ok(data.includes(JSON.stringify(mark).slice(1, -1)) || data.includes(mark.trim()), `the selected event carries the marked text "${mark}": ${data.slice(0, 200)}`);
    // A part → its events.
    const part = await panel().$(`${byTestId('lens-view')} ${byTestId('lens-part-events')}`);
    assert.ok(part, 'a part links to its events');
    const count = Number(/\d+/.exec((await part.evaluate((e) => e.textContent)) ?? '')?.[0] ?? 'NaN');
    await part.click();
    await panel().waitForSelector('[data-testid="timeline-row"][data-linked="true"]', { timeout: GUARD });
    const linked = (await panel().$$('[data-testid="timeline-row"][data-linked="true"]')).length;
    assert.ok(linked > 0 && linked <= count, `the part's ${count} events are marked in the timeline (${linked} rows in view)`);
    captures.set(c.lens, await exportSelected());
  });
}

test('the five LLM lenses in the dark theme', async () => {
  await session.setTheme('dark');
  for (const c of CASES) {
    await selectConnection(c.path.split('?')[0]!);
    await waitForLens(c.lens, shownOf(c));
    await session.screenshot(join(ARTIFACTS, `devtools-lens-demo-${c.lens}-dark.png`));
  }
  await session.setTheme('light');
});

test('fail=mid and fail=error: the loud finding', async () => {
  const [chat, , anthropic] = CASES;
  for (const [c, fail, code] of [
    [chat!, 'mid', 'no-terminal'],
    [anthropic!, 'error', 'error-after-200'],
  ] as const) {
    await connect(urlOf(c.path, `speed=${SPEED}&fail=${fail}`), c.body);
    await panel().waitForSelector(`${byTestId('lens-view')}[data-lens="${c.lens}"] ${byTestId('lens-finding')}[data-code="${code}"]`, { timeout: GUARD });
    const first = await panel().$eval(`${byTestId('lens-body')} > *`, (el) => el.getAttribute('data-testid'));
    assert.equal(first, 'lens-findings', 'findings come first');
    await session.screenshot(join(ARTIFACTS, `devtools-lens-demo-fail-${fail}-light.png`));
  }
});

test('captures of the five reopen with the same lens and answer, in the panel and in the viewer', async () => {
  const viewerTheme = ['light', 'dark'] as const;
  let i = 0;
  for (const c of CASES) {
    const path = captures.get(c.lens);
    assert.ok(path, `${c.lens} was exported`);
    await reopenInPanel(path);
    await waitForLens(c.lens, shownOf(c));
    const theme = viewerTheme[i++ % 2]!;
    const page = await session.browser.newPage();
    await page.goto(`file://${resolve('dist/sse-devtools-viewer.html')}?theme=${theme}`);
    const viewerInput = (await page.waitForSelector('[data-testid="open-capture-input"]', { timeout: GUARD })) as ElementHandle<HTMLInputElement>;
    await viewerInput.uploadFile(path);
    await waitForLens(c.lens, shownOf(c), page.mainFrame());
    await page.screenshot({ path: join(ARTIFACTS, `viewer-lens-demo-${c.lens}-${theme}.png`) });
    await page.close();
  }
});

test("MCP from the demo page, observed: the calls table of the session's connections", async () => {
  await session.inspected.goto(`${server.url}/`);
  await panel().waitForFunction((o: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(o), { timeout: GUARD }, server.url);
  await (await field('observe-toggle')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-status"]')?.textContent?.includes('hook active'), { timeout: GUARD });
  // The button is clicked in the reloaded (observed) document, not in the one the reload replaces.
  await session.inspected.evaluate(() => ((window as unknown as { beforeReload: boolean }).beforeReload = true));
  await (await field('reload-and-observe')).click();
  // The inspected tab lies behind the DevTools window, so it does not paint: a DOM click, and no
  // waiting on animation frames there.
  for (let tries = 0; ; tries++) {
    const clicked = await session.inspected
      .waitForFunction(
        () => {
          const button = document.querySelector<HTMLButtonElement>('[data-format="mcp"]');
          if ((window as unknown as { beforeReload?: boolean }).beforeReload || !button) return false;
          button.click();
          return true;
        },
        { timeout: GUARD, polling: 100 },
      )
      .catch((e: unknown) => (tries < 3 ? null : Promise.reject(e)));
    if (clicked) break;
  }
  await session.inspected.waitForFunction(() => document.querySelector('[data-testid="demo-status"]')?.getAttribute('data-state') === 'done', { timeout: GUARD, polling: 100 });

  const observed = `${byTestId('observed-group')} ${byTestId('connection-item')}`;
  await panel().waitForFunction((sel: string) => [...document.querySelectorAll(`${sel} .label`)].some((l) => l.getAttribute('title')?.endsWith('/mcp')), { timeout: GUARD }, observed);
  const items = await panel().$$(observed);
  const mcpItems: ElementHandle[] = [];
  for (const item of items) if ((await item.$eval('.label', (l) => l.getAttribute('title') ?? '')).endsWith('/mcp')) mcpItems.push(item);
  await mcpItems.at(-1)!.click();
  await panel().waitForSelector(`${byTestId('lens-view')}[data-lens="mcp"]`, { timeout: GUARD });
  await panel().waitForFunction(() => [...document.querySelectorAll('[data-testid="mcp-call"]')].some((r) => (r as HTMLElement).innerText.includes('tools/call') && r.getAttribute('data-outcome') === 'result'), { timeout: GUARD });
  const rows = await panel().$$eval(byTestId('mcp-call'), (els) =>
    els.map((e) => ({ outcome: e.getAttribute('data-outcome'), cells: [...e.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText), session: e.querySelector('td:last-child')?.getAttribute('title') ?? '' })),
  );
  await session.screenshot(join(ARTIFACTS, 'devtools-lens-demo-mcp-light.png'));
  console.log(`observed /mcp connections: ${mcpItems.length}; calls: ${JSON.stringify(rows)}`);
  const call = rows.find((r) => r.cells[0] === 'tools/call');
  assert.ok(call, 'tools/call is in the table');
  assert.match(call.cells[2] ?? '', /\d+ ms|\d\.\d+ s/, 'with its latency');
  assert.ok(call.cells[3]?.includes('Zürich'), `with its result: ${call.cells[3]}`);
  assert.match(call.cells[4] ?? '', /\d+ \/ \d+ \(\d+\)/, 'with its progress');
  assert.notEqual(call.session, 'no session id', 'with the session id');
  assert.ok(rows.some((r) => r.cells[0] === 'initialize' && r.outcome === 'result'), "the session's initialize, from another connection of the same endpoint, is folded in");

  // The call's result → its raw event in the timeline.
  const resultLink = await panel().$$(`${byTestId('mcp-call')} .mcp-summary button`);
  await resultLink.at(-1)!.click();
  await panel().waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="timeline-row"][aria-selected="true"] .c-data')?.innerText.includes('Zürich') ?? false, { timeout: GUARD });

  await session.setTheme('dark');
  await panel().waitForSelector(`${byTestId('lens-view')}[data-lens="mcp"]`, { timeout: GUARD });
  await session.screenshot(join(ARTIFACTS, 'devtools-lens-demo-mcp-dark.png'));

  // Its capture reopens with the MCP lens and the call.
  const path = await exportSelected();
  await reopenInPanel(path);
  await panel().waitForFunction(() => document.querySelector('[data-testid="lens-view"]')?.getAttribute('data-lens') === 'mcp' && [...document.querySelectorAll('[data-testid="mcp-call"]')].some((r) => (r as HTMLElement).innerText.includes('tools/call')), { timeout: GUARD });
  const reopened = await panel().$$eval(byTestId('mcp-call'), (els) => els.map((e) => (e.querySelector('td') as HTMLElement).innerText));
  console.log(`reopened MCP capture: calls ${JSON.stringify(reopened)}; ${await panel().$eval(byTestId('lens-view'), (el) => (el as HTMLElement).innerText.split('\n')[0])}`);
  await session.screenshot(join(ARTIFACTS, 'devtools-lens-demo-mcp-reopened-dark.png'));
  // The capture is one connection of the session: its call alone, not folded with the live session's (whose ids it repeats).
  assert.deepEqual(reopened, ['tools/call']);
  assert.equal(await panel().$(`${byTestId('lens-finding')}[data-code="duplicate-request-id"]`), null);
});
