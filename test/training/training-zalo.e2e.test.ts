/**
 * The training on Zalo OA, where choices are numbered text (issue 17, item 2): an official on
 * the list writes to the OA (which opens Zalo's 7-day window), is invited from the admin page,
 * opens the training by typing "1", reads, and takes the test by typing the numbers; passing
 * counts them trained.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeZalo, zaloEnv, type FakeZalo } from '../support/fake-zalo.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { importOfficials, trainingCoverage } from '../../src/db/training.js';
import { loadTraining } from '../../src/training/definition.js';

const ZALO_USER = '8713451786543210777';
let zalo: FakeZalo;
let t: Awaited<ReturnType<typeof startAdminApp>>;

beforeAll(async () => {
  zalo = await startFakeZalo();
  zalo.addUser({ id: ZALO_USER, name: 'Lê Thị Mai' });
  // Typed answers come fast in a test: the flood limit is raised so none is refused.
  t = await startAdminApp({ env: { ...zaloEnv(zalo) }, bot: { flood_limit: { messages: 100, seconds: 10 } } });
});
afterAll(async () => {
  await t?.close();
  await zalo?.close();
});

/** What the OA sent the official since `before`, joined. */
const sentSince = (before: number): string =>
  zalo.sent
    .slice(before)
    .map((s) => s.message.text ?? '')
    .join('\n');

async function says(text: string): Promise<string> {
  const before = zalo.sent.length;
  expect((await zalo.deliverWebhook(`${t.url}/webhooks/zalo`, zalo.textEvent(ZALO_USER, text))).status).toBe(200);
  await t.app.inbox.drain();
  await t.app.sender.drain();
  return sentSince(before);
}

function numberOf(text: string, label: string): string {
  const m = text.match(new RegExp(`(?:^|\\n)(\\d+)\\. ${label}(?:\\n|$)`));
  if (!m) throw new Error(`test: no choice '${label}' in:\n${text}`);
  return m[1]!;
}

it('an official on Zalo is invited, opens the training by typing 1 and passes the test by typed numbers', async () => {
  importOfficials(t.app.db, [{ name: 'Lê Thị Mai', unit: 'Hội LHPN xã Sơn Nam', groupId: 'to-chuc-chinh-tri-xa-hoi', region: 'son-nam', channel: 'zalo', externalId: ZALO_USER }]);
  expect(await says('/taphuan')).toContain('Cập nhật thông tin về quyền con người và Đề án 1079: chưa làm bài');
  // Other numbered choices shown since: the invitation's own must be what "1" answers.
  expect(await says('/help')).toContain('1. ');

  const staff = new AdminClient(t.url);
  await staff.login('tochuc', addUser(t.app, 'tochuc', ['quiz_organizer']));
  const before = zalo.sent.length;
  await staff.post('/admin/training/invite', { training: 'quyen-con-nguoi-co-ban', group: '' });
  await t.app.sender.drain();
  const invite = sentSince(before);
  expect(invite).toContain('Kính gửi đồng chí Lê Thị Mai');

  const opened = await says(numberOf(invite, 'Bắt đầu tập huấn'));
  expect(opened).toContain('Bài 1/2');
  const q1 = await says(numberOf(opened, 'Làm bài kiểm tra'));
  expect(q1).toContain('Câu 1/5');
  let last = q1;
  for (const n of ['2', '2', '2', '2', '3']) last = await says(n);
  expect(last).toContain('Đồng chí trả lời đúng 5/5 câu và đã ĐẠT');
  expect(trainingCoverage(t.app.db, loadTraining('content').groups).find((g) => g.groupId === 'to-chuc-chinh-tri-xa-hoi')).toMatchObject({ officials: 1, trained: 1, met: true });
});
