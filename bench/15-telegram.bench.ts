/**
 * Telegram webhook throughput, end to end: an update POSTed to `/webhooks/telegram` (with the
 * secret header, as Telegram delivers it) until the answer reaches the fake Bot API's
 * `sendMessage`. Loopback only.
 *
 * - The Loa server runs in its own process (bench/lib/telegram-app.ts: the real app, wired as
 *   `npm start` wires it, in webhook mode); this process plays Telegram: it delivers updates
 *   over keep-alive connections and serves the Bot API (test/support/fake-telegram.ts).
 * - Closed loop at 10, 50 and 200 concurrent chats: each chat sends its next update as soon as
 *   the answer to the previous one arrives (the most the pipeline does at that concurrency).
 * - Open loop at fixed rates (up to 1,500 updates/s) spread over 200 chats: the latency at that rate.
 * - Two workloads: a button press showing an approved answer (callback query -> inbox ->
 *   conversation -> sendMessage, plus answerCallbackQuery), and a free-text question, which
 *   adds the knowledge-base search.
 * - The reply throttle is set far above Telegram's real limits (TELEGRAM_RATE_GLOBAL) and the
 *   per-person flood limit is lifted, so the figures are Loa's own; on real Telegram, replies
 *   beyond ~30/s across chats need paid broadcasts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../test/support/fake-telegram.js';
import { listening } from './lib/server-ready.js';
import { isServable, loadContent } from '../src/knowledge/content.js';
import { readCases } from '../src/knowledge/eval.js';

const SECRET = 'bench_secret-0123456789abcdef';
const RUN_SECONDS = Number(process.env.LOA_BENCH_SECONDS ?? 6);
const WARMUP_SECONDS = 1.5;

interface Stats {
  rss: number;
  cpuMicros: number;
  loopActiveMs: number;
  loopIdleMs: number;
}

interface RunResult {
  label: string;
  chats: number;
  updates: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  rssMb: number;
  cpuPerUpdateUs: number;
  /** Share of the measured time the server's main thread was busy. */
  loopBusy: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}

/** The Loa server process. */
async function startServer(apiRoot: string, token: string, dataDir: string, extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; stats: () => Promise<Stats>; stop: () => Promise<void> }> {
  const botFile = join(dataDir, 'bot.yaml');
  writeFileSync(
    botFile,
    [
      'name: Loa benchmark',
      'greeting: Xin chào!',
      'regions_root: hung-yen',
      // Lifted so a closed loop measures the pipeline, not the anti-flood rule.
      'flood_limit: { messages: 1000000, seconds: 1 }',
    ].join('\n'),
  );
  const child = fork(join(import.meta.dirname ?? 'bench', '..', 'bin', 'run-ts.js'), [join('bench', 'lib', 'telegram-app.ts')], {
    // e.g. LOA_BENCH_SERVER_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server.
    ...(process.env.LOA_BENCH_SERVER_ARGS ? { execArgv: process.env.LOA_BENCH_SERVER_ARGS.split(' ') } : {}),
    env: {
      ...process.env,
      LOA_HTTP_PORT: '0',
      LOA_DATA_DIR: dataDir,
      LOA_CONTENT_DIR: 'content',
      LOA_BOT: botFile,
      // As `npm start` runs it: nothing on the webhook path logs at info.
      LOA_LOG_LEVEL: 'info',
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://portal.example.gov.vn/webhooks/telegram',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_RATE_GLOBAL: '1000000',
      TELEGRAM_RATE_PER_CHAT: '1000000',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  // Measured once its search thread is ready.
  const server = await listening(child, 'telegram bench');
  await server.ready;
  const first = { url: server.url };
  const stats = async (): Promise<Stats> => {
    child.send('stats');
    const [m] = (await once(child, 'message')) as [Stats];
    return m;
  };
  return {
    child,
    url: first.url,
    stats,
    stop: async () => {
      child.send('stop');
      await once(child, 'exit');
    },
  };
}

/** Delivers updates as Telegram does: POST with the secret header over kept-alive connections. */
function createDeliverer(url: string): (body: string) => Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 40 });
  const post = (target: URL, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const hook = new URL(`${url}/webhooks/telegram`);
  return async (body) => {
    const res = await post(hook, body, { 'x-telegram-bot-api-secret-token': SECRET });
    return res.status;
  };
}

async function main(): Promise<string> {
  const content = loadContent('content');
  const today = new Date().toISOString().slice(0, 10);
  const qaIds = content.qa.filter((q) => isServable(q, today) && q.topics.length > 0).map((q) => q.id);
  const questions = readCases('test/fixtures/eval-cases-a.jsonl').map((c) => c.query);

  // Answers per chat, in order: each chat's updates are answered in order (the inbox keeps it).
  const waiting = new Map<string, { at: number; measured: boolean }[]>();
  const latencies: number[] = [];
  // Updates sent inside the measured window have their latency recorded, whenever answered
  // (so a backlog after the window still counts); throughput counts answers inside the window.
  let recording = false;
  let answered = 0;
  let windowAnswered = 0;
  const onAnswer = new Map<string, () => void>();
  const tg: FakeTelegram = await startFakeTelegram({
    record: false,
    onCall: (c: RecordedCall) => {
      if (c.method !== 'sendMessage') return;
      const chat = String(c.params.chat_id);
      const sent = waiting.get(chat)?.shift();
      if (sent === undefined) return;
      answered++;
      if (recording) windowAnswered++;
      if (sent.measured) latencies.push(performance.now() - sent.at);
      onAnswer.get(chat)?.();
    },
  });
  let server!: Awaited<ReturnType<typeof startServer>>;
  let deliver!: ReturnType<typeof createDeliverer>;

  let updateId = 1;
  let messageId = 1;
  const updateFor = (workload: 'button' | 'question', chat: number, n: number): string => {
    const from = { id: chat, is_bot: false, first_name: 'Bench' };
    const id = updateId++;
    if (workload === 'button')
      return JSON.stringify({ update_id: id, callback_query: { id: `cq${id}`, from, chat_instance: `c${chat}`, data: `qa:${qaIds[n % qaIds.length]}`, message: { message_id: 1, date: 1, chat: { id: chat, type: 'private' } } } });
    return JSON.stringify({ update_id: id, message: { message_id: messageId++, date: Math.floor(Date.now() / 1000), chat: { id: chat, type: 'private' }, from, text: questions[n % questions.length] } });
  };

  const send = async (workload: 'button' | 'question', chat: number, n: number): Promise<void> => {
    const key = String(chat);
    const body = updateFor(workload, chat, n);
    const list = waiting.get(key) ?? waiting.set(key, []).get(key)!;
    list.push({ at: performance.now(), measured: recording });
    const status = await deliver(body);
    if (status !== 200) throw new Error(`bench: webhook answered ${status}`);
  };

  const measure = async (label: string, chats: number, run: (deadline: number) => Promise<void>): Promise<RunResult> => {
    latencies.length = 0;
    recording = false;
    windowAnswered = 0;
    const warmEnd = performance.now() + WARMUP_SECONDS * 1000;
    const end = warmEnd + RUN_SECONDS * 1000;
    let startCount = 0;
    let startStats: Stats | undefined;
    const warm = setTimeout(() => {
      recording = true;
      startCount = answered;
      void server.stats().then((s) => (startStats = s));
    }, WARMUP_SECONDS * 1000);
    let busyStats: Stats | undefined;
    const stop = setTimeout(() => {
      recording = false;
      void server.stats().then((s) => (busyStats = s));
    }, WARMUP_SECONDS * 1000 + RUN_SECONDS * 1000);
    await run(end);
    clearTimeout(warm);
    clearTimeout(stop);
    recording = false;
    const done = windowAnswered;
    // Wait for the stragglers so the next run starts clean.
    await Promise.all([...waiting.entries()].map(([chat, list]) => (list.length ? new Promise<void>((r) => onAnswer.set(chat, () => list.length === 0 && r())) : undefined)));
    onAnswer.clear();
    const endStats = await server.stats();
    busyStats ??= endStats;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      label,
      chats,
      updates: done,
      seconds: RUN_SECONDS,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? NaN,
      rssMb: endStats.rss / 2 ** 20,
      cpuPerUpdateUs: startStats ? (endStats.cpuMicros - startStats.cpuMicros) / Math.max(1, answered - startCount) : NaN,
      loopBusy: busyStats && startStats ? (busyStats.loopActiveMs - startStats.loopActiveMs) / (busyStats.loopActiveMs + busyStats.loopIdleMs - startStats.loopActiveMs - startStats.loopIdleMs) : NaN,
    };
  };

  const closedLoop = (workload: 'button' | 'question', chats: number, note = '') =>
    measure(`${workload}${note}, closed loop`, chats, async (deadline) => {
      await Promise.all(
        Array.from({ length: chats }, async (_, i) => {
          const chat = 10_000 + i;
          let n = i;
          while (performance.now() < deadline) {
            const answered = new Promise<void>((r) => onAnswer.set(String(chat), r));
            await send(workload, chat, n++);
            await answered;
          }
        }),
      );
    });

  const openLoop = (workload: 'button' | 'question', chats: number, rate: number, note = '') =>
    measure(`${workload}${note}, open loop ${rate}/s`, chats, async (deadline) => {
      const t0 = performance.now();
      let i = 0;
      const inflight = new Set<Promise<void>>();
      while (performance.now() < deadline) {
        // Send every update that is due by now (setTimeout granularity is ~1 ms).
        const due = Math.floor(((performance.now() - t0) / 1000) * rate);
        for (; i < due; i++) {
          const p = send(workload, 20_000 + (i % chats), i);
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      await Promise.all(inflight);
    });

  const results: RunResult[] = [];
  const suite = async (extraEnv: Record<string, string>, plan: () => Promise<void>): Promise<void> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loa-bench-tg-'));
    server = await startServer(tg.apiRoot, tg.token, dataDir, extraEnv);
    deliver = createDeliverer(server.url);
    try {
      await plan();
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  // LOA_BENCH_WORKLOADS narrows a trial run; the recorded figures use all.
  const workloads = (process.env.LOA_BENCH_WORKLOADS?.split(',') ?? ['button', 'question']) as string[];
  try {
    await suite({}, async () => {
      if (workloads.includes('button')) {
        for (const chats of [10, 50, 200]) results.push(await closedLoop('button', chats));
        for (const rate of [250, 500, 1000, 1500]) results.push(await openLoop('button', 200, rate));
      }
      if (workloads.includes('question')) {
        for (const chats of [10, 50, 200]) results.push(await closedLoop('question', chats));
        for (const rate of [100, 250, 500, 750, 900, 1000]) results.push(await openLoop('question', 200, rate));
      }
    });
    // The 1,000/s rows again, to show the spread between runs on this shared machine.
    await suite({}, async () => {
      for (let k = 1; k <= 3; k++)
        for (const w of workloads as ('button' | 'question')[]) results.push(await openLoop(w, 200, 1000, `, repeat ${k}`));
    });
    // The same questions with the search on the main thread (LOA_SEARCH_THREADS=0), for comparison.
    if (workloads.includes('question'))
      await suite({ LOA_SEARCH_THREADS: '0' }, async () => {
        for (const rate of [500, 750]) results.push(await openLoop('question', 200, rate, ' (search on the main thread)'));
      });
  } finally {
    await tg.close();
  }

  const rows = results.map(
    (r) =>
      `| ${r.label} | ${r.chats} | ${(r.updates / r.seconds).toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.cpuPerUpdateUs.toFixed(0)} | ${(r.loopBusy * 100).toFixed(0)}% | ${r.rssMb.toFixed(0)} |`,
  );
  const rateOf = (r: RunResult): number => Number(/(\d+)\/s/.exec(r.label)?.[1] ?? 0);
  // An open-loop rate is sustained when p99 <= 50 ms and at least 95% of it is answered in the
  // window; the figure reported is the highest rate R such that every rate up to R was sustained
  // (a miss at a lower rate is not hidden by a lucky higher one).
  const meets = (r: RunResult): boolean => r.p99 <= 50 && r.updates / r.seconds >= 0.95 * rateOf(r);
  const sustained = (workload: string): number => {
    const rows = results.filter((r) => r.label.startsWith(`${workload}, open loop`)).sort((a, b) => rateOf(a) - rateOf(b));
    let best = 0;
    for (const r of rows) {
      if (!meets(r)) break;
      best = rateOf(r);
    }
    return best;
  };
  const repeats = (workload: string): string => {
    const rows = results.filter((r) => r.label.startsWith(`${workload}, repeat`));
    return rows.length ? ` Repeated at 1,000/s: ${rows.filter(meets).length} of ${rows.length} runs met it (p99 ${rows.map((r) => r.p99.toFixed(1)).join(', ')} ms).` : '';
  };
  const describeRow = (r: RunResult | undefined): string =>
    r ? `${(r.updates / r.seconds).toFixed(0)} answered/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.cpuPerUpdateUs.toFixed(0)} µs of server CPU per update` : 'not run';
  const buttonBest = sustained('button');
  const questionBest = sustained('question');
  const button1000 = results.find((r) => r.label === 'button, open loop 1000/s');
  const verdict = [
    buttonBest >= 1000
      ? `**Target of issue #3 (≥ 1,000 updates/s with p99 ≤ 50 ms on the webhook path): met for button presses** in this run: at 1,000/s, ${describeRow(button1000)}. The highest open-loop rate sustained (p99 ≤ 50 ms, ≥ 95% answered) is ${buttonBest}/s.`
      : `**Target of issue #3 (≥ 1,000 updates/s with p99 ≤ 50 ms on the webhook path): not met for button presses in this run.** At 1,000/s: ${describeRow(button1000)}. The highest open-loop rate sustained (p99 ≤ 50 ms, ≥ 95% answered) is ${buttonBest || 'below 250'}/s.`,
    repeats('button').trim(),
    workloads.includes('question')
      ? `**Free-text questions: ${questionBest >= 1000 ? 'met' : 'not met'}.** Each adds a knowledge-base search (bench:search) and the question's records; the highest open-loop rate sustained is ${questionBest || 'below 100'}/s.${repeats('question')}`
      : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  return [
    '## Telegram webhook throughput',
    '',
    verdict,
    '',
    'An update POSTed to `/webhooks/telegram` with the secret header, until its answer reaches the fake',
    "Bot API's `sendMessage`: verify, parse, store with its dedupe key (before the 200), conversation,",
    'render, send through grammY + auto-retry, log. The Loa server runs alone in its own process (as',
    '`npm start` wires it, webhook mode, SQLite in WAL); the bench process plays Telegram (deliveries over',
    `≤ 40 kept-alive connections) and the Bot API. ${RUN_SECONDS} s measured per row after ${WARMUP_SECONDS} s of warm-up.`,
    '',
    "- *button*: a button press showing an approved answer: two Bot API calls (`answerCallbackQuery`, then `sendMessage`).",
    '- *question*: a free-text question from the evaluation set, which adds the knowledge-base search',
    '  (on the search thread, `LOA_SEARCH_THREADS=1`, unless the row says otherwise).',
    '- *closed loop*: each chat sends its next update when the previous answer arrives.',
    '- *open loop*: updates at a fixed rate spread over 200 chats, whatever the answers do (latency at that load).',
    '- The reply throttle and the per-person flood limit are lifted: on real Telegram, replies beyond',
    '  ~30/s across chats need paid broadcasts (`TELEGRAM_PAID_BROADCAST`).',
    '- *server CPU* counts every thread of the server process (Bot API calls, search, WAL',
    "  checkpoints); *main thread busy* is the event loop's utilisation over the measured window: the",
    '  headroom left for webhooks is what it leaves free. The bench process, which plays Telegram,',
    '  needs about half of the second core.',
    '- Answered/s counts answers inside the measured window; latencies are those of the updates sent',
    '  inside it, however late they were answered. Other work on this shared 2-core machine during',
    '  the run shows up as noise.',
    '',
    'Where the time goes. Earlier (profiled with `node --cpu-prof`, `LOA_BENCH_SERVER_ARGS`): WAL',
    'checkpoints inside commits stalled the loop 10–30 ms every ~50 updates (now on a worker thread,',
    'src/db/checkpoint.ts), and each update made several commits (now one group commit per turn,',
    'src/db/group-commit.ts, each update still committed before its 200; the log of a sent reply',
    'and the processed mark ride with the next commit, ≤ 5 ms later). On 2026-11-23 the main thread',
    'spent about 170 µs of HTTP and 90 µs of grammY per Bot API call, so the calls now run through',
    'grammY and auto-retry on two worker threads (src/channels/telegram/send-thread.ts), and about',
    '0.3 ms per question on the search, now on the search thread (src/knowledge/search-thread.ts).',
    'What was left on the main thread (profiled at 1,000 presses/s before grammY moved): SQLite',
    '27%, Fastify and the webhook 24%, grammY 19%, the conversation 10%. Server CPU per update rose (thread',
    'hand-offs, and a button press now makes its `answerCallbackQuery` call instead of answering in',
    'the webhook\'s response), but the event loop has the headroom. Under a steady 1,000 updates/s',
    'the WAL grew by ~20 MB/s until it is rewound past 64 MB (src/db/checkpoint.ts).',
    'A fresh server taking 1,000 updates/s from its first second (the first *repeat* row of a',
    'workload) can fall behind while its code is still being compiled, and catches up within seconds.',
    '',
    '| Workload | Chats | Answered/s | p50 ms | p99 ms | max ms | server CPU µs/update | main thread busy | server RSS MB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** Runs the benchmark and returns its Markdown section. */
export async function run(): Promise<string> {
  return main();
}
