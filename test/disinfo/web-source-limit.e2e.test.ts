/**
 * The daily limit of reports of false information holds per web source too: a web visitor is
 * free to make (a new session id), so the per-person limit alone let one address send hundreds
 * of reports a day, each a new case for staff and a case counted against the plan's 90%
 * handled. One address may send SOURCE_REPORTS_FACTOR people's daily reports; past that each
 * visitor is told plainly and pointed to Zalo or Telegram; another address is not affected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChat } from './web-chat.js';
import { startAdminApp } from '../admin/support.js';
import { SOURCE_REPORTS_FACTOR } from '../../src/conversation/disinfo.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
beforeAll(async () => {
  // One report a person a day: the address's limit is then SOURCE_REPORTS_FACTOR reports.
  t = await startAdminApp({ env: { LOA_TRUST_PROXY: 'loopback' }, bot: { disinfo: { reports_per_day: 1 } } });
});
afterAll(async () => {
  await t?.close();
});

const chat = (session: string, address: string, body: Record<string, string>): Promise<string> => webChat(t.url, session, address, body);

async function report(session: string, address: string, link: string): Promise<string> {
  const first = await chat(session, address, { text: `/baocao ${link}` });
  if (!first.includes('Tin này nói về vấn đề gì?')) return first;
  await chat(session, address, { action: 'bc:t:khac' });
  return chat(session, address, { action: 'bc:p:facebook' });
}

const cases = (): number => t.app.db.prepare(`SELECT COUNT(*) FROM disinfo_cases`).pluck().get() as number;

describe('reports of false information from one web address', () => {
  it('are limited per day for the address as a whole; past it each visitor is told where else to report', { timeout: 120_000 }, async () => {
    const SCRIPT = '198.51.100.9';
    for (let i = 0; i < SOURCE_REPORTS_FACTOR; i++)
      expect(await report(`src-limit-${String(i).padStart(4, '0')}`, SCRIPT, `https://facebook.com/posts/${1000 + i}`)).toMatch(/BC-\d{4}-\d{4}/);
    expect(cases()).toBe(SOURCE_REPORTS_FACTOR);
    const refused = await report('src-limit-over-0001', SCRIPT, 'https://facebook.com/posts/9999');
    expect(refused).toContain(`Hôm nay mạng Internet bạn đang dùng đã gửi ${SOURCE_REPORTS_FACTOR} báo cáo qua trang web`);
    expect(refused).toContain('Zalo hay Telegram');
    expect(cases()).toBe(SOURCE_REPORTS_FACTOR);
    // Someone on another network reports as usual.
    expect(await report('src-limit-other-001', '203.0.113.30', 'https://facebook.com/posts/9999')).toMatch(/BC-\d{4}-\d{4}/);
  });
});
