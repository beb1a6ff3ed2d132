/**
 * The staff queue shows answers that may be wrong: after a citizen's 👎 (web chat over HTTP),
 * staff see the item with its label "Đã trả lời, có thể sai", the question and the answer the
 * bot gave, and can filter the queue to those items or to unanswered ones only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;
const WRONG = 'con nhỏ nhà tôi có được bảo hiểm y tế không';
const UNANSWERED = 'Phường có hỗ trợ tiền lắp đặt pin mặt trời cho hộ gia đình không?';

const chat = async (body: Record<string, string>) =>
  (await (await fetch(`${t.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as {
    replies: { text: string; buttons?: { label: string; action: string }[] }[];
  };

beforeAll(async () => {
  t = await startAdminApp();
  addUser(t.app, 'bien', ['editor']);
  staff = new AdminClient(t.url);
  await staff.login('bien', 'bien-mat-khau-1');
  const answer = await chat({ session: 'session-queue-1', text: WRONG });
  const down = answer.replies[0]!.buttons!.find((b) => b.action.startsWith('fb:down:'))!;
  await chat({ session: 'session-queue-1', action: down.action });
  await chat({ session: 'session-queue-1', text: 'ý tôi là con nhỏ dưới 6 tuổi có thẻ bảo hiểm y tế không' });
  await chat({ session: 'session-queue-2', text: UNANSWERED });
  await chat({ session: 'session-queue-3', text: 'xin chào' }); // small talk: not in the queue
});
afterAll(async () => {
  await t.close();
});

describe('answered, maybe wrong, in the staff queue', () => {
  it('shows the label, the question and the answer given, beside the unanswered questions', async () => {
    const page = await staff.get('/admin/questions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Đã trả lời, có thể sai');
    expect(page.text).toContain(WRONG);
    expect(page.text).toContain('Người hỏi bấm 👎 Chưa đúng rồi hỏi lại: “ý tôi là con nhỏ dưới 6 tuổi có thẻ bảo hiểm y tế không”');
    expect(page.text).toContain('href="/admin/content/qa/bhyt-tre-em-duoi-6-tuoi"');
    expect(page.text).toContain('Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?');
    expect(page.text).toContain(UNANSWERED);
    expect(page.text).not.toContain('xin chào');
  });

  it('filters to the maybe-wrong answers, or to the unanswered questions', async () => {
    const wrong = await staff.get('/admin/questions?loai=co-the-sai');
    expect(wrong.text).toContain(WRONG);
    expect(wrong.text).not.toContain(UNANSWERED);
    expect(wrong.text).toMatch(/aria-current="page">Đã trả lời, có thể sai \(1\)/);
    const open = await staff.get('/admin/questions?loai=chua-tra-loi');
    expect(open.text).toContain(UNANSWERED);
    expect(open.text).not.toContain(WRONG);
    // An unknown filter shows everything.
    const all = await staff.get('/admin/questions?loai=khac');
    expect(all.text).toContain(WRONG);
    expect(all.text).toContain(UNANSWERED);
  });

  // Seen on a trial run: attaching a 👎'd question, the attach page offered first, untagged, the
  // very answer the citizen had just called wrong.
  it('the attach page marks the answer the citizen pressed 👎 on, and offers it after the other suggestions', async () => {
    const page = await staff.get('/admin/questions?loai=co-the-sai');
    const ids = page.text.match(/href="\/admin\/questions\/attach\?ids=([\d,]+)"/)![1]!;
    const attach = (await staff.get(`/admin/questions/attach?ids=${ids}`)).text;
    const given = attach.indexOf('value="bhyt-tre-em-duoi-6-tuoi"');
    expect(given).toBeGreaterThan(-1);
    const labels = [...attach.matchAll(/<label class="check"><input type="radio" name="qa" value="([^"]+)"/g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThan(1);
    expect(labels.at(-1)).toBe('bhyt-tre-em-duoi-6-tuoi');
    expect(attach.slice(given, attach.indexOf('</label>', given))).toContain('Bot đã trả lời bằng mục này, người hỏi cho là chưa đúng');
  });
});
