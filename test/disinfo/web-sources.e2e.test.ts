/**
 * A web chat session is whatever id the browser sends, so a script can be hundreds of "reporters"
 * (the last session found one attacker making a case look reported by 500 people). A case now
 * counts web chat reports once per network source (a keyed digest of the address, never the
 * address), Telegram and Zalo accounts once each, and staff see how much of a count rests on
 * unverified web sessions. Legitimate web reporters are not refused: each still gets a case
 * number and the outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChat } from './web-chat.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { getCase, listCases, recordReport, setCaseStatus } from '../../src/db/disinfo.js';
import { upsertPerson } from '../../src/db/people.js';
import { tellReporters } from '../../src/admin/disinfo.js';
import { queuedOutcomes } from './outcome-rows.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;

beforeAll(async () => {
  // The reverse proxy on loopback says where each visitor writes from.
  t = await startAdminApp({ env: { LOA_TRUST_PROXY: 'loopback' } });
});
afterAll(async () => {
  await t?.close();
});

const chat = (session: string, address: string, body: Record<string, string>): Promise<string> => webChat(t.url, session, address, body);

async function report(session: string, address: string, link: string): Promise<string> {
  await chat(session, address, { text: `/baocao ${link}` });
  await chat(session, address, { action: 'bc:t:khac' });
  const done = await chat(session, address, { action: 'bc:p:facebook' });
  return done.match(/BC-\d{4}-\d{4}/)![0];
}

const LINK = 'https://facebook.com/groups/9/posts/4242';
const SCRIPT = '198.51.100.7';

describe('web chat reports of one case', () => {
  it('count once per network source, however many sessions; accounts once each; staff see the split', { timeout: 120_000 }, async () => {
    // A script: 25 made-up sessions from one address, each reporting the same post.
    const numbers = new Set<string>();
    for (let i = 0; i < 25; i++) numbers.add(await report(`script-session-${String(i).padStart(4, '0')}`, SCRIPT, LINK));
    expect(numbers.size).toBe(1);
    const [number] = [...numbers];
    const c = listCases(t.app.db).find((x) => x.number === number)!;
    expect(c.reporterCount).toBe(1);

    // A person on another network: counted, and given the case number as anyone is.
    expect(await report('visitor-lan-0001', '203.0.113.20', `${LINK}?mibextid=abc`)).toBe(number);
    expect(getCase(t.app.db, c.id)!.reporterCount).toBe(2);
    // The same visitor again after their phone moved to another network: still one person.
    expect(await report('visitor-lan-0001', '203.0.113.99', LINK)).toBe(number);
    expect(getCase(t.app.db, c.id)!.reporterCount).toBe(2);
    // A Telegram account: one more.
    const tg = upsertPerson(t.app.db, 'telegram', '5550001').id;
    recordReport(t.app.db, { personId: tg, channel: 'telegram', region: null, text: LINK, topic: 'khac', platform: 'facebook' });
    expect(getCase(t.app.db, c.id)!.reporterCount).toBe(3);

    // Staff see what the count rests on.
    const staff = new AdminClient(t.url);
    expect((await staff.login('lan', addUser(t.app, 'lan', ['editor']))).status).toBe(303);
    const page = (await staff.get(`/admin/disinfo/${c.id}`)).text;
    expect(page).toContain('Qua web chat:</strong> 27 báo cáo từ 26 phiên trò chuyện, 2 nguồn mạng, tính là 2 người báo.');
    expect(page.match(/data-source>nguồn web 1</g)).toHaveLength(25);
    expect(page.match(/data-source>nguồn web 2</g)).toHaveLength(2);
    expect(page.match(/Web chat <span class="muted">\(phiên chưa xác minh\)/g)).toHaveLength(27);
    expect(page).toContain('<td>Telegram</td>');
    expect(page).not.toContain(SCRIPT);
    const queue = (await staff.get('/admin/disinfo?xep=nhieu')).text;
    expect(queue).toMatch(/<td>3 <span class="muted" data-web title="26 phiên web chat từ 2 nguồn mạng">\(web: 2\)<\/span><\/td>/);

    // Closing it: every session and the account get the outcome, once each (held for the web chat).
    setCaseStatus(t.app.db, c.id, { status: 'not_false', actor: 'lan' });
    expect(tellReporters({ db: t.app.db, sender: t.app.sender, channels: t.app.channels }, c.id)).toBe(27);
    const rows = queuedOutcomes(t.app.db).filter((r) => r.text.includes(number!));
    expect(rows.filter((r) => r.channel === 'web' && r.status === 'held')).toHaveLength(26);
    expect(await chat('visitor-lan-0001', '203.0.113.20', { text: 'xin chào' })).toContain(`Kết quả xử lý báo cáo ${number}`);
  });
});
