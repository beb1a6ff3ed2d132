/**
 * Worker threads that run our TypeScript modules.
 *
 * Loa runs its sources through tsx with no build step (`bin/loa.js`, the tests), but a worker is
 * a fresh isolate without the main thread's loader: `new Worker('x.ts')` fails there. So a
 * worker starts from a two-line bootstrap that registers tsx's ESM hooks and then imports the
 * module, which is an ordinary, type-checked .ts file. When the sources have been compiled to
 * .js, the same call starts the .js sibling without tsx.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the bootstrap receives besides the module's own data (kept under one key). */
interface Bootstrap {
  module: string;
  tsx?: string;
  /** Source maps on in the worker too (a worker does not inherit `process.setSourceMapsEnabled`). */
  sourceMaps?: boolean;
}

/** The URL of tsx's ESM register API (its `import` export: the CommonJS one cannot register hooks). */
function tsxEsmApi(from: string): string {
  const require = createRequire(from);
  const pkgFile = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

// Evaluated in the worker (plain CommonJS, the only code here that is not type-checked): load
// tsx when the module is TypeScript, then the module. `workerData` stays the module's own.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const boot = workerData.__bootstrap;
(async () => {
  if (boot.sourceMaps) process.setSourceMapsEnabled(true);
  if (boot.tsx) (await import(boot.tsx)).register();
  await import(boot.module);
})().catch((err) => { throw err; });
`;

/**
 * Starts the worker module `name` (a path relative to `from`, without extension) with
 * `workerData`. `from` is the caller's `import.meta.url`: a .ts caller starts `name.ts` under
 * tsx, a compiled .js caller starts `name.js`. The module reads its data with
 * `workerData` as usual (an extra `__bootstrap` key is the loader's).
 *
 * @example const w = startModuleWorker(import.meta.url, './send-thread-worker', data);
 */
export function startModuleWorker(from: string, name: string, workerData: Record<string, unknown>): Worker {
  const ts = from.endsWith('.ts');
  const boot: Bootstrap = { module: new URL(`${name}.${ts ? 'ts' : 'js'}`, from).href, ...(ts ? { tsx: tsxEsmApi(from) } : {}), ...(process.sourceMapsEnabled ? { sourceMaps: true } : {}) };
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...workerData, __bootstrap: boot } });
}
