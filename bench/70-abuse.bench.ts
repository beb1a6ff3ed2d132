/**
 * The public web chat under a flood (issue 15): the real server in its own process (as
 * `npm start` wires it), over loopback. Real visitors write from 127.0.0.2 while an attacker
 * floods from 127.0.0.1:
 * - *new sessions*: 2,000 requests, each from a session id never seen, with the longest text
 *   the chat accepts (the attack that filled the disk: each new session added a person);
 * - *one address*: 2,000 requests from a handful of sessions.
 * Measured: what the attacker got (answered, 429, other), how much the database grew (file +
 * WAL), the real visitors' latency against a quiet baseline, and whether every question they
 * asked that has no approved answer reached the staff queue.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { listening } from './lib/server-ready.js';
import { cpus, loadavg } from 'node:os';

const here = import.meta.dirname ?? 'bench';
const FLOOD = Number(process.env.LOA_BENCH_ABUSE_FLOOD ?? 2000);
/** The whole run (quiet baseline, then the four floods) is repeated: the machine may be shared. */
const REPEATS = Number(process.env.LOA_BENCH_ABUSE_REPEATS ?? 3);
/** Node options for the server processes (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them). */
const SERVER_ARGS = (process.env.LOA_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
/** Only the floods whose label contains one of these (separated by |), while iterating; all by default. */
const ONLY = (process.env.LOA_BENCH_ABUSE_ONLY ?? '').split('|').filter(Boolean);
/** Prints the real visitors' slowest requests, with when they were sent, to stderr (scratch runs). */
const TRACE = process.env.LOA_BENCH_ABUSE_TRACE === '1';

const REAL_QUESTIONS = [
  'Đăng ký khai sinh cho con trong thời hạn bao lâu?',
  'bhyt tre em duoi 6 tuoi',
  'Thưa anh chị, con tôi 5 tuổi chưa có thẻ bảo hiểm y tế thì đi khám có mất tiền không ạ?',
  'trợ giúp pháp lý miễn phí cho ai',
  'khiếu nại quyết định hành chính trong bao lâu',
];
/** Questions the sample content does not answer: each must reach the staff queue. */
const REAL_UNANSWERED = [
  'Giá vàng hôm nay bao nhiêu một chỉ?',
  'Lịch cúp điện ở thôn tôi tuần sau thế nào?',
  'Xe khách đi Hà Nội sáng mai mấy giờ chạy?',
  'Đội bóng xã mình tuyển cầu thủ không?',
];

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

interface Server {
  url: URL;
  child: ChildProcess;
  data: string;
  stop: () => Promise<void>;
  /** The server process's CPU (all threads) and its main thread's busy time so far, ms. */
  stats: () => Promise<{ cpuMs: number; loopActiveMs: number }>;
}

async function startServer(): Promise<Server> {
  const data = mkdtempSync(join(tmpdir(), 'loa-abuse-'));
  const child = fork(join(here, '..', 'bin', 'run-ts.js'), [join('bench', 'lib', 'telegram-app.ts')], {
    env: { ...process.env, LOA_HTTP_PORT: '0', LOA_HTTP_HOST: '127.0.0.1', LOA_DATA_DIR: data, LOA_CONTENT_DIR: 'content', LOA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...SERVER_ARGS],
  });
  // Answers are measured once its search thread is ready.
  const { url, ready } = await listening(child, 'abuse bench');
  await ready;
  return {
    url: new URL(url),
    child,
    data,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m) => {
          const r = m as { cpuMicros: number; loopActiveMs: number };
          resolve({ cpuMs: r.cpuMicros / 1000, loopActiveMs: r.loopActiveMs });
        });
        child.send('stats');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** POSTs one chat message from `localAddress`; resolves with the status and latency. */
function post(s: Server, agent: Agent, session: string, text: string): Promise<{ status: number; ms: number }> {
  const body = JSON.stringify({ session, text });
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(
      { host: s.url.hostname, port: s.url.port, path: '/api/chat', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const dbBytes = (s: Server): number =>
  ['loa.sqlite', 'loa.sqlite-wal'].map((f) => join(s.data, f)).reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);

/** Real visitors: `n` sessions asking the questions in turn, 2 at a time. */
async function realVisitors(s: Server, tag: string, stopWhen: () => boolean, minRounds = 2): Promise<{ times: number[]; sentAt: number[]; errors: number; unanswered: number }> {
  // Real visitors come from many addresses (127.0.0.2–127.0.0.201 here), none the attacker's;
  // a round of nine from each in turn, so none comes near its limit of new visitors an hour.
  const agents = Array.from({ length: 200 }, (_, i) => new Agent({ keepAlive: true, maxSockets: 2, localAddress: `127.0.0.${i + 2}` }));
  const times: number[] = [];
  const sentAt: number[] = [];
  let errors = 0;
  let unanswered = 0;
  for (let round = 0; round < minRounds || !stopWhen(); round++) {
    const agent = agents[round % agents.length]!;
    await Promise.all(
      [0, 1].map(async (w) => {
        const qs = [...REAL_QUESTIONS, ...(w === 0 && round < 2 ? REAL_UNANSWERED : [])];
        for (const [i, q] of qs.entries()) {
          // One visitor a question: nine questions in a second from one person is a flood of its own.
          const at = performance.now();
          const r = await post(s, agent, `real-${tag}-${round}-${w}-${i}`, q);
          times.push(r.ms);
          sentAt.push(at);
          if (r.status !== 200) errors++;
          if (REAL_UNANSWERED.includes(q) && r.status === 200) unanswered++;
        }
      }),
    );
    if (round > 200) break;
    // People, not a script: a pause between rounds (each round is 9 visitors from one address).
    await new Promise((r) => setTimeout(r, 300));
  }
  for (const a of agents) a.destroy();
  return { times, sentAt, errors, unanswered };
}

interface FloodResult {
  label: string;
  sent: number;
  ok: number;
  limited: number;
  other: number;
  seconds: number;
  grewMB: number;
  real: { n: number; errors: number; p50: number; p99: number };
  /** The control server's real visitors, at the same time. */
  control: { n: number; p50: number; p99: number };
  /** Every real visitor's latency, attacked server and control (pooled across repeats below). */
  realTimes: number[];
  controlTimes: number[];
  queued: string;
  /** Server CPU (all threads) and main-thread busy time during the flood, ms. */
  cpuMs: number;
  loopBusy: number;
  /** The same of the control server (the real visitors alone), ms. */
  controlCpuMs: number;
  controlLoopBusy: number;
  load: number;
}

async function flood(label: string, sessionOf: (i: number) => string, ratePerSecond?: number): Promise<FloodResult> {
  // The attacked server, and a control: the same server with the same real visitors at the same
  // time, not attacked. On a shared machine the control's latency is "normal" at that moment.
  const [s, control] = await Promise.all([startServer(), startServer()]);
  try {
    const text = 'Tôi muốn hỏi về quyền lợi của người dân '.repeat(25).slice(0, 1000);
    // Warm up (the search thread, compiled code) as a real visitor, then measure.
    await Promise.all([realVisitors(s, 'warm', () => true, 1), realVisitors(control, 'warm', () => true, 1)]);
    const before = dbBytes(s);
    const [stats0, control0] = await Promise.all([s.stats(), control.stats()]);
    const agent = new Agent({ keepAlive: true, maxSockets: 32, localAddress: '127.0.0.1' });
    let done = false;
    const counts = { ok: 0, limited: 0, other: 0 };
    /** When each answered attack message came back (TRACE). */
    const answeredAt: number[] = [];
    const t = performance.now();
    const attack = (async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < FLOOD) {
            const i = next++;
            // Paced floods start request i at its slot; unpaced ones go as fast as they can.
            if (ratePerSecond) {
              const wait = t + (i * 1000) / ratePerSecond - performance.now();
              if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            }
            const r = await post(s, agent, sessionOf(i), text);
            if (r.status === 200) counts.ok++;
            if (r.status === 200) answeredAt.push(performance.now());
            else if (r.status === 429) counts.limited++;
            else counts.other++;
          }
        }),
      );
      done = true;
    })();
    const tag = label.replace(/\W/g, '');
    const [real, calm] = await Promise.all([realVisitors(s, tag, () => done), realVisitors(control, tag, () => done)]);
    await attack;
    const seconds = (performance.now() - t) / 1000;
    const [stats1, control1] = await Promise.all([s.stats(), control.stats()]);
    if (TRACE)
      for (const [name, r] of [['attacked', real], ['control', calm]] as const) {
        const slow = r.times.map((ms, i) => ({ ms, at: r.sentAt[i]! - t })).sort((a, b) => b.ms - a.ms).slice(0, 8);
        // Answered attack messages that came back while a real visitor of this server waited.
        const during = name === 'attacked' ? answeredAt.filter((a) => r.sentAt.some((at, i) => at < a && a < at + r.times[i]!)).length : 0;
        if (name === 'attacked') console.error(`${label}: ${during} of ${answeredAt.length} answered attack messages came back while a real visitor waited`);
        const early = r.times.filter((_, i) => r.sentAt[i]! - t < 1000);
        const later = r.times.filter((_, i) => r.sentAt[i]! - t >= 1000);
        const f = (xs: number[]): string => `n ${xs.length} p50 ${percentile(xs, 0.5).toFixed(1)} p90 ${percentile(xs, 0.9).toFixed(1)} max ${Math.max(...xs).toFixed(1)}`;
        console.error(`${label} ${name} (pid ${(name === 'attacked' ? s : control).child.pid}): first second ${f(early)}; after ${f(later)}; slowest ${slow.map((x) => `${x.ms.toFixed(1)} ms at ${(x.at / 1000).toFixed(2)} s`).join(', ')}`);
      }
    const load = loadavg()[0]!;
    agent.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const grew = dbBytes(s) - before;
    await s.stop();
    // The staff queue: every real question without an approved answer is there.
    const db = new Database(join(s.data, 'loa.sqlite'), { readonly: true });
    const queued = (
      db
        .prepare(`SELECT COUNT(*) AS n FROM unanswered u JOIN people p ON p.id = u.person_id WHERE p.external_id LIKE 'real-${tag}-%' AND u.question IN (${REAL_UNANSWERED.map(() => '?').join(',')})`)
        .get(...REAL_UNANSWERED) as { n: number }
    ).n;
    db.close();
    return {
      label,
      sent: FLOOD,
      ...counts,
      seconds,
      grewMB: grew / 2 ** 20,
      real: { n: real.times.length, errors: real.errors, p50: percentile(real.times, 0.5), p99: percentile(real.times, 0.99) },
      control: { n: calm.times.length, p50: percentile(calm.times, 0.5), p99: percentile(calm.times, 0.99) },
      realTimes: real.times,
      controlTimes: calm.times,
      queued: `${queued} of ${real.unanswered}`,
      cpuMs: stats1.cpuMs - stats0.cpuMs,
      loopBusy: (stats1.loopActiveMs - stats0.loopActiveMs) / (seconds * 1000),
      controlCpuMs: control1.cpuMs - control0.cpuMs,
      controlLoopBusy: (control1.loopActiveMs - control0.loopActiveMs) / (seconds * 1000),
      load,
    };
  } finally {
    if (s.child.exitCode === null) await s.stop();
    if (control.child.exitCode === null) await control.stop();
    rmSync(s.data, { recursive: true, force: true });
    rmSync(control.data, { recursive: true, force: true });
  }
}

/** A quiet baseline for the real visitors: the server alone, no attack. */
async function quiet(): Promise<{ n: number; p50: number; p99: number; load: number; times: number[] }> {
  const s = await startServer();
  try {
    await realVisitors(s, 'warm', () => true, 1);
    const r = await realVisitors(s, 'base', () => true, 10);
    return { n: r.times.length, p50: percentile(r.times, 0.5), p99: percentile(r.times, 0.99), load: loadavg()[0]!, times: r.times };
  } finally {
    await s.stop();
    rmSync(s.data, { recursive: true, force: true });
  }
}

export async function run(): Promise<string> {
  const f1 = (x: number): string => x.toFixed(1);
  const lines: string[] = [];
  // Pooled across repeats, per flood: one flood's p99 is its 5th-worst request of ~480.
  const pooled = new Map<string, { real: number[]; control: number[]; grewMB: number[]; queued: string[] }>();
  const baselines: number[] = [];
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    const baseline = await quiet();
    baselines.push(...baseline.times);
    // At the rate the issue measured (2,000 requests in 5 s), then as fast as 32 connections go.
    const floods: [string, (i: number) => string, number?][] = [
      ['new sessions, 400/s', (i) => `attack-new-${i}-${'x'.repeat(8)}`, 400],
      ['one address, 400/s', (i) => `attack-one-${i % 4}-xxxxxxxx`, 400],
      ['new sessions, unpaced', (i) => `attack-new-${i}-${'x'.repeat(8)}`],
      ['one address, unpaced', (i) => `attack-one-${i % 4}-xxxxxxxx`],
    ];
    const rows: FloodResult[] = [];
    for (const [label, sessionOf, rate] of floods)
      if (!ONLY.length || ONLY.some((o) => label.includes(o))) rows.push(await flood(label, sessionOf, rate));
    for (const r of rows) {
      const p = pooled.get(r.label) ?? { real: [], control: [], grewMB: [], queued: [] };
      p.real.push(...r.realTimes);
      p.control.push(...r.controlTimes);
      p.grewMB.push(r.grewMB);
      p.queued.push(r.queued);
      pooled.set(r.label, p);
    }
    lines.push(`| ${repeat} | quiet baseline | | | | | | | | ${baseline.n} | 0 | ${f1(baseline.p50)} | ${f1(baseline.p99)} | | | | ${baseline.load.toFixed(1)} |`);
    for (const r of rows)
      lines.push(
        `| ${repeat} | ${r.label} | ${r.ok} | ${r.limited} | ${r.other} | ${f1(r.seconds)} | ${r.grewMB.toFixed(2)} | ${(r.cpuMs / r.sent).toFixed(2)} | ${((r.cpuMs - r.controlCpuMs) / r.sent).toFixed(2)} | ${r.real.n} | ${r.real.errors} | ${f1(r.real.p50)} | ${f1(r.real.p99)} | ${f1(r.control.p50)} / ${f1(r.control.p99)} | ${r.queued} | ${Math.round(r.loopBusy * 100)} % / ${Math.round(r.controlLoopBusy * 100)} % | ${r.load.toFixed(1)} |`,
      );
  }
  return [
    '## Web chat under a flood (issue 15)',
    '',
    `The server in its own process; an attacker sends ${FLOOD} requests of 1,000 characters (the longest the`,
    'chat accepts) from 127.0.0.1 over 32 connections, at 400 a second (the rate the issue measured) or as fast as they go,',
    'while real visitors (one a question) ask from 127.0.0.2–201, 2 at a time,',
    'answerable questions and questions the content does not cover (each of those must reach the staff',
    'queue). *new sessions*: every attack request from a session id never seen (before issue 15 each added',
    'a person and a row with its text twice: 2,000 × 20,000 characters grew the database by 81 MB + 70 MB of',
    'WAL); *one address*: the same from four sessions. Limits as shipped (bots/*.yaml `web_chat_limits`): an address',
    'refused 30 times in a minute is shut out and its requests are answered, 250 ms later, before they are read, so a flood',
    'lasts longer than its 2,000 requests would take. The database growth includes the real visitors\' (each a new person).',
    'Each repeat measures a quiet baseline for the real visitors (the server alone), then the four floods. During each flood',
    'a *control* server (the same, not attacked) gets the same real visitors at the same time: on a shared machine its',
    'latency is what "normal" was at that moment. Server CPU is the',
    'server process\'s (all threads) during the flood divided by the attack requests (so it includes the real visitors\' and the',
    'accepted attack messages\' work); *the attack\'s own* is that minus the control server\'s CPU over the same time (the same',
    'real visitors, not attacked), divided by the attack requests. Main thread busy is its event-loop utilisation during the flood,',
    'and the control\'s in brackets. Load: the',
    `machine's 1-minute load average after each row, on ${cpus().length} cores (above ${cpus().length}, other work was competing for the CPU and the latencies are those of a busy machine).`,
    '',
    '| repeat | flood | attack answered | attack 429 | attack other | seconds | database + WAL grew MB | server CPU ms per attack request | the attack\'s own CPU ms per request | real requests | real errors | real p50 ms | real p99 ms | control p50 / p99 ms | real unanswered in the queue | main thread busy (control) | load |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
    ...lines,
    '',
    `The same, pooled across the ${REPEATS} repeats: every real visitor's latency on the attacked server against the`,
    'control\'s at the same moments, and the quiet baselines (the server alone, no attack, no control running). *Extra p99* is',
    'the attacked p99 minus the control\'s: what the flood itself cost the real visitors.',
    '',
    '| flood | real requests | real p50 / p95 / p99 ms | control p50 / p95 / p99 ms | extra p99 ms | database + WAL grew MB, largest | real unanswered in the queue |',
    '|---|---:|---:|---:|---:|---:|---|',
    `| quiet baseline | ${baselines.length} | ${f1(percentile(baselines, 0.5))} / ${f1(percentile(baselines, 0.95))} / ${f1(percentile(baselines, 0.99))} | | | | |`,
    ...[...pooled].map(
      ([label, p]) =>
        `| ${label} | ${p.real.length} | ${f1(percentile(p.real, 0.5))} / ${f1(percentile(p.real, 0.95))} / ${f1(percentile(p.real, 0.99))} | ${f1(percentile(p.control, 0.5))} / ${f1(percentile(p.control, 0.95))} / ${f1(percentile(p.control, 0.99))} | ${f1(percentile(p.real, 0.99) - percentile(p.control, 0.99))} | ${Math.max(...p.grewMB).toFixed(2)} | ${p.queued.join(', ')} |`,
    ),
    '',
  ].join('\n');
}
