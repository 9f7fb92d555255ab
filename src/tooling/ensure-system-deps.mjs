#!/usr/bin/env node
// Installs what the tests need from Debian's packages when it is missing and we may (root, apt-get).
// Elsewhere it only says what is missing; a browser can also be named with CHROMIUM_PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package -> the file that proves it is installed. */
const NEEDED = {
  chromium: '/usr/bin/chromium',
  'firefox-esr': '/usr/bin/firefox-esr',
  xvfb: '/usr/bin/xvfb-run',
  // test/release reads the release archives with it (packaging itself needs no zip tool).
  unzip: '/usr/bin/unzip',
  // test/snippets compiles the Kotlin snippet with it. Measured on this machine: 86 MB download,
  // 355 MB on disk, 36 s to install; about 5 s per compile.
  kotlin: '/usr/bin/kotlinc',
  // The doctor's proxy tests put a real nginx between our servers and the engine (test/helpers/nginx.ts).
  'nginx-light': '/usr/sbin/nginx',
};
/** Packages whose tests skip, saying why, where they cannot be installed; nginx has NGINX_PATH too. */
const OPTIONAL = new Set(['nginx-light']);
if (process.env.NGINX_PATH && existsSync(process.env.NGINX_PATH)) delete NEEDED['nginx-light'];
// A browser named by the user (non-Debian machines) stands in for Debian's.
if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) delete NEEDED.chromium;

const missing = Object.entries(NEEDED).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
if (missing.length === 0) {
  console.log('all system dependencies present');
  process.exit(0);
}
const canApt = process.getuid?.() === 0 && spawnSync('which', ['apt-get']).status === 0;
if (!canApt) {
  // Tests that need an optional package skip and say why; the rest cannot run without theirs.
  const required = missing.filter((pkg) => !OPTIONAL.has(pkg));
  const log = required.length > 0 ? console.error : console.log;
  log(`missing: ${missing.join(', ')}; install them (Debian: apt-get install -y ${missing.join(' ')})${required.length === 0 ? '; the tests that need them will skip' : ''}`);
  process.exit(required.length > 0 ? 1 : 0);
}
console.log(`installing ${missing.join(', ')} with apt-get…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
