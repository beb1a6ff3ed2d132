/**
 * An approval links the open questions that are word for word one of the entry's wordings
 * (answers.ts linkSameWordings). It folded every open question and its normalized form at each
 * approval (7,700 open questions: 170-350 ms of the event loop); the queue's texts are now folded
 * once each (cluster.ts foldMemo). The links must be exactly those of the former code, kept here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApp } from './support.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { upsertPerson } from '../../src/db/people.js';
import { linkUnansweredToDraft, openUnlinkedUnanswered } from '../../src/db/admin.js';
import { notifyAskers } from '../../src/admin/answers.js';
import { foldMemo } from '../../src/admin/cluster.js';
import { foldedCanonical } from '../../src/text/vietnamese.js';
import type { Db } from '../../src/db/index.js';
import type { QaEntry } from '../../src/knowledge/content.js';

/** The questions the former linkSameWordings linked to `qa`. */
function formerSame(db: Db, qa: QaEntry): number[] {
  const wordings = new Set([qa.question, ...qa.variants].map(foldedCanonical));
  return openUnlinkedUnanswered(db)
    .filter((u) => wordings.has(foldedCanonical(u.question)) || wordings.has(foldedCanonical(u.normalized)))
    .map((u) => u.id);
}

const linkedTo = (db: Db, qaId: string): number[] =>
  (db.prepare(`SELECT unanswered_id AS id FROM unanswered_drafts WHERE qa_id = ? ORDER BY unanswered_id`).all(qaId) as { id: number }[]).map((r) => r.id);

describe('foldMemo', () => {
  it('gives what the fold gives, folding each text once, and keeps the texts folded last', () => {
    const calls: string[] = [];
    const m = foldMemo((t) => (calls.push(t), foldedCanonical(t)), 3);
    const texts = ['Đăng ký KẾT HÔN ở đâu?', 'dang ky ket hon o dau', 'Giờ làm việc', 'Đăng ký KẾT HÔN ở đâu?'];
    expect(texts.map((t) => m(t))).toEqual(texts.map(foldedCanonical));
    expect(calls).toEqual(texts.slice(0, 3));
    expect(m.misses).toBe(3);
    // A fourth text: the one folded first goes.
    m('Một câu khác');
    expect(m.size).toBe(3);
    m('Giờ làm việc');
    m('dang ky ket hon o dau');
    expect(m.misses).toBe(4);
    expect(m('Đăng ký KẾT HÔN ở đâu?')).toBe(foldedCanonical('Đăng ký KẾT HÔN ở đâu?'));
    expect(m.misses).toBe(5);
  });
});

describe('an approval links the open questions asked in one of its wordings', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  beforeAll(async () => {
    t = await startAdminApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('links exactly what the former code linked, across approvals and a text erased meanwhile', () => {
    const db = t.app.db;
    const approved = t.app.knowledge.state.qa.filter((q) => q.status === 'approved' && q.variants.length > 0);
    const [a, b] = approved;
    expect(a && b).toBeTruthy();
    let n = 0;
    const ask = (question: string, normalized = question.toLowerCase()): number => {
      const p = upsertPerson(db, 'web', `web-session-${String(++n).padStart(4, '0')}`);
      return recordUnanswered(db, { personId: p.id, channel: 'web', question, normalized, suggestions: [] });
    };
    const shapes = (s: string): string[] => [s, s.toUpperCase(), `  ${s.normalize('NFD')} ?!`, s.replace(/\s+/g, '   '), `${s} nữa`, s.slice(0, -3)];
    const seedFor = (qa: QaEntry): number[] => [
      ...[qa.question, ...qa.variants].flatMap((w) => shapes(w).map((x) => ask(x))),
      // The normalized form matches though the question does not.
      ask('Một câu viết khác hẳn', foldedCanonical(qa.variants[0]!)),
    ];
    const idsA = seedFor(a!);
    const idsB = seedFor(b!);
    ask('Không liên quan gì cả');
    // Already waiting for another draft: not linked again.
    linkUnansweredToDraft(db, [idsA[1]!], 'nhap-khac', 'bien');
    // Not open: not linked.
    db.prepare(`UPDATE unanswered SET status = 'dismissed' WHERE id = ?`).run(idsA[2]);

    const expectA = formerSame(db, a!);
    expect(expectA.length).toBeGreaterThan(5);
    notifyAskers(t.app, a!);
    expect(linkedTo(db, a!.id)).toEqual(expectA);

    // Before the second approval: one of b's questions erased (its text replaced), new ones asked.
    db.prepare(`UPDATE unanswered SET question = '[đã xoá theo yêu cầu]', normalized = '' WHERE id = ?`).run(idsB[0]);
    ask(b!.question.toUpperCase());
    ask(`${b!.question} ạ`);
    const expectB = formerSame(db, b!);
    expect(expectB).not.toContain(idsB[0]);
    notifyAskers(t.app, b!);
    expect(linkedTo(db, b!.id)).toEqual(expectB);
  });
});
