#!/usr/bin/env node
// `npm test`: the type check and the test suite at the same time; fails if either fails.
//
// Run one after the other they took about 20 s + 140 s on this 2-core machine. The tests leave
// a core idle part of the time (sockets, throttles, Chromium), so tsc runs beside them at a lower
// CPU priority: it takes that idle time and yields the cores whenever both test forks need them.
// Its output is held and printed once the tests have finished, so the two do not interleave.
//
// Arguments go to vitest (`npm test -- test/telegram`).
import { spawn } from 'node:child_process';
import { accessSync, constants, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** The file of a package's command (`bin` in its package.json). */
function binOf(pkg, name) {
  const file = require.resolve(`${pkg}/package.json`);
  const { bin } = require(file);
  return join(dirname(file), typeof bin === 'string' ? bin : bin[name]);
}
const tscBin = binOf('typescript', 'tsc');
const vitestBin = binOf('vitest', 'vitest');

/** Runs `node bin args`; resolves with its exit code (1 when killed by a signal) and held output. */
function run(bin, args, { hold, nice, env }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: hold ? ['ignore', 'pipe', 'pipe'] : 'inherit', env });
    if (nice) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // Not allowed here (some containers): it then runs at normal priority.
      }
    }
    const out = [];
    child.stdout?.on('data', (b) => out.push(b));
    child.stderr?.on('data', (b) => out.push(b));
    child.on('error', (err) => resolve({ code: 1, out: [Buffer.from(`${err.message}\n`)] }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

// Test apps' data and content folders go to memory (/dev/shm) where it has room: creating and
// removing them on this machine's ext4 /tmp cost 0.2-0.3 s of wall time per app, and a run
// starts about a hundred. A TMPDIR set by the caller wins.
const env = { ...process.env };
if (!env.TMPDIR) {
  try {
    const fs = statfsSync('/dev/shm');
    accessSync('/dev/shm', constants.W_OK);
    if (fs.bavail * fs.bsize > 2 * 2 ** 30) env.TMPDIR = '/dev/shm';
  } catch {
    // No /dev/shm (macOS, some containers): the system's temporary folder.
  }
}

const typecheck = run(tscBin, ['--noEmit', '-p', 'tsconfig.json', ...(process.stdout.isTTY ? ['--pretty'] : [])], { hold: true, nice: 10 });
const tests = await run(vitestBin, ['run', ...process.argv.slice(2)], { hold: false, nice: 0, env });
const tsc = await typecheck;
for (const b of tsc.out) process.stdout.write(b);
process.stdout.write(tsc.code === 0 ? 'typecheck: no errors\n' : `typecheck: failed (tsc exit code ${tsc.code})\n`);
process.exit(tests.code !== 0 ? tests.code : tsc.code);
