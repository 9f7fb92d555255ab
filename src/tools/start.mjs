#!/usr/bin/env node
// `npm start`: build, start the demo SSE server, and show the engine at work on it.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'sse-devtools.js');
const port = process.env.PORT ?? '8787';

const built = spawnSync(process.execPath, [join(root, 'src/tools/build.mjs')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const children = [];
const stopAll = () => children.forEach((c) => c.kill('SIGINT'));
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

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
  process.stdout.write(d);
  if (started || !String(d).includes('SSE demo server on')) return;
  started = true;
  console.log('\n--- sse-devtools capture (Ctrl-C to stop) ---\n');
  const capture = spawn(process.execPath, [cli, 'capture', `http://127.0.0.1:${port}/events`, '-H', 'Authorization: Bearer demo-token', '--reconnect-delay', '1000'], { stdio: 'inherit' });
  children.push(capture);
  capture.on('exit', () => demo.kill('SIGINT'));
});
