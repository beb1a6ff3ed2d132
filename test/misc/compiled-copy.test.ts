/**
 * The compiled copy of `src/` that `loa` starts from (bin/compiled.js): made when missing, used
 * as is while the sources are unchanged, made again after an edit or a deleted file, never
 * half-written when several processes start at once, and null (tsx instead) without esbuild.
 * The last test starts the real service from it.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript (it runs before tsx can), without type declarations.
import { compiledDist } from '../../bin/compiled.js';

type CompiledDist = (root: string, onCompile?: () => void) => Promise<string | null>;
const compile = compiledDist as CompiledDist;
const REPO = resolve('.');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A checkout with a small `src/`: a module, its import, a template beside it, and node_modules. */
function checkout(withEsbuild = true): string {
  const root = mkdtempSync(join(tmpdir(), 'loa-compiled-'));
  dirs.push(root);
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  if (withEsbuild) symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(root, 'src', 'views'), { recursive: true });
  writeFileSync(
    join(root, 'src', 'main.ts'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { greet } from './greet.js';",
      'const view: string = readFileSync(new URL(\'./views/page.txt\', import.meta.url), \'utf8\');',
      'export const out = (name: string): string => `${greet(name)} ${view.trim()}`;',
    ].join('\n'),
  );
  writeFileSync(join(root, 'src', 'greet.ts'), "export const greet = (n: string): string => `Xin chào ${n}`;\n");
  writeFileSync(join(root, 'src', 'views', 'page.txt'), 'trang 1\n');
  return root;
}

/** Runs the copy's main.js in a fresh Node process (this one's module cache would keep old imports). */
async function run(dist: string, name: string): Promise<string> {
  const script = `const { out } = await import(${JSON.stringify(pathToFileURL(join(dist, 'main.js')).href)}); console.log(out(${JSON.stringify(name)}));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return stdout.trim();
}

describe('compiled copy', () => {
  it('is made when missing, then used as is until a source changes', async () => {
    const root = checkout();
    let compiles = 0;
    const dist = await compile(root, () => compiles++);
    expect(dist).toBe(join(root, 'dist'));
    expect(compiles).toBe(1);
    expect(await run(dist!, 'Lan')).toBe('Xin chào Lan trang 1');
    // Unchanged: not compiled again.
    expect(await compile(root, () => compiles++)).toBe(dist);
    expect(compiles).toBe(1);
    // An edit of the same size.
    writeFileSync(join(root, 'src', 'greet.ts'), "export const greet = (n: string): string => `Kính chào ${n}`;\n");
    expect(await compile(root, () => compiles++)).toBe(dist);
    expect(compiles).toBe(2);
    expect(await run(dist!, 'Lan')).toBe('Kính chào Lan trang 1');
    // A template beside the code is copied too.
    writeFileSync(join(root, 'src', 'views', 'page.txt'), 'trang 2\n');
    await compile(root, () => compiles++);
    expect(compiles).toBe(3);
    expect(await run(dist!, 'Lan')).toBe('Kính chào Lan trang 2');
  });

  it('is made again when only a modification time changed, and drops deleted files', async () => {
    const root = checkout();
    const dist = (await compile(root))!;
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'src', 'greet.ts'), later, later);
    let compiles = 0;
    await compile(root, () => compiles++);
    expect(compiles).toBe(1);
    writeFileSync(join(root, 'src', 'old.ts'), 'export const x = 1;\n');
    await compile(root);
    expect(existsSync(join(dist, 'old.js'))).toBe(true);
    unlinkSync(join(root, 'src', 'old.ts'));
    await compile(root);
    expect(existsSync(join(dist, 'old.js'))).toBe(false);
  });

  it('is made by one of several processes starting at once, and all of them use it', async () => {
    const root = checkout();
    await compile(root);
    writeFileSync(join(root, 'src', 'greet.ts'), "export const greet = (n: string): string => `Chào ${n}`;\n");
    const script = `import { compiledDist } from ${JSON.stringify(pathToFileURL(join(REPO, 'bin', 'compiled.js')).href)};
const d = await compiledDist(${JSON.stringify(root)});
const { out } = await import(d + '/main.js');
console.log(out('Minh'));`;
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root })),
    );
    for (const r of runs) expect(r.stdout.trim()).toBe('Chào Minh trang 1');
    // No temporary folder is left behind.
    const left = readdirSync(root).filter((n) => n.startsWith('.dist-'));
    expect(left).toEqual([]);
  });

  it('is null without esbuild, so loa runs the sources through tsx', async () => {
    const root = checkout(false);
    expect(await compile(root)).toBeNull();
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it('runs the real service: loa start answers from the copy of this checkout', async () => {
    const data = mkdtempSync(join(tmpdir(), 'loa-compiled-data-'));
    dirs.push(data);
    const child = spawn(process.execPath, [join(REPO, 'bin', 'loa.js'), 'start'], {
      env: { ...process.env, LOA_HTTP_PORT: '0', LOA_HTTP_HOST: '127.0.0.1', LOA_DATA_DIR: data, LOA_LOG_LEVEL: 'warn', LOA_COMPILE: undefined, NODE_OPTIONS: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((ok, fail) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /web chat (http:\/\/\S+?)\//.exec(out);
          if (m) ok(m[1]!);
        });
        child.once('exit', (code) => fail(new Error(`loa start exited (${code})`)));
      });
      const res = await fetch(new URL('/api/chat', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session: 'compiled-copy-1', text: 'bhyt tre em duoi 6 tuoi' }),
      });
      const body = (await res.json()) as { replies: { text: string }[] };
      expect(res.status).toBe(200);
      expect(body.replies[0]!.text).toMatch(/bảo hiểm y tế|BHYT/i);
      // The copy matches the sources now (made or found by this start): nothing left to compile.
      let compiles = 0;
      expect(await compile(REPO, () => compiles++)).toBe(join(REPO, 'dist'));
      expect(compiles).toBe(0);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 120_000);
});
