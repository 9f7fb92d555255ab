#!/usr/bin/env node
// `npm run package`: the store-ready archives, in release/ (git-ignored):
//   sse-devtools-<version>-chrome.zip   Chrome Web Store upload; also "Load unpacked" once extracted
//   sse-devtools-<version>-firefox.zip  addons.mozilla.org upload (made by `web-ext build`)
//   sse-devtools-<version>-source.zip   the sources AMO asks for with bundled code, with build instructions
// The version is package.json's. Both browser archives hold the built extension/ without source maps,
// each with the manifest its store wants: no development `key`, only that browser's background key.
// Usage: node src/tooling/package.mjs [--no-build] [--out DIR]
//   --no-build  package the extension/ already built (the test uses this: it must not rebuild dist/
//               under the other tests' feet)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import webExt from 'web-ext';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const outIndex = args.indexOf('--out');
const outDir = resolve(outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1] : join(root, 'release'));
const extensionDir = join(root, 'extension');
/** The build instructions at the root of the source archive. */
const INSTRUCTIONS_FILE = 'BUILD-INSTRUCTIONS.md';

function fail(message) {
  console.error(`✗ package: ${message}`);
  process.exit(1);
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const version = pkg.version;
// Chrome and Firefox both want 1 to 4 dot-separated integers (0..65535, no leading zeros): no "-beta".
const validVersion = /^(0|[1-9]\d{0,4})(\.(0|[1-9]\d{0,4})){0,3}$/.test(version) && version.split('.').every((n) => Number(n) <= 65535);
if (!validVersion) fail(`package.json version "${version}" is not a browser extension version (1 to 4 dot-separated integers up to 65535)`);
const base = `sse-devtools-${version}`;

if (!noBuild) {
  console.log('▶ build');
  const built = spawnSync(process.execPath, [join(root, 'src/tooling/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) fail('the build failed');
}
if (!existsSync(join(extensionDir, 'background.js'))) fail('extension/ is not built: run npm run build (or drop --no-build)');

const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8'));

/** What each store gets: the shared manifest without the development `key`, the version from package.json, and only the keys that browser reads. */
function storeManifest(browser) {
  const { key: _devKey, ...m } = structuredClone(manifest);
  m.version = version;
  if (browser === 'chrome') {
    // Chrome runs the service worker; `background.scripts` only earns a warning there, and
    // browser_specific_settings is Firefox's.
    delete m.background.scripts;
    delete m.browser_specific_settings;
    // Firefox's complete capture (filterResponseData); Chrome MV3 has neither permission.
    m.permissions = m.permissions.filter((p) => p !== 'webRequestBlocking' && p !== 'webRequestFilterResponse');
  } else {
    // Firefox runs background.scripts and ignores service_worker (web-ext lint warns about it).
    delete m.background.service_worker;
    delete m.minimum_chrome_version;
    // Chromium's complete capture; Firefox has no debugger API (it warns about the unknown permission).
    m.permissions = m.permissions.filter((p) => p !== 'debugger');
  }
  return m;
}

const SOURCE_MAP_COMMENT = /\n\/\/# sourceMappingURL=[^\n]*\.map\s*$/;

/** Copies the built extension without source maps (and without the comments pointing at them). */
async function stage(browser, dir) {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(extensionDir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(extensionDir, join(entry.parentPath, entry.name));
    if (rel === 'manifest.json' || rel === 'README.md' || rel.endsWith('.map') || rel.split(/[\\/]/).some((part) => part.startsWith('.'))) continue;
    const to = join(dir, rel);
    await mkdir(dirname(to), { recursive: true });
    if (rel.endsWith('.js')) await writeFile(to, (await readFile(join(extensionDir, rel), 'utf8')).replace(SOURCE_MAP_COMMENT, '\n'));
    else await copyFile(join(extensionDir, rel), to);
  }
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(storeManifest(browser), null, 2)}\n`);
}

async function zipWithWebExt(sourceDir, filename) {
  await webExt.cmd.build({ sourceDir, artifactsDir: outDir, filename, overwriteDest: true }, { showReadyMessage: false });
  return join(outDir, filename);
}

function npmVersion() {
  const fromAgent = /\bnpm\/(\S+)/.exec(process.env.npm_config_user_agent ?? '')?.[1];
  if (fromAgent) return fromAgent;
  const result = spawnSync('npm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

function instructions({ commit, changed }) {
  return `# SSE DevTools ${version}: how to rebuild the extension from these sources

These are the sources of the Firefox add-on \`${base}-firefox.zip\`
(and of the Chrome Web Store package \`${base}-chrome.zip\`). The extension's scripts are
bundled by esbuild from the TypeScript in \`src/\`; nothing is obfuscated.
Every dependency is on the public npm registry, pinned in \`package-lock.json\`.

Made from git commit \`${commit}\`${changed.length ? ` with uncommitted changes to ${changed.length} file(s):\n${changed.map((f) => `\`${f}\``).join(', ')}` : ' (no uncommitted changes)'}.

## Environment used for this release

- Node.js ${process.version} and npm ${npmVersion()} on ${process.platform} ${process.arch}; use these
  versions for a byte-for-byte comparison (esbuild, which does the bundling, is pinned in
  package-lock.json). The project needs Node 20 or later.
- No other tools: esbuild and web-ext come from npm.

## Commands

\`\`\`sh
npm ci             # installs the pinned dependencies; its "prepare" step also runs the build
npm run package    # builds again and writes release/${base}-firefox.zip (and -chrome.zip)
\`\`\`

(\`npm run build-for-amo\` is the same as \`npm run package\`.) The add-on is exactly the files in
\`release/${base}-firefox.zip\`: \`extension/\`'s built scripts, HTML, CSS and icons,
without source maps or the comment lines that point at them, and with the Firefox manifest.
To compare:

\`\`\`sh
mkdir rebuilt uploaded
cd rebuilt && unzip -q ../release/${base}-firefox.zip && cd ..
cd uploaded && unzip -q /path/to/the/uploaded/${base}-firefox.zip && cd ..
diff -r rebuilt uploaded && echo identical
\`\`\`

Outside a git checkout (as here) \`npm run package\` skips the source archive and says so.

## Where things are

- \`src/tooling/build.mjs\`: the esbuild configuration (entry points \`src/extension/background/service-worker.ts\`,
  \`src/extension/devtools/devtools.ts\`, \`src/extension/panel/main.tsx\`, \`src/extension/grant/grant.ts\`) writing \`extension/\`
- \`src/tooling/package.mjs\`: the store manifests and the archives
- \`manifest.json\`: the shared manifest; \`src/extension/*/*.html\`, \`src/ui/panel.css\`, \`src/extension/icons/\`: static files the build copies into \`extension/\`
`;
}

/**
 * The source archive is the working tree as `git add -A` sees it (tracked files as they are on disk,
 * plus untracked files that are not ignored), because that is what the build just read: `git archive
 * HEAD` alone would leave out uncommitted work and not match the add-on. It is made with a throwaway
 * index, so the user's staging area is untouched, and uncommitted changes are listed in the output.
 */
async function sourceArchive(target) {
  const inside = run('git', ['rev-parse', '--is-inside-work-tree']);
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') return { skipped: 'not a git checkout' };
  const git = (gitArgs, env) => {
    const result = run('git', gitArgs, { env: { ...process.env, ...env } });
    if (result.status !== 0) fail(`git ${gitArgs.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const commit = git(['rev-parse', 'HEAD']).trim();
  const changed = git(['status', '--porcelain', '--untracked-files=all'])
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3));
  const scratch = await mkdtemp(join(tmpdir(), 'sse-package-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    const realIndex = resolve(root, git(['rev-parse', '--git-path', 'index']).trim());
    if (existsSync(realIndex)) await copyFile(realIndex, env.GIT_INDEX_FILE);
    git(['add', '--all', '--', '.'], env);
    const notes = join(scratch, INSTRUCTIONS_FILE);
    await writeFile(notes, instructions({ commit, changed }));
    const blob = git(['hash-object', '-w', '--', notes]).trim();
    git(['update-index', '--add', '--cacheinfo', `100644,${blob},${INSTRUCTIONS_FILE}`], env);
    const tree = git(['write-tree'], env).trim();
    git(['archive', '--format=zip', '-o', target, tree]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { commit, changed };
}

await mkdir(outDir, { recursive: true });
const staging = await mkdtemp(join(tmpdir(), 'sse-package-'));
const written = [];
try {
  for (const browser of ['chrome', 'firefox']) {
    const dir = join(staging, browser);
    await stage(browser, dir);
    written.push(await zipWithWebExt(dir, `${base}-${browser}.zip`));
  }
} finally {
  await rm(staging, { recursive: true, force: true });
}
const sourceZip = join(outDir, `${base}-source.zip`);
await rm(sourceZip, { force: true });
const source = await sourceArchive(sourceZip);

console.log(`\nSSE DevTools ${version}:`);
for (const file of [...written, ...(source.skipped ? [] : [sourceZip])]) {
  console.log(`  ${relative(process.cwd(), file)}  (${Math.round((await stat(file)).size / 1024)} KB)`);
}
if (source.skipped) {
  console.log(`  no source archive: ${source.skipped}`);
} else if (source.changed.length) {
  console.log(`  ⚠ the sources are commit ${source.commit.slice(0, 12)} plus uncommitted changes (${source.changed.length} file(s): ${source.changed.slice(0, 5).join(', ')}${source.changed.length > 5 ? ', …' : ''}).`);
  console.log('    Commit first for a store release, so the upload can be traced to a commit.');
} else {
  console.log(`  sources: commit ${source.commit.slice(0, 12)}, no uncommitted changes`);
}
