/**
 * The queue at a month's scale (issue 13 item 3, issue 15 item 2): 5,000 open questions, many
 * of them the same few questions in other words over the month. Similar questions are grouped
 * across the whole filtered queue, not within a page of 200: the 1,200 people who asked for a
 * building permit are one group on the first page, not a group on each of six pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { setRegion, upsertPerson } from '../../src/db/people.js';
import { groupSimilar, groupSimilarNaive } from '../../src/admin/cluster.js';
import type { ChannelName } from '../../src/channels/channel.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;

const PERMIT = ['xin giấy phép xây dựng nhà ở', 'làm giấy phép xây nhà cần gì', 'xây nhà có phải xin giấy phép xây dựng không'];
const TOPICS = [
  ['đăng ký xe máy mới mua ở đâu', 'mua xe máy rồi đăng ký biển số chỗ nào'],
  ['chuyển hộ khẩu sang phường khác thế nào', 'chuyển khẩu cần giấy tờ gì'],
  ['làm sổ đỏ mất bao lâu', 'thủ tục làm sổ đỏ lần đầu'],
  ['trợ cấp thất nghiệp nhận ở đâu', 'mất việc thì có được trợ cấp thất nghiệp không'],
];
/** Questions asked once each, in words nobody else used. */
const tok = (n: number): string => Array.from({ length: 5 }, (_, k) => 'bcdghklmnpqrstvx'[(n >> (k * 4)) % 16]).join('') + 'a';
const SINGLE = Array.from({ length: 120 }, (_, i) => `thủ tục ${tok(i * 7919 + 1)} ${tok(i * 104_729 + 3)} ${tok(i * 15_485_863 + 5)}`);

const html = (s: string): string => s.replace(/&amp;/g, '&');

beforeAll(async () => {
  t = await startAdminApp();
  addUser(t.app, 'bien', ['editor']);
  const channels: ChannelName[] = ['telegram', 'zalo', 'web'];
  const start = Date.parse('2026-11-01T01:00:00Z');
  const topics = TOPICS.flat();
  t.app.db.transaction(() => {
    for (let i = 0; i < 5000; i++) {
      const q = i < 1200 ? PERMIT[i % 3]! : i < 4880 ? topics[i % topics.length]! : SINGLE[i - 4880]!;
      const channel = channels[i % 3]!;
      const p = upsertPerson(t.app.db, channel, `p-${i}`);
      if (i % 4) setRegion(t.app.db, p.id, i % 4 === 2 ? 'son-nam' : 'pho-hien');
      // Spread over the month, interleaved as they come in (7919 is prime to 5000).
      recordUnanswered(t.app.db, { personId: p.id, channel, question: q, normalized: q, suggestions: [] }, new Date(start + ((i * 7919) % 5000) * 500_000));
    }
  })();
  staff = new AdminClient(t.url);
  await staff.login('bien', 'bien-mat-khau-1');
});
afterAll(async () => {
  await t?.close();
});

describe('the queue grouped whole', () => {
  it('shows each question asked across the month as one group, the largest first', async () => {
    const total = (t.app.db.prepare(`SELECT COUNT(*) AS n FROM unanswered WHERE status = 'open'`).get() as { n: number }).n;
    expect(total).toBe(5000);
    const r = await staff.get('/admin/questions');
    expect(r.status).toBe(200);
    expect(r.text).toContain(`Tổng cộng <strong>${total.toLocaleString('vi-VN')}</strong> câu hỏi, gộp thành`);
    const sizes = [...r.text.matchAll(/<span class="tag">(\d+) người hỏi<\/span>/g)].map((m) => Number(m[1]));
    // The building permit: 1,200 askers in three wordings, one group, on top.
    expect(sizes[0]).toBe(1200);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(sizes.length).toBe(50);
    // Its links carry the 1,000 newest ids (a URL has room for them); "Bỏ qua" posts them all.
    const group = r.text.slice(r.text.indexOf('<section class="card group"'));
    const answer = group.match(/href="\/admin\/content\/qa\/new\?from=([\d,]+)"/)![1]!.split(',');
    expect(answer.length).toBe(1000);
    expect(group).toContain('Nhóm rất đông');
    expect(group.match(/name="ids" value="([\d,]+)"/)![1]!.split(',').length).toBe(1200);
  });

  it('pages through the groups with the filters kept; the singletons come last', async () => {
    const first = html((await staff.get('/admin/questions?loai=chua-tra-loi')).text);
    const groups = Number(first.match(/gộp thành (\d+) nhóm; đang xem nhóm 1–50, trang 1\/3 \(nhóm đông người hỏi nhất trước\)\./)![1]);
    expect(groups).toBeGreaterThan(120);
    expect(first).toContain('href="/admin/questions?loai=chua-tra-loi&trang=2"');
    const last = html((await staff.get('/admin/questions?loai=chua-tra-loi&trang=3')).text);
    expect(last).toContain(`đang xem nhóm 101–${groups}, trang 3/3`);
    expect([...last.matchAll(/<span class="tag">(\d+) người hỏi<\/span>/g)].every((m) => m[1] === '1')).toBe(true);
    expect(last).not.toContain(PERMIT[0]);
    expect(last).toContain('name="back" value="/admin/questions?loai=chua-tra-loi&trang=3"');
  });

  it('groups within the filter: a region shows its own askers grouped', async () => {
    const r = await staff.get('/admin/questions?diaban=pho-hien');
    const sizes = [...r.text.matchAll(/<span class="tag">(\d+) người hỏi<\/span>/g)].map((m) => Number(m[1]));
    const inRegion = (t.app.db.prepare(`SELECT COUNT(*) AS n FROM unanswered u JOIN people p ON p.id = u.person_id WHERE p.region = 'pho-hien' AND u.question IN (?, ?, ?)`).get(...PERMIT) as { n: number }).n;
    expect(sizes[0]).toBe(inRegion);
  });
});

describe('grouping', () => {
  it('gives the same groups as comparing each question with every group', () => {
    let seed = 11;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const words = ['đăng', 'ký', 'khai', 'sinh', 'giấy', 'tờ', 'con', 'phường', 'xã', 'nhà', 'đất', 'thuế', 'hộ', 'khẩu', 'xe', 'máy', 'bảo', 'hiểm', 'thẻ', 'làm'];
    const items = Array.from({ length: 1500 }, () => Array.from({ length: 2 + rnd(8) }, () => words[rnd(words.length)]).join(' '));
    const ids = (g: { items: string[] }[]): string => JSON.stringify(g.map((x) => x.items));
    for (const threshold of [0.2, 0.34, 0.5, 0.8]) expect(ids(groupSimilar(items, (x) => x, threshold))).toBe(ids(groupSimilarNaive(items, (x) => x, threshold)));
  });

  it('groups the same question of stop words only, asked many times', () => {
    // "ok vậy" has no content word: each made a group of its own (50 groups of 1 on the page).
    const items = ['ok vậy', 'Ok vậy!', 'vâng ạ', 'ok vậy', 'giấy phép xây dựng'];
    expect(groupSimilar(items, (x) => x).map((g) => g.items)).toEqual([['ok vậy', 'Ok vậy!', 'ok vậy'], ['vâng ạ'], ['giấy phép xây dựng']]);
  });
});
