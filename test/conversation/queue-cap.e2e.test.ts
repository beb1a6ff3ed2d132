/**
 * The staff queue's caps (db/questions.ts queueRoom), end to end through the web chat: past
 * PERSON_QUEUE_CAP open questions of one person, or SOURCE_QUEUE_CAP of one web source (address),
 * from the last 24 hours, an unanswered question still gets the honest no-answer and counts in
 * the reports, but is not queued, and the asker is told so plainly. Before, one address making
 * new web visitors queued about 7,200 junk questions an hour within the flood limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { PERSON_QUEUE_CAP, SOURCE_QUEUE_CAP, recordUnanswered, resolveUnanswered } from '../../src/db/questions.js';
import { personIdByExternal } from '../../src/db/people.js';
import { textsFor } from '../../src/conversation/texts-en.js';

let ctx: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(async () => {
  await ctx.close();
});

const T = textsFor('vi');

type WebReply = { text: string; buttons?: { label: string; action: string }[] };
const send = async (body: Record<string, string>): Promise<WebReply[]> => {
  const res = await fetch(`${ctx.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: WebReply[] }).replies;
};
const chat = async (session: string, text: string): Promise<string> => (await send({ session, text })).map((r) => r.text).join('\n');

/** Questions the shipped content has no answer for. */
const Q = [
  'Quán bánh cuốn nào ở chợ Phố Hiến mở cửa sớm nhất buổi sáng?',
  'Sân bóng đá mini nào ở Phố Hiến cho thuê giá rẻ nhất vào buổi tối?',
  'Tiệm sửa xe máy nào gần cầu Yên Lệnh mở cửa ngày chủ nhật?',
  'Cửa hàng bán cây cảnh nào ở Phố Hiến có giao hàng tận nhà không?',
];

const openCount = (where: string, arg: unknown): number =>
  ctx.app.db.prepare(`SELECT COUNT(*) FROM unanswered WHERE status = 'open' AND ${where}`).pluck().get(arg) as number;
const notAnswered = (): number => ctx.app.db.prepare(`SELECT COUNT(*) FROM questions WHERE answered = 0`).pluck().get() as number;

/** Fills the queue as if `n` earlier questions of this person (or source) were waiting. */
function seed(n: number, o: { personId?: number; source?: string }): void {
  for (let i = 0; i < n; i++)
    recordUnanswered(ctx.app.db, { personId: o.personId ?? null, channel: 'web', question: `câu hỏi chờ số ${i}`, normalized: `cau hoi cho so ${i} ${o.personId ?? o.source}`, suggestions: [], ...(o.source ? { source: o.source } : {}) });
}

describe('the staff queue caps', () => {
  it('one person: past the cap the question is answered honestly and not queued, said plainly; staff clearing one makes room', async () => {
    const first = await chat('cap-person', Q[0]!);
    expect(first).toContain(T.noAnswer);
    const person = personIdByExternal(ctx.app.db, 'web', 'cap-person')!;
    seed(PERSON_QUEUE_CAP - 1, { personId: person });
    expect(openCount('person_id = ?', person)).toBe(PERSON_QUEUE_CAP);

    const before = notAnswered();
    const capped = await chat('cap-person', Q[1]!);
    expect(capped).toContain(T.noAnswerNotQueued);
    expect(capped).toContain(T.queueFullPerson);
    expect(capped).not.toContain(T.noAnswer);
    expect(openCount('person_id = ?', person)).toBe(PERSON_QUEUE_CAP);
    // Still counted as a question without an answer (the yearly report).
    expect(notAnswered()).toBe(before + 1);

    // Staff dismiss one of the waiting questions: the next one is queued again.
    const one = ctx.app.db.prepare(`SELECT id FROM unanswered WHERE person_id = ? AND status = 'open' LIMIT 1`).pluck().get(person) as number;
    resolveUnanswered(ctx.app.db, [one], 'dismissed', null);
    expect(await chat('cap-person', Q[1]!)).toContain(T.noAnswer);
    expect(openCount('person_id = ?', person)).toBe(PERSON_QUEUE_CAP);
  });

  it('one web source: many visitors from one address share a generous cap; past it each is told plainly', async () => {
    await chat('cap-source-1', Q[2]!);
    const source = ctx.app.db.prepare(`SELECT source FROM unanswered WHERE question = ?`).pluck().get(Q[2]) as string | null;
    // The source digest is stored, never the address.
    expect(source).toMatch(/^[\w-]{4}$/);
    seed(SOURCE_QUEUE_CAP - openCount('source = ?', source), { source: source! });

    const capped = await chat('cap-source-2', Q[3]!);
    expect(capped).toContain(T.queueFullSource);
    expect(openCount('source = ?', source)).toBe(SOURCE_QUEUE_CAP);
    expect(ctx.app.db.prepare(`SELECT COUNT(*) FROM unanswered WHERE question = ?`).pluck().get(Q[3])).toBe(0);
  });

  it('questions older than a day no longer count', async () => {
    const db = ctx.app.db;
    const source = db.prepare(`SELECT source FROM unanswered WHERE question = ?`).pluck().get(Q[2]) as string;
    db.prepare(`UPDATE unanswered SET created_at = ? WHERE source = ?`).run(new Date(Date.now() - 25 * 3_600_000).toISOString(), source);
    expect(await chat('cap-source-3', Q[3]!)).toContain(T.noAnswer);
    expect(db.prepare(`SELECT COUNT(*) FROM unanswered WHERE question = ?`).pluck().get(Q[3])).toBe(1);
  });

  it('a 👎 past the cap keeps the vote, sends nothing to staff, and says so', async () => {
    const replies = await send({ session: 'cap-vote', text: 'Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế không?' });
    const down = replies.flatMap((r) => r.buttons ?? []).find((b) => b.action.startsWith('fb:down:'));
    expect(down).toBeDefined();
    const person = personIdByExternal(ctx.app.db, 'web', 'cap-vote')!;
    seed(PERSON_QUEUE_CAP, { personId: person });
    const text = (await send({ session: 'cap-vote', action: down!.action })).map((r) => r.text).join('\n');
    expect(text).toContain(T.feedbackDownNotQueued);
    expect(text).toContain(T.queueFullPerson);
    expect(openCount(`kind = 'maybe_wrong' AND person_id = ?`, person)).toBe(0);
    expect(ctx.app.db.prepare(`SELECT vote FROM answer_feedback WHERE person_id = ?`).pluck().get(person)).toBe('down');
  });
});
