/**
 * `npm run package` (src/tooling/package.mjs) on the extension/ the test run just built: the store
 * archives hold what each store wants and everything the extension loads, the Firefox one passes
 * Mozilla's linter, the sources are complete and free of generated files, and the Chrome Web Store
 * zip, without the development key, works in real Chromium.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { extensionId as devExtensionId, launchWithExtension, type ExtensionBrowser } from '../helpers/browser.js';
import { describeLint, webExtLint } from '../helpers/web-ext-lint.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const base = `sse-devtools-${pkg.version}`;
const out = mkdtempSync(join(tmpdir(), 'sse-release-'));
const archive = (kind: 'chrome' | 'firefox' | 'source') => join(out, `${base}-${kind}.zip`);
const unpacked = (kind: 'chrome' | 'firefox' | 'source') => join(out, kind);

function unzip(kind: 'chrome' | 'firefox' | 'source'): string[] {
  const list = spawnSync('unzip', ['-Z1', archive(kind)], { encoding: 'utf8' });
  assert.equal(list.status, 0, `unzip could not read ${archive(kind)}: ${list.stderr}`);
  mkdirSync(unpacked(kind));
  const extract = spawnSync('unzip', ['-q', archive(kind), '-d', unpacked(kind)], { encoding: 'utf8' });
  assert.equal(extract.status, 0, extract.stderr);
  return list.stdout.split('\n').filter((name) => name && !name.endsWith('/'));
}

interface Manifest {
  key?: string;
  version: string;
  background: { service_worker?: string; scripts?: string[] };
  browser_specific_settings?: { gecko?: { id?: string; data_collection_permissions?: unknown } };
  [other: string]: unknown;
}
const readManifest = (kind: 'chrome' | 'firefox') => JSON.parse(readFileSync(join(unpacked(kind), 'manifest.json'), 'utf8')) as Manifest;

const LOADABLE = /\.(html|js|css|png|svg|json)$/;
/**
 * Every file the extension loads, followed from the manifest: its paths, what its pages load
 * (src/href), what its scripts name ("panel.html", `grant.html?…`, "icons/icon-32.png") and url()s
 * in CSS. Paths under node_modules/ in scripts are esbuild's names for modules it inlined.
 */
function referencedFiles(dir: string): Map<string, string> {
  const found = new Map<string, string>(); // file -> who references it
  const queue: string[] = [];
  const add = (path: string, from: string) => {
    const clean = posix.normalize(path.replace(/^\//, '').replace(/[?#].*$/, ''));
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || clean.startsWith('node_modules/') || !LOADABLE.test(clean) || found.has(clean)) return;
    found.set(clean, from);
    queue.push(clean);
  };
  const walk = (value: unknown) => {
    if (typeof value === 'string') add(value, 'manifest.json');
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (!existsSync(join(dir, file))) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    const at = (p: string) => posix.join(posix.dirname(file), p);
    if (file.endsWith('.html')) for (const m of text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)) add(at(m[1]!), file);
    if (file.endsWith('.js')) for (const m of text.matchAll(/["'`]([\w-]+(?:\/[\w.-]+)*\.(?:html|js|css|png|svg|json))(?=["'`?#])/g)) add(m[1]!, file);
    if (file.endsWith('.css')) for (const m of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) add(at(m[1]!), file);
  }
  return found;
}

function assertStoreArchive(kind: 'chrome' | 'firefox', entries: string[]): Manifest {
  const manifest = readManifest(kind);
  assert.equal(manifest.key, undefined, 'the store rejects a manifest with the development key');
  assert.equal(manifest.version, pkg.version, "the manifest's version is package.json's");
  const missing = [...referencedFiles(unpacked(kind))].filter(([file]) => !entries.includes(file)).map(([file, from]) => `${file} (from ${from})`);
  assert.deepEqual(missing, [], `files the extension loads but the ${kind} zip lacks`);
  for (const [name, why] of [
    [/\.map$/, 'source maps'],
    [/(^|\/)(test|node_modules|src)\//, 'tests, sources or node_modules'],
    [/\.tsx?$/, 'TypeScript sources'],
    [/(^|\/)\./, 'hidden files'],
  ] as const) {
    assert.deepEqual(entries.filter((e) => name.test(e)), [], `no ${why} in the ${kind} zip`);
  }
  for (const js of entries.filter((e) => e.endsWith('.js'))) {
    assert.doesNotMatch(readFileSync(join(unpacked(kind), js), 'utf8'), /sourceMappingURL/, `${js} points at a source map the zip does not have`);
  }
  return manifest;
}

let chromeEntries: string[];
let firefoxEntries: string[];
let sourceEntries: string[];
let packageOutput: string;

before(() => {
  const run = spawnSync(process.execPath, ['src/tooling/package.mjs', '--no-build', '--out', out], { encoding: 'utf8' });
  packageOutput = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, `npm run package failed:\n${packageOutput}`);
  chromeEntries = unzip('chrome');
  firefoxEntries = unzip('firefox');
  sourceEntries = unzip('source');
});
after(() => rmSync(out, { recursive: true, force: true }));

describe('npm run package', () => {
  test('writes the three archives named with the version, and says what the sources are', () => {
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.zip')).sort(), [archive('chrome'), archive('firefox'), archive('source')].map((f) => relative(out, f)).sort());
    assert.match(packageOutput, /sources: commit [0-9a-f]{12}|sources are commit [0-9a-f]{12} plus uncommitted changes/);
  });

  test('the Chrome Web Store zip: no development key, the version, everything the extension loads, no maps or tests', () => {
    const manifest = assertStoreArchive('chrome', chromeEntries);
    assert.equal(manifest.background.service_worker, 'background.js');
    assert.equal(manifest.background.scripts, undefined, "Chrome warns about Firefox's background.scripts");
    for (const page of ['devtools.html', 'panel.html', 'grant.html', 'background.js', 'panel.js', 'devtools.js', 'grant.js', 'panel.css']) {
      assert.ok(chromeEntries.includes(page), `${page} is in the zip`);
    }
  });

  test('the Firefox zip: lints with no errors, carries the gecko id and data-collection declaration', { timeout: 60_000 }, () => {
    const manifest = assertStoreArchive('firefox', firefoxEntries);
    assert.deepEqual(manifest.background.scripts, ['background.js']);
    assert.ok(manifest.browser_specific_settings?.gecko?.id, 'AMO needs a gecko id');
    assert.deepEqual(manifest.browser_specific_settings?.gecko?.data_collection_permissions, { required: ['none'] });
    const report = webExtLint(unpacked('firefox'));
    assert.deepEqual(report.errors.map(describeLint), [], 'web-ext lint errors in the Firefox zip');
    assert.equal(report.summary.errors, 0);
    assert.equal(report.warnings.filter((w) => w.code === 'BACKGROUND_SERVICE_WORKER_IGNORED').length, 0, 'the Firefox manifest has no service_worker for Firefox to ignore');
  });

  test('the source archive: every tracked source, the lockfile, build instructions, and no generated files', () => {
    for (const file of ['package.json', 'package-lock.json', 'manifest.json', 'BUILD-INSTRUCTIONS.md', 'src/tooling/build.mjs', 'src/tooling/package.mjs']) {
      assert.ok(sourceEntries.includes(file), `${file} is in the source archive`);
    }
    const tracked = spawnSync('git', ['ls-files', '--', 'src', 'extension', 'test'], { encoding: 'utf8' }).stdout.split('\n').filter((f) => f && existsSync(f));
    assert.ok(tracked.length > 50, 'git lists the sources');
    assert.deepEqual(tracked.filter((f) => !sourceEntries.includes(f)), [], 'tracked sources missing from the archive');
    for (const file of ['package.json', 'package-lock.json', 'src/tooling/build.mjs']) {
      assert.equal(readFileSync(join(unpacked('source'), file), 'utf8'), readFileSync(file, 'utf8'), `${file} is the one that was built`);
    }
    // Nothing .gitignore leaves out (node_modules, dist, built scripts and maps, release/) is in it.
    const ignored = spawnSync('git', ['check-ignore', '--no-index', '--stdin'], { input: sourceEntries.join('\n'), encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    assert.deepEqual(ignored, [], 'generated or ignored files in the source archive');
    assert.deepEqual(sourceEntries.filter((e) => /^(node_modules|dist|release)\/|^extension\/.*\.(js|map)$/.test(e)), []);
    const instructions = readFileSync(join(unpacked('source'), 'BUILD-INSTRUCTIONS.md'), 'utf8');
    for (const needed of ['npm ci', 'npm run package', `Node.js ${process.version}`, `${base}-firefox.zip`]) assert.ok(instructions.includes(needed), `the instructions say ${needed}`);
  });
});

describe('the Chrome Web Store zip in real Chromium', () => {
  let browser: ExtensionBrowser;
  let server: ScenarioServer;
  before(async () => {
    server = await startScenarioServer({ intervalMs: 100 });
    browser = await launchWithExtension({ extensionDir: unpacked('chrome') });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('starts its service worker under a new id, and its panel streams events from a local server', { timeout: 60_000 }, async () => {
    assert.notEqual(browser.extensionId, devExtensionId(), 'without the key Chromium gives the extension another id');
    // Runs in the worker, where `chrome` is the extension API (this file has no types for it).
    const loaded = await browser.worker.evaluate<Manifest>('chrome.runtime.getManifest()');
    assert.equal(loaded.version, pkg.version);
    assert.equal(loaded.key, undefined, 'the worker runs the store manifest');

    const page = await browser.openPanel();
    await page.getByTestId('url-input').fill(`${server.url}/events`);
    await page.getByTestId('header-value').first().fill('Bearer demo-token');
    await page.getByTestId('connect-button').click();
    await page.locator('[data-testid="timeline-row"][data-kind="event"]').nth(2).waitFor({ timeout: 20_000 });
    assert.equal(server.streamRequests().length, 1, 'the worker opened the stream');
  });
});
