/**
 * The extension's "SSE" panel in Firefox's REAL DevTools toolbox (Debian firefox-esr), driven over
 * Marionette. WebDriver BiDi cannot reach the toolbox (shared/recipes/browser-testing.md), but
 * Marionette can run script in Firefox's own (chrome) context once Firefox starts with
 * `--remote-allow-system-access`: from there the toolbox is opened on the tab and the SSE panel
 * selected (DevTools' `gDevTools`), and a process script in the extension process runs test code
 * inside the panel page, which is the real one (`chrome.devtools.inspectedWindow` is Firefox's).
 *
 * What it took here (Firefox ESR 153):
 * - BiDi and Marionette cannot both hold a session, so this speaks Marionette alone (a small
 *   client below: `length:json` frames, the length in bytes).
 * - `extensions.webextensions.remote = false` (to reach the panel's DOM from chrome script) breaks
 *   the panel's <browser>; the panel stays in the extension process and is reached by the
 *   BrowsingContext id of its <browser>, through `Services.ppmm` messages to a process script.
 * - Screenshots are Marionette's of the whole browser window in chrome context: page and toolbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const firefoxPath = (): string | null => [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p): p is string => !!p && existsSync(p)) ?? null;

export interface FirefoxDevtools {
  /** Navigates the inspected tab and waits for its load. */
  navigate(url: string): Promise<void>;
  /** Runs `body` (a function body; may await) in the inspected tab's top document; returns its JSON value. */
  inPage<T>(body: string): Promise<T>;
  /** Runs `body` in the SSE panel page inside the toolbox. */
  inPanel<T>(body: string): Promise<T>;
  /** Polls `body` in the panel until it returns a truthy value, which it returns. */
  untilPanel<T>(what: string, body: string, guardMs?: number): Promise<T>;
  /** Switches DevTools' theme as its settings do (the panel follows through `onThemeChanged`). */
  setTheme(theme: 'light' | 'dark'): Promise<void>;
  /** A PNG of the browser window: the page above, the toolbox with the panel below. */
  screenshot(path: string): Promise<void>;
  /** A PNG of the SSE panel alone. */
  panelScreenshot(path: string): Promise<void>;
  /** Firefox's stdout and stderr so far. */
  output(): string;
  close(): Promise<void>;
}

type Reply = [error: { error: string; message: string } | null, result: unknown];

/** Marionette's wire protocol: `<byte length>:<json>`; commands `[0, id, name, params]`, replies `[1, id, error, result]`. */
function marionetteClient(socket: Socket) {
  let buffer = Buffer.alloc(0);
  let next = 0;
  const waiting = new Map<number, (reply: Reply) => void>();
  let greeted: () => void = () => undefined;
  const greeting = new Promise<void>((resolve) => (greeted = resolve));
  socket.on('data', (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    for (;;) {
      const colon = buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(buffer.subarray(0, colon).toString('ascii'));
      if (buffer.length < colon + 1 + length) return;
      const message = JSON.parse(buffer.subarray(colon + 1, colon + 1 + length).toString('utf8')) as unknown;
      buffer = buffer.subarray(colon + 1 + length);
      if (!Array.isArray(message)) greeted();
      else waiting.get(message[1] as number)?.([message[2] as Reply[0], message[3]]);
    }
  });
  return {
    greeting,
    async send<T>(name: string, params: object = {}): Promise<T> {
      const id = ++next;
      const text = JSON.stringify([0, id, name, params]);
      socket.write(`${Buffer.byteLength(text)}:${text}`);
      const [error, result] = await new Promise<Reply>((resolve) => waiting.set(id, resolve));
      waiting.delete(id);
      if (error) throw new Error(`${name}: ${error.error}: ${error.message}`);
      return result as T;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function connectWithin(port: number, guardMs: number): Promise<Socket> {
  const deadline = Date.now() + guardMs;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

// Loaded into every content process; only the extension process holds the panel's window.
const PROCESS_SCRIPT = `
Services.cpmm.addMessageListener('sse-e2e:run', async ({ data }) => {
  const bc = BrowsingContext.get(data.bc);
  const win = bc && bc.window;
  if (!win) return;
  let value = null, error = null;
  try {
    const sandbox = Cu.Sandbox(win.document.nodePrincipal, { sandboxPrototype: win, wantXrays: false });
    value = JSON.stringify((await Cu.evalInSandbox('(async () => {' + data.code + '\\n})()', sandbox)) ?? null);
  } catch (e) { error = String(e && e.stack ? e + '\\n' + e.stack : e); }
  Services.cpmm.sendAsyncMessage('sse-e2e:result', { id: data.id, value, error });
});`;

// In Firefox's chrome context: the toolbox of the selected tab, its SSE tool, and the panel's <browser>.
const CHROME_HELPERS = `
const { require } = ChromeUtils.importESModule('resource://devtools/shared/loader/Loader.sys.mjs');
const { gDevTools } = require('devtools/client/framework/devtools');
const win = Services.wm.getMostRecentWindow('navigator:browser');
`;

// Chrome context, after CHROME_HELPERS: the SSE panel's <browser> in the selected tab's toolbox (args[0] is the panel's title).
const PANEL_BROWSER = `
const toolbox = gDevTools.getToolboxForTab(win.gBrowser.selectedTab);
const tool = toolbox && toolbox.getAdditionalTools().find((t) => t.label === args[0]);
const panelBrowser = tool && toolbox.doc.getElementById('toolbox-panel-iframe-' + tool.id)?.contentDocument?.querySelector('browser');
if (!panelBrowser) throw new Error('the SSE panel is not open');
`;

// Painting the whole window (what Marionette's screenshot does) drops every element of the remote
// panel whose opacity is below 1: disabled buttons, the ✕ and ⚙ icons (a headed Firefox under Xvfb
// shows them). So the panel is painted by its own process and drawn over its place in the window.
const PAINT = `
async function paint(withWindow) {
  const canvas = win.document.createElementNS('http://www.w3.org/1999/xhtml', 'canvas');
  const ctx = canvas.getContext('2d');
  const scale = win.devicePixelRatio;
  const box = panelBrowser.getBoundingClientRect();
  const panel = await panelBrowser.browsingContext.currentWindowGlobal.drawSnapshot(new win.DOMRect(0, 0, box.width, box.height), scale, 'white');
  if (!withWindow) {
    canvas.width = panel.width;
    canvas.height = panel.height;
    ctx.drawImage(panel, 0, 0);
    return canvas.toDataURL('image/png');
  }
  const all = await win.browsingContext.currentWindowGlobal.drawSnapshot(new win.DOMRect(0, 0, win.innerWidth, win.innerHeight), scale, 'white');
  canvas.width = all.width;
  canvas.height = all.height;
  ctx.drawImage(all, 0, 0);
  const x = panelBrowser.ownerDocument.defaultView.mozInnerScreenX - win.mozInnerScreenX + box.left;
  const y = panelBrowser.ownerDocument.defaultView.mozInnerScreenY - win.mozInnerScreenY + box.top;
  ctx.drawImage(panel, Math.round(x * scale), Math.round(y * scale));
  return canvas.toDataURL('image/png');
}
`;

function writeDataUrl(path: string, url: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
}

export async function launchFirefoxDevtools(options: { extensionDir: string; uuid: string; panelTitle?: string; guardMs?: number; headed?: boolean }): Promise<FirefoxDevtools> {
  const executable = firefoxPath();
  if (!executable) throw new Error('no Firefox found (set FIREFOX_PATH)');
  const guardMs = options.guardMs ?? 30_000;
  const title = options.panelTitle ?? 'SSE';
  const manifest = JSON.parse(readFileSync(join(options.extensionDir, 'manifest.json'), 'utf8')) as { browser_specific_settings: { gecko: { id: string } } };
  const port = await freePort();
  const profile = mkdtempSync(join(tmpdir(), 'sse-firefox-'));
  const prefs: Record<string, string | number | boolean> = {
    'marionette.port': port,
    'extensions.webextensions.uuids': JSON.stringify({ [manifest.browser_specific_settings.gecko.id]: options.uuid }),
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.page': 0,
    'browser.startup.homepage_override.mstone': 'ignore',
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'app.update.disabledForTesting': true,
    'devtools.toolbox.host': 'bottom',
    'devtools.toolbox.footer.height': 620,
    'devtools.theme': 'light',
    'devtools.console.stdout.content': true,
  };
  writeFileSync(join(profile, 'user.js'), Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n'));
  const firefox: ChildProcess = spawn(executable, ['--marionette', '--remote-allow-system-access', ...(options.headed ? [] : ['--headless']), '--no-remote', '--profile', profile, '--width', '1280', '--height', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  firefox.stdout?.on('data', (d: Buffer) => (output += d.toString('utf8')));
  firefox.stderr?.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const socket = await connectWithin(port, guardMs);
  const m = marionetteClient(socket);
  const close = async () => {
    socket.destroy();
    firefox.kill();
    await new Promise((r) => (firefox.exitCode !== null ? r(null) : firefox.once('exit', r)));
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    await m.greeting;
    await m.send('WebDriver:NewSession', { capabilities: { alwaysMatch: { timeouts: { script: guardMs, pageLoad: guardMs } } } });
    await m.send('Addon:Install', { path: options.extensionDir, temporary: true });
    let context: 'chrome' | 'content' = 'content';
    const inContext = async (wanted: 'chrome' | 'content') => {
      if (context !== wanted) await m.send('Marionette:SetContext', { value: wanted });
      context = wanted;
    };
    const chromeAsync = async <T>(body: string, args: unknown[] = []): Promise<T> => {
      await inContext('chrome');
      const { value } = await m.send<{ value: T }>('WebDriver:ExecuteAsyncScript', {
        script: `const resolve = arguments[arguments.length - 1]; const args = [...arguments].slice(0, -1); ${CHROME_HELPERS} (async () => { ${body} })().then(resolve, (e) => resolve({ __error: String(e) + '\\n' + e.stack }));`,
        args,
      });
      const failed = value as { __error?: string } | null;
      if (failed && typeof failed === 'object' && typeof failed.__error === 'string') throw new Error(failed.__error);
      return value;
    };
    await chromeAsync(`Services.ppmm.loadProcessScript('data:,' + encodeURIComponent(args[0]), true);`, [PROCESS_SCRIPT]);
    let nextRun = 0;
    const session: FirefoxDevtools = {
      async navigate(url) {
        await inContext('content');
        await m.send('WebDriver:Navigate', { url });
      },
      async inPage<T>(body: string): Promise<T> {
        await inContext('content');
        const { value } = await m.send<{ value: string }>('WebDriver:ExecuteAsyncScript', {
          script: `const resolve = arguments[arguments.length - 1]; (async () => { ${body} })().then((v) => resolve(JSON.stringify(v ?? null)), (e) => resolve(JSON.stringify({ __error: String(e) })));`,
          args: [],
        });
        return JSON.parse(value) as T;
      },
      async inPanel<T>(body: string): Promise<T> {
        const id = ++nextRun;
        const reply = await chromeAsync<{ value: string | null; error: string | null }>(
          `
          const toolbox = gDevTools.getToolboxForTab(win.gBrowser.selectedTab);
          const tool = toolbox && toolbox.getAdditionalTools().find((t) => t.label === args[2]);
          const browser = tool && toolbox.doc.getElementById('toolbox-panel-iframe-' + tool.id)?.contentDocument?.querySelector('browser');
          if (!browser) return { value: null, error: 'the SSE panel is not open' };
          return await new Promise((done) => {
            const listener = ({ data }) => {
              if (data.id !== args[0]) return;
              Services.ppmm.removeMessageListener('sse-e2e:result', listener);
              done(data);
            };
            Services.ppmm.addMessageListener('sse-e2e:result', listener);
            Services.ppmm.broadcastAsyncMessage('sse-e2e:run', { id: args[0], bc: browser.browsingContext.id, code: args[1] });
          });`,
          [id, body, title],
        );
        if (reply.error !== null) throw new Error(`in the panel: ${reply.error}`);
        return JSON.parse(reply.value ?? 'null') as T;
      },
      async untilPanel<T>(what: string, body: string, waitMs = guardMs): Promise<T> {
        const deadline = Date.now() + waitMs;
        let last: unknown = null;
        while (Date.now() < deadline) {
          last = await session.inPanel<T>(body).catch((e: unknown) => String(e));
          if (last && !(typeof last === 'string' && last.startsWith('Error: in the panel'))) return last as T;
          await new Promise((r) => setTimeout(r, 150));
        }
        throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 500)})`);
      },
      async setTheme(theme) {
        await chromeAsync(`Services.prefs.setCharPref('devtools.theme', args[0]);`, [theme]);
      },
      async screenshot(path) {
        writeDataUrl(path, await chromeAsync<string>(`${PANEL_BROWSER} ${PAINT} return await paint(true);`, [title]));
      },
      async panelScreenshot(path) {
        writeDataUrl(path, await chromeAsync<string>(`${PANEL_BROWSER} ${PAINT} return await paint(false);`, [title]));
      },
      output: () => output,
      close,
    };
    // The toolbox on the tab, the SSE tool selected: its page loads as a user's would.
    await chromeAsync(
      `
      const toolbox = await gDevTools.showToolboxForTab(win.gBrowser.selectedTab);
      for (let i = 0; i < 200; i++) {
        const tool = toolbox.getAdditionalTools().find((t) => t.label === args[0]);
        if (tool) return void (await toolbox.selectTool(tool.id));
        await new Promise((r) => win.setTimeout(r, 100));
      }
      throw new Error('the toolbox never offered the ' + args[0] + ' tool');`,
      [title],
    );
    await session.untilPanel('the panel to load', `return document.querySelector('[data-testid="connect-form"]') !== null;`);
    return session;
  } catch (error) {
    await close();
    throw error;
  }
}
