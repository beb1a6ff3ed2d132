// A compiled copy of `src/` for the `loa` command, so the service starts without tsx.
//
// Loa needs no build step: `bin/loa.js` can run the TypeScript sources through tsx. But tsx
// compiles and resolves every module through loader hooks at each start, which cost about 0.7 s
// of a 2 s start (measured in docs/BENCHMARKS.md). So `loa` keeps a plain JavaScript copy of
// `src/` in `dist/`, made by esbuild (the compiler tsx itself uses, so the output is the same
// code), and starts from it when it matches the sources. When any source file changed (a
// `git pull`, an edit), the next `loa` command compiles the copy again (about 0.3 s) before it
// runs; when that is not possible (the folder is read-only to the user, esbuild is missing, the
// disk is full), it runs through tsx as before, and `loa doctor` says why. `LOA_COMPILE=0`
// always runs through tsx.
//
// `dist/` mirrors `src/` file by file, at the same depth in the checkout, and holds the
// non-TypeScript files beside them (templates, migrations, lexicon), so paths made from
// `import.meta.url` (`../../content`, `./migrations`) find the same files as from `src/`.
//
// Whether the copy matches is decided by the sources' contents, not their modification times:
// a Docker image's layers keep times only to the second (an image pushed and pulled, `docker
// save`/`load`), `cp -r`, `rsync` without `-t` and unpacked archives change them, and a copy
// that looked stale there would be compiled again at every start, or, where the user cannot
// write (the image's /app), never used. Hashing the 2.3 MB of `src/` takes about 10 ms.
//
// Several `loa` processes may start at once (the service and `loa doctor`, parallel tests): each
// compiles into its own temporary folder and renames it into place, so none ever runs a
// half-written copy.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Changes whenever the compile options below change, so an older copy is made again. */
const FORMAT = 'loa-dist-2';
/** The stamp file in `dist/`: the fingerprint of the sources it was made from. */
const STAMP = '.source-stamp';
/** Temporary folders of compiles (`.dist-<pid>-<time>`), renamed into `dist/` when done. */
const TMP_PREFIX = '.dist-';

/** Every file under `dir`, as paths relative to it with `/` separators, sorted (the fingerprint's order). */
function listFiles(dir, base = dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listFiles(p, base, out);
    else if (e.isFile()) out.push(relative(base, p).split('\\').join('/'));
  }
  return out.sort();
}

/** A file's bytes, or null when it does not exist. */
function readOrNull(file) {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

/**
 * The fingerprint of what the copy is made from: every file of `src/` (path and contents), the
 * compiler's version, `tsconfig.json` (esbuild reads it) and this file (the compile options).
 * Taken before compiling, so a file edited while the copy is made gives the next start a new
 * fingerprint, and it compiles again.
 */
function fingerprint(root, files) {
  const h = createHash('sha256').update(FORMAT).update('\0');
  h.update(esbuildVersion(root) ?? 'none').update('\0');
  for (const extra of [join(root, 'tsconfig.json'), fileURLToPath(import.meta.url)]) h.update(readOrNull(extra) ?? 'none').update('\0');
  for (const f of files) {
    const bytes = readFileSync(join(root, 'src', f));
    h.update(`${f}\0${bytes.length}\0`).update(bytes).update('\0');
  }
  return h.digest('hex');
}

/** The installed esbuild's version (null when it is not installed). */
function esbuildVersion(root) {
  try {
    const require = createRequire(join(root, 'package.json'));
    return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** Compiles `src/` of `root` into the existing empty folder `out`, with `stamp` written last. */
async function compileInto(root, files, out, stamp) {
  const require = createRequire(join(root, 'package.json'));
  const mod = await import(require.resolve('esbuild'));
  const esbuild = mod.default ?? mod;
  const ts = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  try {
    await esbuild.build({
      entryPoints: ts.map((f) => join(root, 'src', f)),
      outdir: out,
      outbase: join(root, 'src'),
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Stack traces in the logs point at src/*.ts lines (bin/loa.js turns source maps on).
      sourcemap: 'linked',
      logLevel: 'silent',
    });
  } finally {
    // esbuild's build keeps a service process (about 80 MB) until it is stopped: without this it
    // stayed beside the service for its whole life after every start that compiled.
    await esbuild.stop?.();
  }
  for (const f of files) {
    if (f.endsWith('.ts')) continue;
    mkdirSync(dirname(join(out, f)), { recursive: true });
    copyFileSync(join(root, 'src', f), join(out, f));
  }
  writeFileSync(join(out, STAMP), stamp);
}

/** Whether the process `pid` of this machine is alive (true when it cannot be told). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err?.code !== 'ESRCH';
  }
}

/**
 * Removes the temporary folders of compiles that will never finish: their process is gone
 * (killed midway, e.g. `kill -9` or a power cut) or they are older than an hour (a process of
 * another PID namespace). Never fails: a folder this user cannot remove (made by root) stays.
 */
function removeLeftovers(root) {
  let names;
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const p = join(root, name);
    try {
      const pid = Number(/^\.dist-(\d+)-/.exec(name)?.[1]);
      if (pid === process.pid) continue;
      if (!pid || !alive(pid) || Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
    } catch {
      // Not ours to remove, or already gone.
    }
  }
}

const readStamp = (dir) => {
  try {
    return readFileSync(join(dir, STAMP), 'utf8');
  } catch {
    return null;
  }
};

/** Why a copy could not be made, from the error: see {@link compiledCopy}. */
function reasonOf(err) {
  const code = err?.code;
  const text = String(err?.message ?? err);
  if (code === 'ENOSPC' || code === 'EDQUOT' || /no space left|quota exceeded/i.test(text)) return 'no-space';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || /permission denied|read-only file system/i.test(text)) return 'read-only';
  return 'error';
}

/**
 * @typedef {object} CompiledCopy
 * @property {string | null} dist the folder to start from (its `main.js`, `env-file.js`), or
 *   null: run the sources through tsx
 * @property {boolean} compiled whether it was compiled by this call
 * @property {'off' | 'no-esbuild' | 'read-only' | 'no-space' | 'error'} [reason] why there is no
 *   copy: LOA_COMPILE=0, esbuild not installed, the checkout not writable by this user, the disk
 *   full, anything else (`detail` says what)
 * @property {string} [detail] the error's message
 */

/**
 * The compiled copy of `root/src`, compiled now if it is missing or does not match the sources.
 * Never throws. `onCompile` is told before a compile starts (for a log line).
 *
 * @param {string} root
 * @param {() => void} [onCompile]
 * @returns {Promise<CompiledCopy>}
 * @example const { dist } = await compiledCopy(root); if (dist) await import(join(dist, 'main.js'));
 */
export async function compiledCopy(root, onCompile = () => {}) {
  const dist = join(root, 'dist');
  let tmp = null;
  try {
    const files = listFiles(join(root, 'src'));
    const stamp = fingerprint(root, files);
    if (readStamp(dist) === stamp) {
      removeLeftovers(root);
      return { dist, compiled: false };
    }
    if (esbuildVersion(root) === null) return { dist: null, compiled: false, reason: 'no-esbuild' };
    removeLeftovers(root);
    // The folder first: a checkout this user cannot write is known at once, before esbuild
    // spends 0.3 s compiling what it could not write.
    tmp = join(root, `${TMP_PREFIX}${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(tmp);
    onCompile();
    await compileInto(root, files, tmp, stamp);
    // Into place. When `dist/` exists, another process has just made the same copy (done), or
    // it is stale: moved aside and removed. A process that loses a race tries again.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        renameSync(tmp, dist);
        break;
      } catch {
        if (readStamp(dist) === stamp) break;
        const old = `${tmp}-old${attempt}`;
        try {
          renameSync(dist, old);
          rmSync(old, { recursive: true, force: true });
        } catch {
          // Someone else moved it first, or a copy made by another user (root) could be moved
          // aside but not emptied: removeLeftovers tries again later.
        }
      }
    }
    return readStamp(dist) === stamp ? { dist, compiled: true } : { dist: null, compiled: false, reason: 'error', detail: `${dist} could not be replaced` };
  } catch (err) {
    // esbuild's own errors are in `errors` (its message only counts them).
    return { dist: null, compiled: false, reason: reasonOf(err), detail: String(err?.errors?.[0]?.text ?? err?.message ?? err).split('\n')[0] };
  } finally {
    if (tmp) {
      try {
        rmSync(tmp, { recursive: true, force: true });
      } catch {
        // Left for removeLeftovers.
      }
    }
  }
}

/**
 * The folder of the compiled copy of `root/src`, or null when it cannot be made (the caller then
 * runs the sources through tsx). See {@link compiledCopy}.
 *
 * @param {string} root
 * @param {() => void} [onCompile]
 * @returns {Promise<string | null>}
 * @example const dist = await compiledDist(root); if (dist) await import(join(dist, 'main.js'));
 */
export async function compiledDist(root, onCompile = () => {}) {
  return (await compiledCopy(root, onCompile)).dist;
}

/** Where bin/loa.js leaves how this process was started, for `loa doctor` (src/doctor). */
export const COMPILED_COPY_KEY = Symbol.for('loa.compiledCopy');
