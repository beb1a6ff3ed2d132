/**
 * A link pasted into the chat with a few words ("https://facebook.com/… cái này có đúng không?")
 * is a post the person saw and wonders about, as a forwarded one is: it is offered for
 * reporting, with a way to ask about it instead. It used to be answered as a question: no entry
 * has a link's words, so it got the no-answer and went to the staff's question queue, and the
 * report the plan counts was never made. A longer question that cites an address is still
 * answered as a question.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { isPastedLink } from '../../src/conversation/disinfo.js';
import type { App } from '../../src/app.js';

type WebReply = { text: string; buttons?: { label: string; action: string }[] };

let app: App;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ app, url, close } = await startTestApp());
});
afterAll(async () => {
  await close();
});

let n = 0;
async function chat(session: string, body: { text?: string; action?: string }): Promise<WebReply[]> {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ session, id: `m-${++n}`, ...body }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: WebReply[] }).replies;
}
const press = (session: string, reply: WebReply | undefined, label: string) => {
  const b = reply?.buttons?.find((x) => x.label === label);
  if (!b) throw new Error(`no button '${label}' in: ${(reply?.buttons ?? []).map((x) => x.label).join(', ')}`);
  return chat(session, { action: b.action });
};
const reportsOf = (session: string) =>
  app.db
    .prepare(`SELECT r.text, r.topic, r.platform FROM disinfo_reports r JOIN people p ON p.id = r.person_id WHERE p.channel = 'web' AND p.external_id = ?`)
    .all(session) as { text: string | null; topic: string | null; platform: string | null }[];
const queued = (session: string) =>
  (app.db.prepare(`SELECT count(*) AS n FROM questions q JOIN people p ON p.id = q.person_id WHERE p.external_id = ?`).get(session) as { n: number }).n;

describe('a pasted link', () => {
  it('is offered for reporting, and the report carries the link', async () => {
    const s = 'pasted-link-visitor-1';
    const link = 'https://www.facebook.com/groups/khupho3/posts/123456789';
    const [offer] = await chat(s, { text: `${link} cái này có đúng không ạ` });
    expect(offer!.text).toContain('Bạn vừa gửi một đường link');
    expect(offer!.text).toContain('Tôi muốn hỏi');
    const labels = offer!.buttons!.map((b) => b.label);
    expect(labels).toContain('Bảo hiểm y tế');
    expect(labels).toContain('Tôi muốn hỏi');
    expect(labels).toContain('Huỷ');
    const [platform] = await press(s, offer, 'Bảo hiểm y tế');
    expect(platform!.text).toContain('Bạn thấy tin này ở đâu?');
    const [done] = await press(s, platform, 'Facebook');
    expect(done!.text).toContain('Cảm ơn bạn đã báo tin!');
    expect(reportsOf(s)).toEqual([{ text: `${link} cái này có đúng không ạ`, topic: 'bao-hiem-y-te', platform: 'facebook' }]);
    expect(queued(s)).toBe(0);
  });

  it('can be asked about instead', async () => {
    const s = 'pasted-link-visitor-2';
    const [offer] = await chat(s, { text: 'youtu.be/abc123 trẻ dưới 6 tuổi được cấp thẻ bhyt miễn phí thật không' });
    expect(offer!.text).toContain('Bạn vừa gửi một đường link');
    const [answer] = await press(s, offer, 'Tôi muốn hỏi');
    expect(answer!.text).not.toContain('đường link');
    expect(answer!.text).toMatch(/6 tuổi/u);
    expect(reportsOf(s)).toEqual([]);
  });

  it('inside a longer question is answered as a question', async () => {
    const s = 'pasted-link-visitor-3';
    const [answer] = await chat(s, {
      text: 'Tôi đọc hướng dẫn ở https://dichvucong.gov.vn nhưng chưa hiểu, đăng ký khai sinh cho con thì cần mang theo những giấy tờ gì khi đến ủy ban xã ạ?',
    });
    expect(answer!.text).not.toContain('đường link');
    expect(answer!.text).toMatch(/khai sinh/iu);
    expect(answer!.text).toContain("Câu trả lời này có hữu ích không?");
    expect(reportsOf(s)).toEqual([]);
  });
});

describe('isPastedLink', () => {
  it('tells a pasted post from a question that cites an address', () => {
    expect(isPastedLink('https://fb.watch/abc/')).toBe(true);
    expect(isPastedLink('xem cái này facebook.com/story.php?id=1 thật không')).toBe(true);
    expect(isPastedLink('Tin này có thật không? https://zalo.me/g/abcdef')).toBe(true);
    expect(isPastedLink('bhyt tre em')).toBe(false);
    expect(isPastedLink('Gửi thư tới thongtin@example.gov.vn được không')).toBe(false);
    expect(isPastedLink('Trang https://dichvucong.gov.vn có cho đăng ký khai sinh trực tuyến cho con nhỏ ở xa quê không, nếu được thì làm thế nào ạ?')).toBe(false);
  });
});
