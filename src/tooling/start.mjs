#!/usr/bin/env node
// `npm start`: build, start the demo SSE server, open Chromium with the extension and DevTools on
// the SSE tab connected to it. Without a display, show the CLI capturing from it instead.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'sse-devtools.js');
const port = process.env.PORT ?? '8787';
const base = `http://127.0.0.1:${port}`;
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

// `--no-build` starts what is built already (the tests run it beside others that read dist/).
if (!process.argv.includes('--no-build')) {
  const built = spawnSync(process.execPath, [join(root, 'src/tooling/build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const children = [];
const stopAll = () => children.forEach((c) => c.kill('SIGINT'));
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
// `npm start | head`: once the reader is gone, stop everything quietly. Unhandled, the EPIPE would
// end this process with a stack trace and leave the demo server running, holding the port.
let outClosed = false;
process.stdout.on('error', () => {
  outClosed = true;
  stopAll();
});

// The demo server ends each stream after 20 s, as a load balancer would, so reconnects show up.
const demo = spawn(process.execPath, [cli, 'demo', '--port', port, '--max-duration', '20000', '--heartbeat', '5000'], { stdio: ['ignore', 'pipe', 'inherit'] });
children.push(demo);
demo.on('exit', (code) => {
  if (code) {
    console.error(`the demo server exited with ${code} (is port ${port} taken? try PORT=8788 npm start)`);
    process.exit(code);
  }
});

let started = false;
demo.stdout.on('data', (d) => {
  if (!outClosed) process.stdout.write(d);
  if (started || !String(d).includes('SSE demo server on')) return;
  started = true;
  const next = hasDisplay
    ? spawn(process.execPath, [join(root, 'dist/src/tooling/chromium/start-browser.js'), base, 'demo-token'], { stdio: 'inherit', cwd: root })
    : (outClosed || console.log('\nNo display here (DISPLAY is not set), so instead of Chromium: the CLI on the same engine.\nRun `xvfb-run -a npm start` for a virtual display, or set DISPLAY.\n'),
      spawn(process.execPath, [cli, 'capture', `${base}/events`, '-H', 'Authorization: Bearer demo-token', '--reconnect-delay', '1000'], { stdio: 'inherit' }));
  children.push(next);
  next.on('exit', (code) => {
    // 141: the CLI saw the same closed stdout, and stopped as it should.
    if (code && code !== 141) console.error(`exited with ${code}`);
    demo.kill('SIGINT');
  });
});
