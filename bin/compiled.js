// A compiled copy of `src/` for the `loa` command, so the service starts without tsx.
//
// Loa needs no build step: `bin/loa.js` can run the TypeScript sources through tsx. But tsx
// compiles and resolves every module through loader hooks at each start, which cost about 0.7 s
// of a 2 s start (measured in docs/BENCHMARKS.md). So `loa` keeps a plain JavaScript copy of
// `src/` in `dist/`, made by esbuild (the compiler tsx itself uses, so the output is the same
// code), and starts from it when it matches the sources. When any source file changed (a
// `git pull`, an edit), the next `loa` command compiles the copy again (about 0.3 s) before it
// runs; when that is not possible (the folder is read-only, esbuild is missing), it runs
// through tsx as before. `LOA_COMPILE=0` always runs through tsx.
//
// `dist/` mirrors `src/` file by file, at the same depth in the checkout, and holds the
// non-TypeScript files beside them (templates, migrations, lexicon), so paths made from
// `import.meta.url` (`../../content`, `./migrations`) find the same files as from `src/`.
//
// Several `loa` processes may start at once (the service and `loa doctor`, parallel tests): each
// compiles into its own temporary folder and renames it into place, so none ever runs a
// half-written copy.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

/** Changes whenever the compile options below change, so an older copy is made again. */
const FORMAT = 'loa-dist-1';
/** The stamp file in `dist/`: the fingerprint of the sources it was made from. */
const STAMP = '.source-stamp';

/** Every file under `dir`, as paths relative to it, sorted (the fingerprint's order). */
function listFiles(dir, base = dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listFiles(p, base, out);
    else if (e.isFile()) out.push(relative(base, p));
  }
  return out.sort();
}

/**
 * The fingerprint of `src/` and of the compiler: each file's path, size and modification time
 * (nanoseconds), as git's index does it. Any edit, checkout or deleted file changes it. Taken
 * before compiling, so a file edited while the copy is made gives the next start a new
 * fingerprint, and it compiles again.
 */
function fingerprint(root, files) {
  const h = createHash('sha256').update(FORMAT).update('\0');
  h.update(esbuildVersion(root) ?? 'none').update('\0');
  for (const f of files) {
    const s = statSync(join(root, 'src', f), { bigint: true });
    h.update(`${f}\0${s.size}\0${s.mtimeNs}\0`);
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

/** Compiles `src/` of `root` into the new folder `out`, with `stamp` written last. */
async function compileInto(root, files, out, stamp) {
  const require = createRequire(join(root, 'package.json'));
  const { build } = await import(require.resolve('esbuild'));
  const ts = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  await build({
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
  for (const f of files) {
    if (f.endsWith('.ts')) continue;
    mkdirSync(dirname(join(out, f)), { recursive: true });
    copyFileSync(join(root, 'src', f), join(out, f));
  }
  writeFileSync(join(out, STAMP), stamp);
}

/** Temporary folders of compiles killed midway (older than an hour: none is still running). */
function removeLeftovers(root) {
  for (const name of readdirSync(root)) {
    if (!name.startsWith('.dist-')) continue;
    const p = join(root, name);
    if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
  }
}

const readStamp = (dir) => {
  try {
    return readFileSync(join(dir, STAMP), 'utf8');
  } catch {
    return null;
  }
};

/**
 * The folder of the compiled copy of `root/src` (its `main.js` and `env-file.js`), compiled now
 * if it is missing or older than the sources. Null when it cannot be made: the caller then runs
 * the sources through tsx. `onCompile` is told before a compile starts (for a log line).
 *
 * @example const dist = await compiledDist(root); if (dist) await import(join(dist, 'main.js'));
 */
export async function compiledDist(root, onCompile = () => {}) {
  const dist = join(root, 'dist');
  let tmp = null;
  try {
    const files = listFiles(join(root, 'src'));
    const stamp = fingerprint(root, files);
    if (readStamp(dist) === stamp) return dist;
    if (esbuildVersion(root) === null) return null;
    onCompile();
    removeLeftovers(root);
    tmp = join(root, `.dist-${process.pid}-${Date.now().toString(36)}`);
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
          // Someone else moved it first.
        }
      }
    }
    return readStamp(dist) === stamp ? dist : null;
  } catch {
    return null;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
