/**
 * Which Chromium, and the flags it needs here (shared/recipes/browser-testing.md): one place for
 * `npm start` and every browser test.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const EXTENSION_DIR = resolve('extension');

/** Chromium from CHROMIUM_PATH, else Debian's, else what Playwright may have installed. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (found) return found;
  const bundled = chromium.executablePath();
  if (existsSync(bundled)) return bundled;
  throw new Error('No Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH');
}

export const CHROMIUM_FLAGS = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'];

export function extensionFlags(dir = EXTENSION_DIR): string[] {
  return [`--disable-extensions-except=${dir}`, `--load-extension=${dir}`];
}
