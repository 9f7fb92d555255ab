#!/usr/bin/env node
// One build for every entry point: the CLI, the extension's contexts, tests and benchmarks.
// Usage: node src/tooling/build.mjs [--watch]
import { build, context } from 'esbuild';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const watch = process.argv.includes('--watch');

async function filesUnder(dir, suffix) {
  const out = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const common = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: 'linked',
  target: 'es2022',
  logLevel: 'warning',
  define: { __SSE_DEVTOOLS_VERSION__: JSON.stringify(pkg.version) },
};

// The demo server's page script (src/servers/demo-page/page.ts), bundled for the browser and
// compiled into the server as a string, so every build of the server (the CLI, tests) serves it.
const demoPage = await build({ ...common, entryPoints: ['src/servers/demo-page/page.ts'], write: false, format: 'iife', platform: 'browser', sourcemap: false, minify: true });
common.define.__SSE_DEMO_PAGE_SCRIPT__ = JSON.stringify(demoPage.outputFiles[0].text);

const configs = [
  {
    ...common,
    entryPoints: { 'sse-devtools': 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'esm',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: {
      background: 'src/extension/background/service-worker.ts',
      devtools: 'src/extension/devtools/devtools.ts',
      panel: 'src/extension/panel/main.tsx',
      grant: 'src/extension/grant/grant.ts',
      'import-worker': 'src/ui/import-worker.ts',
    },
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'extension',
    platform: 'browser',
    format: 'esm',
    define: { ...common.define, __SSE_E2E_OPEN_PANEL__: 'false' },
    // Drops dead branches such as the e2e-only block, without renaming anything.
    minifySyntax: true,
  },
  {
    ...common,
    // The hook injected into an inspected page's main world: one classic script (no module, no
    // source map to point at our paths) that also runs as the body of a function.
    entryPoints: { 'page-hook': 'src/extension/page-hook/hook.ts' },
    outdir: 'extension',
    platform: 'browser',
    format: 'iife',
    sourcemap: false,
    minify: true,
  },
  {
    ...common,
    // Unit tests of pure UI logic sit beside the code they test (src/**/*.test.ts), the rest in test/.
    entryPoints: [...(await filesUnder('test', '.test.ts')), ...(await filesUnder('src', '.test.ts')), ...(await filesUnder('bench', '.ts')), 'src/tooling/write-json-schema.ts', 'src/tooling/chromium/start-browser.ts'],
    outbase: '.',
    outdir: 'dist',
    platform: 'node',
    format: 'esm',
    // Test tooling stays in node_modules; our own code and its small dependencies are bundled in.
    external: ['playwright', 'playwright-core', 'puppeteer-core', 'eventsource', 'esbuild'],
  },
];

/**
 * Hand-written files a browser loads, kept beside their sources and copied next to the bundles:
 * `extension/` holds only what the build writes, and no build reads from it.
 */
const STATIC_FILES = {
  'panel.html': 'src/extension/panel/panel.html',
  'panel.css': 'src/ui/panel.css',
  'devtools.html': 'src/extension/devtools/devtools.html',
  'grant.html': 'src/extension/grant/grant.html',
  icons: 'src/extension/icons',
};

async function copyStatic(outdir) {
  for (const [name, source] of Object.entries(STATIC_FILES)) await cp(join(root, source), join(root, outdir, name), { recursive: true });
}

await rm(join(root, 'dist'), { recursive: true, force: true });
await mkdir(join(root, 'extension'), { recursive: true });
// Nothing stale survives a build; its README is the one tracked file.
for (const name of await readdir(join(root, 'extension'))) if (name !== 'README.md') await rm(join(root, 'extension', name), { recursive: true, force: true });
await copyStatic('extension');
// The manifest as browsers load it: its version is always package.json's (so is the store packages').
const manifestJson = `${JSON.stringify({ ...JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')), version: pkg.version }, null, 2)}\n`;
await writeFile(join(root, 'extension', 'manifest.json'), manifestJson);

// Firefox e2e only: a second copy of the extension whose background script opens panel.html in a
// tab at start-up, because WebDriver BiDi cannot navigate to moz-extension:// URLs itself but can
// drive a page the extension opened (shared/recipes/browser-testing.md, "Firefox"). Never shipped.
const FIREFOX_E2E_DIR = join('dist', 'extension-firefox-e2e');
const extensionConfig = configs.find((c) => c.outdir === 'extension');
configs.push({
  ...extensionConfig,
  outdir: FIREFOX_E2E_DIR,
  define: { ...extensionConfig.define, __SSE_E2E_OPEN_PANEL__: 'true' },
});
await mkdir(join(root, FIREFOX_E2E_DIR), { recursive: true });
await copyStatic(FIREFOX_E2E_DIR);
await writeFile(join(root, FIREFOX_E2E_DIR, 'manifest.json'), manifestJson);

// The standalone viewer: one HTML file with its script and styles inline, so it opens from
// file:// (browsers refuse module scripts there) and can be mailed as a single attachment.
async function buildViewer() {
  // The import worker's code, inlined into the viewer and started from a blob: URL.
  const worker = await build({ ...common, entryPoints: ['src/ui/import-worker.ts'], write: false, format: 'iife', platform: 'browser', sourcemap: false, minify: true });
  const result = await build({
    ...common,
    define: { ...common.define, __SSE_IMPORT_WORKER_SOURCE__: JSON.stringify(worker.outputFiles[0].text) },
    entryPoints: ['src/viewer/main.tsx'],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    sourcemap: false,
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
  });
  const js = result.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const css = await readFile(join(root, STATIC_FILES['panel.css']), 'utf8');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; worker-src blob:; style-src 'unsafe-inline'; img-src data:">
<title>SSE DevTools viewer</title>
<style>${css}</style>
</head>
<body>
<div id="root"><div class="loading">Loading the SSE DevTools viewer…</div></div>
<script>${js}</script>
</body>
</html>
`;
  await mkdir(join(root, 'dist'), { recursive: true });
  await writeFile(join(root, 'dist', 'sse-devtools-viewer.html'), html);
}

if (watch) {
  for (const c of configs) await (await context(c)).watch();
  console.log('watching for changes…');
} else {
  await Promise.all([...configs.map((c) => build(c)), buildViewer()]);
}
