/**
 * Hidden Unicode from a real server, in the panel opened as a tab in real Chromium: right-to-left
 * overrides, zero-width characters and C1 controls in event types, ids, data, comments, JSON keys
 * and header values are shown as visible escape tokens, never raw, so "\u202egnp.exe" cannot read
 * as "exe.png" anywhere in the panel.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { ARTIFACTS, launchWithExtension, type ExtensionBrowser } from '../helpers/browser.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';

const GUARD = 20_000;
/** Every character the panel must never render raw (C1 included: header bytes arrive as Latin-1). */
const RAW_HIDDEN = /[\u0080-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

const RLO = '\u202e';
const ZWSP = '\u200b';

let browser: ExtensionBrowser;
let server: RawServer;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startRawServer((res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      // Node writes header strings as Latin-1 and fetch reads them back so: U+0085 (a C1 control)
      // arrives as is, and the UTF-8 bytes of U+202E arrive as "â\x80®".
      'X-File': `a\u0085b ${Buffer.from(RLO, 'utf8').toString('latin1')}`,
    });
    res.end(
      [
        `: ping${'\u2066'}\n\n`,
        `event: ${RLO}gnp.exe\nid: 1${ZWSP}2\ndata: {"file${RLO}":"${RLO}gnp.exe","z":"a${ZWSP}b\ufeffc"}\n\n`,
        `event: plain\nid: 3\ndata: x${'\u2067'}y\u200dz${'\u061c'}\n\n`,
      ].join(''),
    );
  });
  browser = await launchWithExtension();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function connect(page: Page, url: string): Promise<void> {
  await page.getByTestId('url-input').fill(url);
  await page.getByTestId('header-value').first().fill('Bearer x');
  if ((await page.getByTestId('max-attempts').count()) === 0) await page.getByTestId('toggle-reconnect').click();
  await page.getByTestId('max-attempts').fill('1');
  await page.getByTestId('connect-button').click();
  await page.getByTestId('connection-item').first().waitFor({ timeout: GUARD });
}

/** What a user reads there, and the escape tokens in it. */
async function shown(where: Locator): Promise<{ text: string; tokens: string[] }> {
  return where.evaluate((el) => ({ text: (el as HTMLElement).innerText, tokens: [...el.querySelectorAll('.esc')].map((t) => t.textContent ?? '') }));
}

test('right-to-left overrides, zero-width characters and C1 controls are shown as escapes in every part of the panel', async () => {
  const page = await browser.openPanel();
  await connect(page, server.url);
  const rows = page.locator('[data-testid="timeline-row"][data-kind="event"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 2, undefined, { timeout: GUARD });

  const event = await shown(rows.first());
  assert.ok(event.text.includes('\\u202egnp.exe'), `the channel reads as escaped: ${event.text}`);
  assert.ok(event.text.includes('1\\u200b2'), `the id shows its zero-width space: ${event.text}`);
  assert.ok(event.tokens.includes('\\u202e') && event.tokens.includes('\\u200b') && event.tokens.includes('\\ufeff'), `escapes are tokens: ${event.tokens.join(' ')}`);
  const comment = await shown(page.locator('[data-testid="timeline-row"][data-kind="comment"]').first());
  assert.ok(comment.tokens.includes('\\u2066'), `the comment shows its isolate: ${comment.text}`);

  const channel = await shown(page.locator('[data-testid="channel-item"]').first());
  assert.ok(channel.tokens.includes('\\u202e'), `the channel list escapes the type: ${channel.text}`);

  await rows.first().click();
  await page.getByTestId('json-tree').waitFor({ timeout: GUARD });
  const detail = await shown(page.getByTestId('detail-pane'));
  assert.ok(detail.text.includes('file\\u202e'), `a JSON key shows its override: ${detail.text}`);
  assert.ok(detail.text.includes('a\\u200bb\\ufeffc'), `a JSON value shows its zero-width characters: ${detail.text}`);
  await page.getByTestId('toggle-raw').click();
  const raw = await shown(page.getByTestId('detail-data'));
  assert.ok(raw.tokens.includes('\\u202e'), `the raw data escapes too: ${raw.text}`);

  await page.locator('[data-testid="timeline-row"][data-kind="response"]').first().click();
  const headers = await shown(page.getByTestId('detail-pane'));
  assert.match(headers.text, /a\\x85b â\\x80®/, 'a header value shows its C1 controls');

  const everything = await page.evaluate(() => document.getElementById('root')?.innerText ?? '');
  const leak = RAW_HIDDEN.exec(everything);
  assert.equal(leak, null, `no hidden character is rendered raw (found U+${leak?.[0].codePointAt(0)?.toString(16)} in "${everything.slice(Math.max(0, (leak?.index ?? 0) - 30), (leak?.index ?? 0) + 30)}")`);
  await page.screenshot({ path: join(ARTIFACTS, 'hidden-unicode.png') });
  await page.close();
});
