/**
 * End to end on the web chat: the real server (POST /api/chat) with the shipped sample
 * contests and a fake clock; then the organiser's CLI over the same database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../support/app.js';
import type { App } from '../../src/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { activeAttemptOf, getAttemptQuestion } from '../../src/db/quiz.js';
import { quizCommand } from '../../src/cli/quiz.js';
import { readXlsx } from '../support/xlsx.js';
import { createContestRegistry } from '../../src/quiz/definition.js';
import { parseCsv } from '../../src/text/csv.js';

interface WebReply {
  title?: string;
  text: string;
  buttons?: { label: string; action: string }[];
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('contest on the web chat', () => {
  it('registers, answers on time and late, finishes with a rank; duplicates count once; the CLI ranks and exports', async () => {
    let now = new Date('2026-11-23T03:00:00Z');
    // Everything below happens at a few fake instants: lift the flood limit (tested in the core).
    const started = await startTestApp({}, { now: () => now, bot: { flood_limit: { messages: 1000, seconds: 1 } } });
    close = started.close;
    const { url, app } = started;
    let seq = 0;
    const post = async (session: string, body: { text?: string; action?: string; id?: string }): Promise<{ replies: WebReply[]; duplicate?: boolean }> => {
      const res = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session, id: body.id ?? `m${seq++}`, ...body }),
      });
      if (res.status !== 200) throw new Error(`POST /api/chat ${JSON.stringify(body)}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { replies: WebReply[] };
    };
    const all = (r: { replies: WebReply[] }) => r.replies.map((x) => x.text).join('\n');
    const btn = (r: { replies: WebReply[] }, label: string) => r.replies.flatMap((x) => x.buttons ?? []).find((b) => b.label.includes(label))!.action;

    const play = async (session: string, name: string, unit: string, plan: ('right' | 'wrong' | 'late')[]) => {
      let r = await post(session, { text: '/thi' });
      expect(all(r)).toContain('Luyện tập nhanh');
      r = await post(session, { action: 'quiz:c:luyen-tap-quyen-tre-em' });
      r = await post(session, { action: btn(r, 'Tôi đồng ý') });
      r = await post(session, { text: name });
      r = await post(session, { text: unit });
      expect(all(r)).toContain(`Cảm ơn ${name}`);
      r = await post(session, { action: btn(r, 'Bắt đầu') });
      const app_ = app as App;
      const person = getPersonByExternal(app_.db, 'web', session)!;
      const attempt = activeAttemptOf(app_.db, person.id)!;
      for (let n = 0; n < plan.length; n++) {
        expect(r.replies.at(-1)!.title).toBe(`Câu ${n + 1}/5`);
        const correct = getAttemptQuestion(app_.db, attempt.id, n)!.correct;
        const choice = plan[n] === 'wrong' ? (correct + 1) % r.replies.at(-1)!.buttons!.length : correct;
        now = new Date(now.getTime() + (plan[n] === 'late' ? 25_000 : 3000));
        const id = `ans-${session}-${n}`;
        // Numbered text on odd questions (as a Zalo user or a keyboard user would), buttons on even.
        r = n % 2 ? await post(session, { text: String(choice + 1), id }) : await post(session, { action: r.replies.at(-1)!.buttons![choice]!.action, id });
        expect(r.replies[0]!.text).toContain(plan[n] === 'right' ? 'Chính xác!' : plan[n] === 'late' ? 'Hết giờ' : 'Chưa đúng');
        // The same POST retried (same client id; even with another choice) is handled once and
        // changes nothing: it gets the answer the first was given (web.ts recentAnswers).
        const dup = await post(session, n % 2 ? { text: String(choice + 1), id } : { action: 'quiz:a:0:0:0', id });
        expect(dup.replies).toEqual(r.replies);
      }
      return r;
    };

    const lan = await play('web-session-lan-01', 'Nguyễn Thị Lan', 'Chi đoàn xã Tân Hưng', ['right', 'right', 'late', 'right', 'wrong']);
    expect(all(lan)).toContain('Điểm: 30 (3/5 câu đúng)');
    expect(all(lan)).toContain('Xếp hạng tạm thời: 1/1');
    const minh = await play('web-session-minh-1', 'Trần Quang Minh', 'Đoàn trường THPT Thử', ['right', 'right', 'right', 'right', 'wrong']);
    expect(all(minh)).toContain('Điểm: 40 (4/5 câu đúng)');
    expect(all(minh)).toContain('Xếp hạng tạm thời: 1/2');

    // The organiser's CLI over the same database.
    const lines: string[] = [];
    const registry = createContestRegistry(app.config.contentDir);
    expect(await quizCommand(['results', 'luyen-tap-quyen-tre-em', '--top', '5'], { db: app.db, registry, print: (l) => lines.push(l) })).toBe(0);
    expect(lines[0]).toContain('2 người hoàn thành');
    expect(lines[1]).toMatch(/^ {2}1\. Trần Quang Minh \(Đoàn trường THPT Thử\): 40 điểm/);
    expect(lines[2]).toMatch(/^ {2}2\. Nguyễn Thị Lan/);

    const out = join(app.config.dataDir, 'ket-qua.csv');
    expect(await quizCommand(['export', 'luyen-tap-quyen-tre-em', '--out', out], { db: app.db, registry, print: () => {} })).toBe(0);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['Hạng', 'Họ và tên', 'Đơn vị', 'Điểm'],
      ['1', 'Trần Quang Minh', 'Đoàn trường THPT Thử', '40'],
      ['2', 'Nguyễn Thị Lan', 'Chi đoàn xã Tân Hưng', '30'],
    ]);
    expect(rows[1]![6]).toBe('web');
    // The same export for Excel: an .xlsx chosen by the file's extension.
    const xlsx = join(app.config.dataDir, 'ket-qua.xlsx');
    const said: string[] = [];
    expect(await quizCommand(['export', 'luyen-tap-quyen-tre-em', '--out', xlsx], { db: app.db, registry, print: (l) => said.push(l) })).toBe(0);
    expect(said.join('\n')).toContain('(mở bằng Excel)');
    const book = readXlsx(readFileSync(xlsx));
    expect(book.rows.map((r) => r.slice(0, 4))).toEqual([
      ['Hạng', 'Họ và tên', 'Đơn vị', 'Điểm'],
      [1, 'Trần Quang Minh', 'Đoàn trường THPT Thử', 40],
      [2, 'Nguyễn Thị Lan', 'Chi đoàn xã Tân Hưng', 30],
    ]);
    expect(book.cells.get('E2')).toMatchObject({ type: 'n', format: '0.0', value: Number(rows[1]![4]) });

    const stats: string[] = [];
    expect(await quizCommand(['stats', 'luyen-tap-quyen-tre-em'], { db: app.db, registry, print: (l) => stats.push(l) })).toBe(0);
    // Ten answers in all (5 drawn of 6 questions, twice), 7 right; the hardest questions first.
    const parsed = stats.slice(1).map((l) => l.match(/^ *(\d+)% {2}(\d+)\/(\d+) đúng/)!.slice(1).map(Number));
    expect(parsed.reduce((s, [, , answered]) => s + answered!, 0)).toBe(10);
    expect(parsed.reduce((s, [, right]) => s + right!, 0)).toBe(7);
    const shares = parsed.map(([p]) => p!);
    expect(shares).toEqual([...shares].sort((a, b) => a - b));

    const list: string[] = [];
    expect(await quizCommand(['list'], { db: app.db, registry, now, print: (l) => list.push(l) })).toBe(0);
    expect(list.join('\n')).toContain('hoàn thành: 2');
    expect(await quizCommand(['results', 'khong-co'], { db: app.db, registry, print: () => {}, error: () => {} })).toBe(2);
  });
});
