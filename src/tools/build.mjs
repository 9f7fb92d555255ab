#!/usr/bin/env node
// One build for every entry point: the CLI, the extension's contexts, tests and benchmarks.
// Usage: node src/tools/build.mjs [--watch]
import { build, context } from 'esbuild';
import { cp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const watch = process.argv.includes('--watch');

async function filesUnder(dir, suffix) {
  const out = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

const common = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: 'linked',
  target: 'es2022',
  logLevel: 'warning',
  define: { __SSE_DEVTOOLS_VERSION__: JSON.stringify(pkg.version) },
};

const configs = [
  {
    ...common,
    entryPoints: { 'sse-devtools': 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'esm',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: {
      background: 'src/background/service-worker.ts',
      devtools: 'src/devtools/devtools.ts',
      panel: 'src/panel/main.tsx',
      grant: 'src/grant/grant.ts',
    },
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'extension',
    platform: 'browser',
    format: 'esm',
  },
  {
    ...common,
    entryPoints: [...(await filesUnder('test', '.test.ts')), ...(await filesUnder('bench', '.ts')), 'src/tools/write-json-schema.ts'],
    outbase: '.',
    outdir: 'dist',
    platform: 'node',
    format: 'esm',
    // Test tooling stays in node_modules; our own code and its small dependencies are bundled in.
    external: ['playwright', 'playwright-core', 'puppeteer-core'],
  },
];

await rm(join(root, 'dist'), { recursive: true, force: true });
await mkdir(join(root, 'extension'), { recursive: true });
await cp(join(root, 'manifest.json'), join(root, 'extension', 'manifest.json'));

if (watch) {
  for (const c of configs) await (await context(c)).watch();
  console.log('watching for changes…');
} else {
  await Promise.all(configs.map((c) => build(c)));
}
