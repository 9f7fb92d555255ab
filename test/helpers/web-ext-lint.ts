/** Mozilla's add-on linter (web-ext lint) on an unpacked extension folder, as a JSON report. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const WEB_EXT = resolve('node_modules', '.bin', 'web-ext');

export interface LintMessage {
  code: string;
  message: string;
  description?: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface LintReport {
  summary: { errors: number; notices: number; warnings: number };
  errors: LintMessage[];
  notices: LintMessage[];
  warnings: LintMessage[];
}

const where = (m: LintMessage) => `${m.file ?? '?'}${m.line ? `:${m.line}` : ''}${m.column ? `:${m.column}` : ''}`;
export const describeLint = (m: LintMessage) => `${m.code} ${where(m)}: ${m.message}${m.description ? `\n      ${m.description}` : ''}`;

/** Runs the linter; prints warnings and notices (some are expected), returns the report for the caller to assert on. */
export function webExtLint(sourceDir: string): LintReport {
  assert.ok(existsSync(WEB_EXT), 'web-ext is not installed: run npm install');
  const run = spawnSync(WEB_EXT, ['lint', '--source-dir', sourceDir, '--output', 'json', '--no-config-discovery'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  assert.equal(run.error, undefined, `could not run web-ext: ${String(run.error)}`);
  let report: LintReport;
  try {
    report = JSON.parse(run.stdout) as LintReport;
  } catch {
    assert.fail(`web-ext lint printed no JSON report (exit ${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  }
  for (const w of report.warnings) console.log(`web-ext lint warning: ${describeLint(w)}`);
  for (const n of report.notices) console.log(`web-ext lint notice: ${describeLint(n)}`);
  return report;
}
