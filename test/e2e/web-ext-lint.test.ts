/**
 * Mozilla's add-on linter on the built extension/ folder (the one manifest that serves Chrome and
 * Firefox): any error fails; warnings are printed, as some are expected (Firefox ignores
 * background.service_worker and runs background.scripts instead).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { describeLint, webExtLint } from '../helpers/web-ext-lint.js';

const EXTENSION_DIR = resolve('extension');

test('web-ext lint finds no errors in extension/', { timeout: 120_000 }, () => {
  assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), 'extension/ is not built: run node src/tooling/build.mjs');
  const report = webExtLint(EXTENSION_DIR);
  assert.deepEqual(report.errors.map(describeLint), [], `web-ext lint errors:\n  ${report.errors.map(describeLint).join('\n  ')}`);
  assert.equal(report.summary.errors, 0);
});
