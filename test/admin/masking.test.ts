/**
 * Staff never see a citizen's phone number, e-mail address or ID number in their questions, and
 * "Trả lời câu này" never copies one into a Q&A draft (issue 15 item 6): the queue, a
 * maybe-wrong answer's follow-up, the attach page, the new-entry form and an entry's notices all
 * show the masked text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { upsertPerson } from '../../src/db/people.js';
import { recordUnanswered } from '../../src/db/questions.js';

const PHONE = '0912 345 678';
const EMAIL = 'lan.nguyen@gmail.com';
const CCCD = '001203004567';
const QUESTION = `Tôi tên Lan, số ${PHONE}, email ${EMAIL}, CCCD ${CCCD}: xin cấp lại thẻ bảo hiểm y tế bị mất làm thế nào?`;
const SECOND = `Mất thẻ BHYT thì làm lại ở đâu, gọi giúp tôi số 0987.654.321 nhé`;
const FOLLOWUP = `ý tôi là thẻ của con tôi, mã thẻ DN4010123456789`;
const RAW = [PHONE, EMAIL, CCCD, '0987.654.321', 'DN4010123456789'];

let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;
let ids: number[] = [];

beforeAll(async () => {
  t = await startAdminApp();
  addUser(t.app, 'bien', ['editor']);
  staff = new AdminClient(t.url);
  await staff.login('bien', 'bien-mat-khau-1');
  const ask = (user: string, question: string): number =>
    recordUnanswered(t.app.db, { personId: upsertPerson(t.app.db, 'web', user).id, channel: 'web', question, normalized: question.toLowerCase(), suggestions: [] });
  ids = [ask('mask-1', QUESTION), ask('mask-2', SECOND)];
  const wrong = ask('mask-3', 'thẻ bảo hiểm y tế của trẻ em');
  t.app.db
    .prepare(`UPDATE unanswered SET kind = 'maybe_wrong', reason = 'reask', given_answer_id = 'bhyt-tre-em-duoi-6-tuoi', followup = ? WHERE id = ?`)
    .run(FOLLOWUP, wrong);
  // A notice to the first asker, listed on the entry's page.
  t.app.db
    .prepare(
      `INSERT INTO answer_notices (unanswered_id, person_id, channel, entry_id, reply, status, created_at)
       VALUES (?, NULL, 'web', 'bhyt-ho-ngheo', '{"text":""}', 'held', ?)`,
    )
    .run(ids[0], new Date().toISOString());
});
afterAll(async () => {
  await t.close();
});

const expectMasked = (html: string) => {
  for (const raw of RAW) expect(html).not.toContain(raw);
  expect(html).toContain('***');
};

describe('personal data in citizens’ questions, as staff see them', () => {
  it('is masked in the unanswered queue and in a maybe-wrong answer’s follow-up', async () => {
    const page = await staff.get('/admin/questions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('xin cấp lại thẻ bảo hiểm y tế bị mất làm thế nào?');
    expect(page.text).toContain('ý tôi là thẻ của con tôi, mã thẻ ***');
    expectMasked(page.text);
  });

  it('is masked in what "Trả lời câu này" copies into the new Q&A draft', async () => {
    const form = await staff.get(`/admin/content/qa/new?from=${ids.join(',')}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Tôi tên Lan, số ***, email ***, CCCD ***: xin cấp lại thẻ bảo hiểm y tế bị mất làm thế nào?');
    expectMasked(form.text);
  });

  it('is masked on the attach page', async () => {
    const page = await staff.get(`/admin/questions/attach?ids=${ids.join(',')}`);
    expect(page.status).toBe(200);
    expectMasked(page.text);
  });

  it("is masked in an entry's list of askers told", async () => {
    const page = await staff.get('/admin/content/qa/bhyt-ho-ngheo');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Tôi tên Lan, số ***');
    expectMasked(page.text);
  });
});
