#!/usr/bin/env node
// The `loa` command. A checkout needs no build step: `npm install` then `npx loa <command>` (or
// `npm start`). It runs the compiled copy of `src/` in `dist/` (bin/compiled.js), made again
// whenever a source file changed, and the TypeScript sources through tsx when no copy can be
// made (or with LOA_COMPILE=0). Nothing is printed either way: `loa doctor` tells the operator
// when the copy cannot be made (and starts are slower).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMPILED_COPY_KEY, compiledCopy } from './compiled.js';
import { installCrashLine, installErrorPriority } from './journal.js';

// `loa start`: SIGTERM and SIGINT are noted from the first line, before the compiled copy is
// checked (or made, up to a second) and the modules load. Node's default action would kill the
// process there, in the middle of a compile, and systemd or Docker would see a process killed by
// a signal (exit 143) instead of a clean stop. src/cli/stop-signal.ts takes the noted signal
// over and the start stops at its first step, having opened nothing.
if (process.argv[2] === 'start') {
  const early = { signal: undefined, off: () => {} };
  const on = (name) => () => {
    early.off(); // a second signal meets Node's default action again, as later on
    early.signal = name;
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  early.off = () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  globalThis[Symbol.for('loa.earlyStop')] = early;
}

// Under systemd, errors and a crash are filed at the journal's error and critical priorities
// (bin/journal.js), so `journalctl -u loa -p warning` shows them.
installCrashLine();
installErrorPriority();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const copy = process.env.LOA_COMPILE === '0' ? { dist: null, compiled: false, reason: 'off' } : await compiledCopy(root);
globalThis[COMPILED_COPY_KEY] = { ...copy, root };
const { dist } = copy;
let modules;
if (dist) {
  // Errors in the logs then name src/*.ts lines, through the copy's source maps (worker threads
  // turn them on too: src/worker-thread.ts).
  process.setSourceMapsEnabled(true);
  modules = { envFile: join(dist, 'env-file.js'), main: join(dist, 'main.js') };
} else {
  const { register } = await import('tsx/esm/api');
  register();
  modules = { envFile: join(root, 'src', 'env-file.ts'), main: join(root, 'src', 'main.ts') };
}
// `.env` (or LOA_ENV_FILE) before any command reads its configuration; the environment wins.
const { loadEnvFile } = await import(pathToFileURL(modules.envFile).href);
try {
  loadEnvFile();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(78); // EX_CONFIG
}
const { main } = await import(pathToFileURL(modules.main).href);
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
