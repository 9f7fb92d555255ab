/**
 * The demo server's page at `/`, in real Chromium: it loads under its strict CSP with nothing
 * refused, and its buttons run their streams from the page (fetch, POST, Bearer) and show the text
 * the server answered.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { answerFor } from '../../src/servers/llm/answer.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { ARTIFACTS, CHROMIUM_FLAGS, chromiumPath } from '../helpers/browser.js';

describe('the demo page', () => {
  let server: ScenarioServer;
  let browser: Browser;
  before(async () => {
    server = await startScenarioServer();
    browser = await chromium.launch({ headless: true, executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
  });
  after(async () => {
    await browser.close();
    await server.close();
  });

  async function open(colorScheme: 'light' | 'dark'): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ colorScheme, viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP refused ${e.violatedDirective}: ${e.blockedURI}`)));
    const response = await page.goto(`${server.url}/`);
    assert.match(response?.headers()['content-security-policy'] ?? '', /default-src 'none'/);
    return { page, problems };
  }

  async function run(page: Page, format: string): Promise<string> {
    await page.click(`[data-format="${format}"]`);
    await page.waitForFunction(() => ['done', 'failed'].includes(document.querySelector('[data-testid="demo-status"]')?.getAttribute('data-state') ?? ''), undefined, { timeout: 30_000 });
    assert.equal(await page.getAttribute('[data-testid="demo-status"]', 'data-state'), 'done', await page.textContent('[data-testid="demo-status"]') ?? '');
    return (await page.textContent('[data-testid="demo-output"]')) ?? '';
  }

  test('loads under its CSP with a button per format; OpenAI, MCP and legacy MCP streams complete and show what the server answered', async () => {
    const { page, problems } = await open('light');
    const formats = await page.$$eval('[data-format]', (bs) => bs.map((b) => b.getAttribute('data-format')));
    assert.deepEqual(formats, ['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'ai-sdk', 'mcp', 'mcp-legacy']);
    assert.match((await page.textContent('#curl')) ?? '', /curl -N -H 'Authorization: Bearer demo-token'/);
    assert.equal(await run(page, 'openai-chat'), answerFor('What is the weather in Zürich?'));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-page-light.png'), fullPage: true });
    const weather = 'Zürich: 14 °C, light rain, wind 9 km/h.';
    assert.equal(await run(page, 'mcp'), ['… Looking up Zürich', '… Reading the latest observations', '… Writing the summary', weather].join('\n'));
    assert.match(await run(page, 'mcp-legacy'), new RegExp(`${weather.replace(/\./g, '\\.')}$`));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('in the dark scheme too', async () => {
    const { page, problems } = await open('dark');
    assert.equal(await run(page, 'anthropic'), answerFor('What are Server-Sent Events?'));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-page-dark.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
