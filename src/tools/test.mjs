#!/usr/bin/env node
// `npm test`: type-check, build, then run every test file with node's test runner.
// Usage: node src/tools/test.mjs [substring …]  (only test files whose path contains one of them)
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

step('system dependencies', process.execPath, [join(root, 'src/tools/ensure-system-deps.mjs')]);
step('type-check (tsc --noEmit, strict)', join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', root]);
step('build', process.execPath, [join(root, 'src/tools/build.mjs')]);

const dir = join(root, 'dist', 'test');
const files = (await readdir(dir, { recursive: true }))
  .filter((f) => f.endsWith('.test.js'))
  .map((f) => relative(root, join(dir, f)))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Tests mostly wait on sockets and timers, so more files than cores can run at once.
const testArgs = ['--test', '--test-concurrency=4', '--test-timeout=240000', ...files];
// The real-DevTools tests drive a headed Chromium; without a display (CI) give them a virtual one.
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (needsDisplay && spawnSync('which', ['xvfb-run']).status === 0) {
  step(`tests (${files.length} files, under xvfb-run)`, 'xvfb-run', ['-a', '-s', '-screen 0 1400x1000x24', process.execPath, ...testArgs]);
} else {
  step(`tests (${files.length} files)`, process.execPath, testArgs);
}
