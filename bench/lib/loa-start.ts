/**
 * Times the real start path: `node bin/loa.js start` (what `npm start` runs, from the compiled
 * copy of src/ when there is one, bin/compiled.js) from spawn to listening (its "Loa đang chạy"
 * line) and to its first answer over HTTP, then stops it with SIGTERM as an operator would.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface StartTiming {
  /** From spawn to the line that says it listens (ms). */
  listeningMs: number;
  /** From spawn to the first answer read back over HTTP (ms). */
  firstAnswerMs: number;
  /** Whether that first reply held an answer. */
  answered: boolean;
}

/** One start of `loa start` on `env` (LOA_CONTENT_DIR, LOA_DATA_DIR, …), asking `question` at once. */
export async function timeLoaStart(root: string, env: Record<string, string>, question: string): Promise<StartTiming> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'loa.js'), 'start'], {
    cwd: root,
    env: { ...process.env, LOA_HTTP_PORT: '0', LOA_HTTP_HOST: '127.0.0.1', LOA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /web chat (http:\/\/\S+?)\//.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`loa start exited (${code}) before listening`)));
    });
    const listeningMs = performance.now() - t0;
    const res = await fetch(new URL('/api/chat', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session: `bench-start-${Date.now()}`, text: question }),
    });
    const body = (await res.json()) as { replies?: unknown[] };
    return { listeningMs, firstAnswerMs: performance.now() - t0, answered: res.status === 200 && (body.replies?.length ?? 0) > 0 };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
