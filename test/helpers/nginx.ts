/**
 * A real nginx between a test's server and its client (../shared/recipes/real-proxies.md): what
 * users' production proxies do to a stream, not our imitation of it. It runs in the foreground as
 * an ordinary process, 127.0.0.1 only, every path it writes inside its own temp folder; no system
 * service. `npm test` installs Debian's nginx-light first when it may (src/tooling/ensure-system-deps.mjs);
 * elsewhere the tests that need it skip and say why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './raw-server.js';

/** The nginx binary: NGINX_PATH, Debian's, or one on PATH; null when there is none. */
function findNginx(): string | null {
  const named = process.env.NGINX_PATH;
  if (named && existsSync(named)) return named;
  if (existsSync('/usr/sbin/nginx')) return '/usr/sbin/nginx';
  const which = spawnSync('which', ['nginx'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  return found.length > 0 ? found : null;
}

const NGINX = findNginx();

/** Why the real-proxy tests cannot run here, for `describe(…, { skip })`; false when they can. */
export const nginxMissing: string | false =
  NGINX === null ? 'nginx is not installed (Debian: apt-get install -y nginx-light; or set NGINX_PATH): the real-proxy tests need it' : false;

export interface Nginx {
  /** The proxy's base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  /** nginx's own error log so far: what to print when a test fails. */
  errorLog(): string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** The server nginx proxies to (its origin; the path of each request is kept). */
  upstream: string;
  /** Directives of the proxying location besides proxy_pass and HTTP/1.1, e.g. `proxy_buffering off; proxy_read_timeout 3s;`. */
  location: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

function config(dir: string, port: number, upstream: URL, location: string): string {
  const at = (name: string) => join(dir, name);
  return `daemon off;
worker_processes 1;
error_log ${at('error.log')} warn;
pid ${at('nginx.pid')};
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${at('body')}; proxy_temp_path ${at('proxy')}; fastcgi_temp_path ${at('fcgi')};
  uwsgi_temp_path ${at('uwsgi')}; scgi_temp_path ${at('scgi')};
  upstream app { server ${upstream.hostname}:${upstream.port}; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      ${location}
    }
  }
}
`;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

/** Starts nginx in front of `upstream` and resolves once it accepts connections. */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  if (NGINX === null) throw new Error(nginxMissing || 'no nginx');
  const upstream = new URL(options.upstream);
  const dir = mkdtempSync(join(tmpdir(), 'sse-nginx-'));
  // nginx's workers drop root for nobody: they must be able to enter the folder of their temp paths.
  chmodSync(dir, 0o755);
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  // A port chosen free may be taken before nginx binds it: try again with another.
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), config(dir, port, upstream, options.location));
    const child = spawn(NGINX, ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (child.exitCode === null && !(await accepts(port))) {
      if (Date.now() > deadline) break;
      await sleep(20);
    }
    if (child.exitCode === null && (await accepts(port))) {
      return {
        url: `http://127.0.0.1:${port}`,
        errorLog,
        async stop() {
          child.kill('SIGTERM');
          await exited(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    await exited(child);
    if (!/Address already in use/.test(stderr + errorLog())) throw new Error(`nginx did not start: ${stderr}${errorLog()}`);
  }
  throw new Error(`nginx found no free port: ${errorLog()}`);
}
