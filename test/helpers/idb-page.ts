/**
 * The extension's IndexedDB persistence (src/extension/background/persistence.ts) running in a real
 * Chromium page on 127.0.0.1, bundled from source as the build bundles it for the service worker:
 * the page's `window.persistence` is `createIdbPersistence` over an in-memory session area. For
 * tests of the stored layout and for bench/idb-write.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, chromiumPath } from '../../src/tooling/chromium/chromium.js';

export interface IdbPage {
  page: Page;
  close(): Promise<void>;
}

const ENTRY = `
import { createIdbPersistence } from ${JSON.stringify(resolve('src/extension/background/persistence.ts'))};
const area = new Map();
window.persistence = createIdbPersistence({
  get: async (key) => (area.has(key) ? { [key]: area.get(key) } : {}),
  set: async (items) => { for (const [k, v] of Object.entries(items)) area.set(k, v); },
  remove: async (key) => { area.delete(key); },
});
`;

export async function openIdbPage(): Promise<IdbPage> {
  const bundle = await build({ stdin: { contents: ENTRY, resolveDir: resolve('.'), loader: 'js' }, bundle: true, write: false, format: 'iife', platform: 'browser' });
  const script = bundle.outputFiles[0]!.text;
  const server: Server = createServer((req, res) => {
    if (req.url === '/persistence.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><script src="/persistence.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const browser: Browser = await chromium.launch({ headless: true, executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return {
    page,
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
