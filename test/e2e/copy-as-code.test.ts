/**
 * Copy as code in real Chromium, in the standalone viewer a teammate opens someone else's capture
 * with: a capture whose method is not an HTTP method is refused on import, and the curl command the
 * viewer shows for a hostile but valid method runs nothing when a shell parses it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildCapture, serializeCapture, type CaptureFile } from '../../src/core/capture/format.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { CHROMIUM_FLAGS, chromiumPath } from '../helpers/browser.js';
import { config, run } from '../helpers/harness.js';

const exec = promisify(execFile);
const GUARD = 20_000;
/** Every character is an RFC 9110 tchar, so it is a valid method; unquoted, a shell would run `touch PW`. */
const METHOD = "X`touch$IFS'PW'`";

let dir: string;
let server: ScenarioServer;
let context: BrowserContext;
let capture: CaptureFile;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sse-copy-code-'));
  server = await startScenarioServer({ intervalMs: 10, heartbeatMs: 0 });
  const cfg = config(`${server.url}/events?count=2`, { reconnect: { maxAttempts: 1 } });
  const r = run(cfg);
  await r.untilClosed();
  capture = buildCapture([{ id: r.connection.id, config: cfg, entries: r.entries }], '1.0.0');
  context = await chromium.launchPersistentContext(join(dir, 'profile'), { headless: true, executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
});
after(async () => {
  await context?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function openInViewer(name: string, doc: CaptureFile): Promise<Page> {
  const path = join(dir, name);
  await writeFile(path, serializeCapture(doc));
  const page = await context.newPage();
  await page.goto(`file://${resolve('dist/sse-devtools-viewer.html')}`);
  await page.getByTestId('open-capture-input').setInputFiles(path);
  return page;
}

function withMethod(method: string): CaptureFile {
  const doc = structuredClone(capture);
  doc.connections[0]!.config.method = method;
  return doc;
}

test('a capture whose method is not an HTTP method is refused on import with a clear message', async () => {
  const page = await openInViewer('semicolon.json', withMethod('X;touch PW;'));
  const error = page.getByTestId('import-error');
  await error.waitFor({ timeout: GUARD });
  assert.match((await error.textContent()) ?? '', /connections\[0\]\.config\.method: not an HTTP method/);
  assert.equal(await page.locator('[data-testid="timeline-row"]').count(), 0);
  await page.close();
});

test("the viewer's curl command for a hostile method passes it to curl as one argument and runs nothing", async () => {
  const page = await openInViewer('backticks.json', withMethod(METHOD));
  await page.locator('[data-testid="timeline-row"]').first().waitFor({ timeout: GUARD });
  await page.getByTestId('copy-as-code-button').click();
  const code = (await page.getByTestId('snippet-code').textContent()) ?? '';
  await page.close();
  assert.match(code, /^curl -N/);
  const cwd = await mkdtemp(join(dir, 'shell-'));
  const { stdout } = await exec('bash', ['-c', `curl() { printf '%s\\0' "$@"; }\n${code}`], { cwd });
  const argv = stdout.split('\0');
  assert.deepEqual(argv.slice(argv.indexOf('-X'), argv.indexOf('-X') + 2), ['-X', METHOD]);
  assert.equal(argv.at(-2), `${server.url}/events?count=2`);
  assert.deepEqual(await readdir(cwd), [], 'the command ran nothing');
});
