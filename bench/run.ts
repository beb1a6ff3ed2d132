/**
 * `npm run bench`: runs every `bench/*.bench.ts` (each exports `run(): Promise<string>`, a
 * Markdown section) in file-name order, all in one go, and writes docs/BENCHMARKS.md with the
 * machine notes. Pass names to run only some: `npm run bench -- search telegram` (the other
 * sections keep their last figures).
 */
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'docs', 'BENCHMARKS.md');
const only = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();

// Keep the last figures of sections not run this time.
const previous = new Map<string, string>();
if (existsSync(out)) {
  const text = readFileSync(out, 'utf8');
  for (const m of text.matchAll(/<!-- bench:(\S+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) previous.set(m[1]!, m[2]!);
}

const names = files.map((f) => f.replace(/\.bench\.ts$/, '').replace(/^\d+-/, ''));
const bodies = new Map(names.map((n) => [n, previous.get(n) ?? '_not run yet_\n']));

const cpu = cpus();
const machine = [
  `- CPU: ${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
  `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  `- OS: ${platform()} ${release()}`,
  `- Node: ${process.version}`,
  `- Date: ${new Date().toISOString()}`,
].join('\n');

/** Writes the file with every section as it stands: after each section run, so that a bench that fails later loses nothing measured before it. */
const write = (): void => {
  const sections = names.map((n) => `<!-- bench:${n} -->\n${bodies.get(n)!.trimEnd()}\n<!-- /bench:${n} -->`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `# Benchmarks\n\nWritten by \`npm run bench\` (bench/run.ts); do not edit by hand. Every figure is measured on\nthe machine below, over loopback only. Tests check behaviour; these figures are the performance record.\n\n## Machine\n\n${machine}\n\n${sections.join('\n\n')}\n`,
  );
};

for (const [i, f] of files.entries()) {
  const name = names[i]!;
  if (only.length > 0 && !only.includes(name)) continue;
  console.error(`bench: ${name} …`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: () => Promise<string> };
  const started = Date.now();
  const body = await mod.run();
  bodies.set(name, `${body}\n_Section run on ${new Date().toISOString().slice(0, 10)} in ${((Date.now() - started) / 1000).toFixed(1)} s._\n`);
  write();
}
write();
console.error(`bench: wrote ${out}`);
