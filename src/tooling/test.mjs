#!/usr/bin/env node
// `npm test`: type-check, build, then run every test file with node's test runner.
// Usage: node src/tooling/test.mjs [substring …]  (only test files whose path contains one of them)
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const filters = process.argv.slice(2);

function step(title, command, args) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✗ ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

step('system dependencies', process.execPath, [join(root, 'src/tooling/ensure-system-deps.mjs')]);
step('type-check (tsc --noEmit, strict)', join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', root]);
step('lint (oxlint, type-aware)', process.execPath, [join(root, 'node_modules/oxlint/bin/oxlint'), '--type-aware', '--deny-warnings', '-c', join(root, 'src/tooling/oxlint.json'), 'src', 'test', 'bench']);
step('dead code (knip)', process.execPath, [join(root, 'node_modules/knip/bin/knip.js'), '--no-progress']);
step('build', process.execPath, [join(root, 'src/tooling/build.mjs')]);

// test/ holds the tests by behaviour; unit tests of pure UI logic sit beside their code in src/.
const testDirs = ['test', 'src'].map((d) => join(root, 'dist', d));
const files = (await Promise.all(testDirs.map(async (dir) => (await readdir(dir, { recursive: true })).map((f) => join(dir, f)))))
  .flat()
  .filter((f) => f.endsWith('.test.js'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Tests mostly wait on sockets and timers, so more files than cores can run at once. The headed
// real-DevTools tests run alone afterwards: sharing the machine with the other browsers starves
// its window of frames and its input calls time out.
const ALONE = (f) => f.includes('e2e/devtools');
const together = files.filter((f) => !ALONE(f));
const alone = files.filter(ALONE);
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const withDisplay = needsDisplay && spawnSync('which', ['xvfb-run']).status === 0;

function runTests(title, list, concurrency) {
  if (list.length === 0) return;
  const args = ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=240000', ...list];
  // The real-DevTools tests drive a headed Chromium; without a display (CI) give it a virtual one.
  if (withDisplay) step(`${title} (${list.length} files, under xvfb-run)`, 'xvfb-run', ['-a', '-s', '-screen 0 1400x1000x24', process.execPath, ...args]);
  else step(`${title} (${list.length} files)`, process.execPath, args);
}

runTests('tests', together, 4);
runTests('real DevTools tests', alone, 1);
