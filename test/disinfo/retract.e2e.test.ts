/**
 * A citizen takes back a report sent by mistake: `/baocao huỷ BC-2026-0001`. Before (measured on a
 * running server, 2026-12-07): there was no way short of erasing all their data; "/baocao huỷ" made
 * a report draft whose text was the word "huy", and "tôi muốn rút lại báo cáo BC-…" went to the
 * staff's unanswered questions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApp } from '../admin/support.js';
import { getCase, listCases, mergeCase, recordReport, reportsOfCase, retractReport, stepsOfCase } from '../../src/db/disinfo.js';
import { openDb } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';

type WebReply = { text: string; buttons?: { label: string; action: string }[] };
let t: Awaited<ReturnType<typeof startAdminApp>>;

beforeAll(async () => {
  // Each visitor writes from an address of their own (a reverse proxy on loopback says which):
  // two sessions of one address count as one reporter (web-sources.e2e.test.ts).
  t = await startAdminApp({ env: { LOA_TRUST_PROXY: 'loopback' }, bot: { disinfo: { reports_per_day: 2 } } });
});
afterAll(async () => {
  await t?.close();
});

const addresses = new Map<string, string>();
async function chat(session: string, body: Record<string, string>): Promise<string[]> {
  if (!addresses.has(session)) addresses.set(session, `203.0.113.${addresses.size + 10}`);
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': addresses.get(session)! };
  const res = await fetch(`${t.url}/api/chat`, { method: 'POST', headers, body: JSON.stringify({ session, ...body }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: WebReply[] }).replies.map((r) => r.text);
}

async function report(session: string, link: string): Promise<string> {
  await chat(session, { text: `/baocao ${link}` });
  await chat(session, { action: 'bc:t:khac' });
  const done = (await chat(session, { action: 'bc:p:facebook' })).join('\n');
  return done.match(/BC-\d{4}-\d{4}/)![0];
}

describe('taking a report back', () => {
  it('removes the reporter from the case, counts one fewer, and never becomes a report itself', async () => {
    const a = 'bc-retract-session-a1';
    const b = 'bc-retract-session-b1';
    const number = await report(a, 'https://facebook.com/tin-gia/posts/77');
    expect(await report(b, 'https://www.facebook.com/tin-gia/posts/77/?fbclid=x')).toBe(number);
    const c = listCases(t.app.db).find((x) => x.number === number)!;
    expect(c.reporterCount).toBe(2);

    expect((await chat(a, { text: '/baocao huỷ' })).join('\n')).toContain('gõ /baocao huỷ kèm mã số báo cáo');
    expect((await chat(a, { text: '/baocao huỷ BC-2026-9999' })).join('\n')).toContain('Không tìm thấy báo cáo BC-2026-9999 của bạn.');
    expect((await chat(a, { text: `/baocao rút lại ${number.toLowerCase()}` })).join('\n')).toContain(`Đã rút lại báo cáo ${number} của bạn.`);
    expect(getCase(t.app.db, c.id)!.reporterCount).toBe(1);
    expect(stepsOfCase(t.app.db, c.id).at(-1)!.note).toBe('Một người báo tin đã rút lại báo cáo của mình; còn 1 người báo tin.');
    // Again: nothing of theirs is left there.
    expect((await chat(a, { text: `/baocao huỷ ${number}` })).join('\n')).toContain(`Không tìm thấy báo cáo ${number} của bạn.`);
    expect(listCases(t.app.db)).toHaveLength(1);
    expect((await chat(a, { text: '/dulieucuatoi' })).join('\n')).not.toMatch(/Tin giả, tin xấu độc bạn đã báo \(\/baocao\): [1-9]/);

    // The word alone during a report cancels it, as the button does; no report is made of it.
    await chat(b, { text: '/baocao' });
    expect((await chat(b, { text: '/baocao huỷ' })).join('\n')).toContain('Đã huỷ báo cáo.');
    expect(listCases(t.app.db)).toHaveLength(1);
    // Taking back is not refused by the per-day limit (2 here).
    const c2 = 'bc-retract-session-c1';
    await report(c2, 'https://facebook.com/khac/posts/1');
    const last = await report(c2, 'https://facebook.com/khac/posts/2');
    expect((await chat(c2, { text: '/baocao' })).join('\n')).toContain('là số tối đa trong một ngày');
    expect((await chat(c2, { text: `/baocao huỷ ${last}` })).join('\n')).toContain(`Đã rút lại báo cáo ${last} của bạn.`);
  });
});

describe('taking back the report of a merged case', () => {
  it('takes back only what was reported as that case', () => {
    const db = openDb(':memory:');
    const at = new Date('2026-03-02T03:00:00Z');
    const p = upsertPerson(db, 'telegram', '1', undefined, at).id;
    const q = upsertPerson(db, 'telegram', '2', undefined, at).id;
    const rep = (pid: number, text: string) => recordReport(db, { personId: pid, channel: 'telegram', region: null, text, topic: 'khac', platform: 'facebook' }, at);
    const a = rep(p, 'https://facebook.com/a/posts/1');
    rep(q, 'https://facebook.com/a/posts/1');
    const b = rep(p, 'https://tiktok.com/@a/video/1');
    mergeCase(db, b.caseId, a.number, { actor: 'hoa' }, at);
    expect(getCase(db, a.caseId)!.reporterCount).toBe(2);
    // p takes back the TikTok report by its number: their Facebook report stays, and so does their count.
    expect(retractReport(db, p, b.number, at)!.id).toBe(a.caseId);
    expect(reportsOfCase(db, a.caseId).map((r) => r.url).sort()).toEqual(['https://facebook.com/a/posts/1', 'https://facebook.com/a/posts/1']);
    expect(getCase(db, a.caseId)!.reporterCount).toBe(2);
    expect(retractReport(db, p, b.number, at)).toBeUndefined();
    // Then the Facebook one: one reporter fewer.
    retractReport(db, p, a.number, at);
    expect(getCase(db, a.caseId)!.reporterCount).toBe(1);
    db.close();
  });
});
