/**
 * Mozilla's add-on linter on the built extension/ folder (the one manifest that serves Chrome and
 * Firefox): any error fails; warnings are printed, as some are expected (Firefox ignores
 * background.service_worker and runs background.scripts instead).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const EXTENSION_DIR = resolve('extension');
const WEB_EXT = resolve('node_modules', '.bin', 'web-ext');

interface LintMessage {
  code: string;
  message: string;
  description?: string;
  file?: string;
  line?: number;
  column?: number;
}

interface LintReport {
  summary: { errors: number; notices: number; warnings: number };
  errors: LintMessage[];
  notices: LintMessage[];
  warnings: LintMessage[];
}

const where = (m: LintMessage) => `${m.file ?? '?'}${m.line ? `:${m.line}` : ''}${m.column ? `:${m.column}` : ''}`;
const describe = (m: LintMessage) => `${m.code} ${where(m)}: ${m.message}${m.description ? `\n      ${m.description}` : ''}`;

test('web-ext lint finds no errors in extension/', { timeout: 120_000 }, () => {
  assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), 'extension/ is not built: run node src/tools/build.mjs');
  assert.ok(existsSync(WEB_EXT), 'web-ext is not installed: run npm install');
  const run = spawnSync(WEB_EXT, ['lint', '--source-dir', EXTENSION_DIR, '--output', 'json', '--no-config-discovery'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  assert.equal(run.error, undefined, `could not run web-ext: ${String(run.error)}`);
  let report: LintReport;
  try {
    report = JSON.parse(run.stdout) as LintReport;
  } catch {
    assert.fail(`web-ext lint printed no JSON report (exit ${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  }
  for (const w of report.warnings) console.log(`web-ext lint warning: ${describe(w)}`);
  for (const n of report.notices) console.log(`web-ext lint notice: ${describe(n)}`);
  assert.deepEqual(report.errors.map(describe), [], `web-ext lint errors:\n  ${report.errors.map(describe).join('\n  ')}`);
  assert.equal(report.summary.errors, 0);
});
