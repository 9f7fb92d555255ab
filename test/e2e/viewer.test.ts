/**
 * The standalone viewer in real Chromium, as a teammate opens it from file:// before any capture:
 * its empty state speaks of opening a file (it has no connect form), and its button opens one.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { serializeCapture } from '../../src/core/capture/format.js';
import { ARTIFACTS, CHROMIUM_FLAGS, chromiumPath } from '../helpers/browser.js';
import { madeCapture } from '../helpers/captures.js';

const GUARD = 20_000;
let dir: string;
let context: BrowserContext;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sse-viewer-empty-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await chromium.launchPersistentContext(join(dir, 'profile'), { headless: true, executablePath: chromiumPath(), args: CHROMIUM_FLAGS, viewport: { width: 1000, height: 600 } });
});
after(async () => {
  await context?.close();
  await rm(dir, { recursive: true, force: true });
});

for (const theme of ['light', 'dark'] as const) {
  test(`the empty viewer (${theme}) asks for a capture file, not for a form it does not have, and its button opens one`, async () => {
    const page = await context.newPage();
    await page.goto(`file://${resolve('dist/sse-devtools-viewer.html')}?theme=${theme}`);
    await page.locator('.sidebar .empty').waitFor({ timeout: GUARD });
    const text = (await page.locator('.sidebar').textContent()) ?? '';
    assert.doesNotMatch(text, /form|press Connect/i);
    const empty = page.getByTestId('viewer-empty');
    assert.match((await empty.textContent()) ?? '', /drop/i);
    await page.screenshot({ path: join(ARTIFACTS, `viewer-empty-${theme}.png`) });

    const file = join(dir, `one-${theme}.json`);
    await writeFile(file, serializeCapture(madeCapture([{ id: '1', data: 'hello' }])));
    const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: GUARD }), empty.getByRole('button', { name: /open/i }).click()]);
    await chooser.setFiles(file);
    await page.getByTestId('connection-item').waitFor({ timeout: GUARD });
    assert.equal(await empty.count(), 0);
    await page.close();
  });
}
