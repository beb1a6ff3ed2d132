/**
 * Admin pages: how long staff wait on an old office PC's worth of server. Seeds a realistic
 * year (10 000 subscribers, 20 000 questions, 500 open unanswered questions), then measures
 * over loopback: the login (scrypt), the dashboard, the grouped unanswered queue, the content
 * list, and the yearly report (page and CSV).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { startTestApp } from '../test/support/app.js';
import { AdminClient, addUser } from '../test/admin/support.js';
import { verifyPassword, hashPassword } from '../src/db/users.js';
import { buildYearReport, reportCsv } from '../src/admin/report.js';

const TOPICS = ['bao-hiem-y-te', 'ho-tich', 'tro-giup-phap-ly', 'quyen-tre-em'];
const REGIONS = ['pho-hien', 'son-nam', 'hong-chau', 'my-hao'];
const PHRASES = ['làm thẻ bảo hiểm y tế cho trẻ', 'đăng ký kết hôn ở đâu', 'giờ làm việc bộ phận một cửa', 'hỗ trợ tiền điện hộ nghèo', 'xin trích lục khai sinh', 'trợ cấp người cao tuổi'];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function run(): Promise<string> {
  const contentDir = mkdtempSync(join(tmpdir(), 'loa-bench-admin-'));
  cpSync('content', contentDir, { recursive: true });
  const t = await startTestApp({ LOA_CONTENT_DIR: contentDir }, { logger: pino({ level: 'silent' }), watchContent: false });
  try {
    const db = t.app.db;
    const year = new Date().getUTCFullYear();
    db.transaction(() => {
      const person = db.prepare(`INSERT INTO people (channel, external_id, region, consent_at, created_at) VALUES (?, ?, ?, ?, ?)`);
      for (let i = 0; i < 10_000; i++) person.run(i % 3 ? 'telegram' : 'zalo', `p${i}`, REGIONS[i % 4], `${year}-02-01T00:00:00Z`, `${year}-02-01T00:00:00Z`);
      const q = db.prepare(`INSERT INTO questions (person_id, channel, answered, topics, created_at) VALUES (?, 'telegram', ?, ?, ?)`);
      for (let i = 0; i < 20_000; i++) q.run(1 + (i % 10_000), i % 5 ? 1 : 0, JSON.stringify([TOPICS[i % 4]]), `${year}-03-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00Z`);
      const m = db.prepare(`INSERT INTO messages (channel, person_id, direction, kind, text, created_at) VALUES ('telegram', ?, 'in', 'text', 'x', ?)`);
      for (let i = 0; i < 20_000; i++) m.run(1 + (i % 10_000), `${year}-03-01T00:00:00Z`);
      const u = db.prepare(`INSERT INTO unanswered (person_id, channel, question, normalized, created_at) VALUES (?, 'telegram', ?, ?, ?)`);
      for (let i = 0; i < 500; i++) {
        const text = `Cho hỏi ${PHRASES[i % PHRASES.length]} ${i % 7 === 0 ? 'ạ' : ''} (${i % 40})`;
        u.run(1 + i, text, text.toLowerCase(), new Date().toISOString());
      }
    })();
    addUser(t.app, 'bench', ['admin']);

    const hashStart = performance.now();
    const hash = hashPassword('mat-khau-bench-1');
    const hashMs = performance.now() - hashStart;
    const verifyStart = performance.now();
    await verifyPassword('mat-khau-bench-1', hash);
    const verifyMs = performance.now() - verifyStart;

    const c = new AdminClient(t.url);
    const loginStart = performance.now();
    await c.login('bench', 'bench-mat-khau-1');
    const loginMs = performance.now() - loginStart;

    const rows: string[] = [];
    for (const [label, path] of [
      ['Dashboard', '/admin'],
      ['Unanswered queue (500, grouped)', '/admin/questions'],
      ['Content list', '/admin/content'],
      ['Yearly report page', `/admin/report?year=${year}`],
      ['Yearly report CSV', `/admin/report.csv?year=${year}`],
    ] as const) {
      await c.get(path); // warm-up (template compile, caches)
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 20; i++) {
        const s = performance.now();
        const r = await c.get(path);
        times.push(performance.now() - s);
        bytes = r.text.length;
        if (r.status !== 200) throw new Error(`bench: ${path} answered ${r.status}`);
      }
      rows.push(`| ${label} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} | ${(bytes / 1024).toFixed(0)} |`);
    }
    const rs = performance.now();
    const report = buildYearReport(db, year, { office: 'x', topics: [], contests: [] });
    reportCsv(report);
    const reportMs = performance.now() - rs;

    return [
      '## Admin pages',
      '',
      'Seeded: 10 000 subscribers, 20 000 questions and 20 000 inbound messages in the year, 500 open',
      'unanswered questions. 20 sequential GETs per page over loopback after one warm-up, with a',
      'logged-in session (session lookup, role check and rendering included).',
      '',
      '| Page | p50 ms | p95 ms | KiB |',
      '|---|---:|---:|---:|',
      ...rows,
      '',
      `- scrypt (N=2^15, r=8): hash ${hashMs.toFixed(0)} ms, verify ${verifyMs.toFixed(0)} ms (async, off the event loop); full login round trip ${loginMs.toFixed(0)} ms.`,
      `- Yearly report figures + CSV computed directly: ${reportMs.toFixed(1)} ms.`,
      '',
    ].join('\n');
  } finally {
    await t.close();
    rmSync(contentDir, { recursive: true, force: true });
  }
}
