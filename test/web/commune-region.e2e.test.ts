/**
 * A commune's portal names its commune on the embed tag (`data-loa-region`): the web visitors'
 * questions reach that commune's staff queue (region-scoped accounts see only askers of their
 * region), the province sees them all, an unknown slug is ignored and logged, and the region only
 * routes: it never moves a visitor placed already, nor a person of another channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { captureLogger } from '../support/capture-log.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { listQueuePage } from '../../src/db/admin.js';
import { reachedByChannel } from '../../src/db/reach.js';
import { listCases } from '../../src/db/disinfo.js';
import { personIdByExternal, getPerson } from '../../src/db/people.js';

let ctx: Awaited<ReturnType<typeof startTestApp>>;
const log = captureLogger('info');
beforeAll(async () => {
  ctx = await startTestApp({}, { logger: log.logger });
});
afterAll(async () => {
  await ctx.close();
});

const chat = async (body: Record<string, unknown>): Promise<{ replies: { text: string }[] }> => {
  const res = await fetch(`${ctx.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
};

/** A question the shipped content has no answer for: it goes to the staff queue. */
const UNANSWERABLE = 'Quán bánh cuốn nào ở chợ Phố Hiến mở cửa sớm nhất buổi sáng?';

const queueOf = (scope: string[] | null): string[] =>
  listQueuePage(ctx.app.db, { scope }, { limit: 100, offset: 0 })
    .filter((q) => q.channel === 'web')
    .map((q) => q.question);

describe('the web chat on a commune’s portal', () => {
  it('routes the visitor’s questions to the commune named on the tag; the province sees them too, another commune does not', async () => {
    await chat({ session: 'commune-visitor-1', text: UNANSWERABLE, region: 'pho-hien' });
    expect(queueOf(['pho-hien'])).toContain(UNANSWERABLE);
    expect(queueOf(['son-nam'])).not.toContain(UNANSWERABLE);
    expect(queueOf(null)).toContain(UNANSWERABLE);
    const person = personIdByExternal(ctx.app.db, 'web', 'commune-visitor-1')!;
    expect(getPerson(ctx.app.db, person)?.region).toBe('pho-hien');
    // Placed from their first message: not a change of area they made (/dulieucuatoi lists those).
    expect(ctx.app.db.prepare('SELECT COUNT(*) FROM region_changes WHERE person_id = ?').pluck().get(person)).toBe(0);
    // The commune's yearly report counts the visitor as reached on the web, the other commune's does not.
    const from = new Date(Date.now() - 86_400_000);
    const to = new Date(Date.now() + 86_400_000);
    expect(reachedByChannel(ctx.app.db, from, to, ['pho-hien']).find((r) => r.channel === 'web')?.people).toBe(1);
    expect(reachedByChannel(ctx.app.db, from, to, ['son-nam']).find((r) => r.channel === 'web')?.people ?? 0).toBe(0);
  });

  it('a false-information report sent from the commune’s portal goes to that commune’s staff', async () => {
    const session = 'commune-reporter-1';
    await chat({ session, text: '/baocao https://facebook.com/groups/9/posts/777', region: 'pho-hien' });
    await chat({ session, action: 'bc:t:khac', region: 'pho-hien' });
    const done = (await chat({ session, action: 'bc:p:facebook', region: 'pho-hien' })).replies.map((r) => r.text).join('\n');
    const number = done.match(/BC-\d{4}-\d{4}/)![0];
    expect(listCases(ctx.app.db, { scope: ['pho-hien'] }).map((c) => c.number)).toContain(number);
    expect(listCases(ctx.app.db, { scope: ['son-nam'] }).map((c) => c.number)).not.toContain(number);
  });

  it('a later request naming another commune does not move the visitor or their questions', async () => {
    await chat({ session: 'commune-visitor-2', text: `${UNANSWERABLE} (2)`, region: 'pho-hien' });
    await chat({ session: 'commune-visitor-2', text: 'Xin chào', region: 'son-nam' });
    expect(queueOf(['pho-hien'])).toContain(`${UNANSWERABLE} (2)`);
    expect(queueOf(['son-nam'])).not.toContain(`${UNANSWERABLE} (2)`);
  });

  it('an unknown or malformed slug is ignored (the chat still answers) and logged once', async () => {
    const before = log.lines.length;
    const slugs = ['xa-khong-co', 'xa-khong-co', 'PHO HIEN"<x>'];
    for (const [i, region] of slugs.entries())
      expect((await chat({ session: `commune-visitor-3-${i}`, text: `${UNANSWERABLE} ${i} ${region}`, region })).replies.length).toBeGreaterThan(0);
    for (const i of [0, 1, 2]) expect(getPerson(ctx.app.db, personIdByExternal(ctx.app.db, 'web', `commune-visitor-3-${i}`)!)?.region).toBeNull();
    expect(queueOf(null).filter((q) => q.includes('xa-khong-co'))).toHaveLength(2);
    const warned = log.lines.slice(before).filter((l) => l.includes('names a region regions.yaml does not have'));
    expect(warned).toHaveLength(2);
    expect(warned.join('\n')).toContain('xa-khong-co');
  });

  it('a visitor without a region stays province-wide; placed later, the change is kept for the reports', async () => {
    await chat({ session: 'commune-visitor-4', text: `${UNANSWERABLE} (4)` });
    expect(queueOf(null)).toContain(`${UNANSWERABLE} (4)`);
    expect(queueOf(['pho-hien'])).not.toContain(`${UNANSWERABLE} (4)`);
    await chat({ session: 'commune-visitor-4', text: 'Xin chào', region: 'pho-hien' });
    const person = personIdByExternal(ctx.app.db, 'web', 'commune-visitor-4')!;
    expect(ctx.app.db.prepare('SELECT old_region, new_region FROM region_changes WHERE person_id = ?').all(person)).toEqual([{ old_region: null, new_region: 'pho-hien' }]);
  });

  it('the chat page’s tag to copy names a known commune (?region=), and ignores an unknown one', async () => {
    const known = await (await fetch(`${ctx.url}/?region=pho-hien`)).text();
    expect(known).toContain('data-loa-inline="#chat" data-loa-region="pho-hien"');
    expect(known).toContain('/widget.js" data-loa-region=&quot;pho-hien&quot; defer');
    expect(known).toContain('Phường Phố Hiến');
    const unknown = await (await fetch(`${ctx.url}/?region=${encodeURIComponent('x"><script>')}`)).text();
    expect(unknown).not.toContain('data-loa-region');
    expect(unknown).not.toContain('<script>"');
  });
});

describe('the commune’s staff queue in the admin pages', () => {
  it('a commune editor sees the question asked through its portal; another commune’s does not; the province does', async () => {
    const t = await startAdminApp();
    try {
      addUser(t.app, 'phohien', ['editor'], 'pho-hien');
      addUser(t.app, 'sonnam', ['editor'], 'son-nam');
      addUser(t.app, 'tinh', ['editor']);
      const question = 'Nhà văn hoá khu phố có cho mượn bàn ghế để tổ chức đám cưới không?';
      const res = await fetch(`${t.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session: 'queue-visitor-1', text: question, region: 'pho-hien' }),
      });
      expect(res.status).toBe(200);
      const queue = async (user: string): Promise<string> => {
        const c = new AdminClient(t.url);
        await c.login(user, `${user}-mat-khau-1`);
        return (await c.get('/admin/questions')).text;
      };
      expect(await queue('phohien')).toContain(question);
      expect(await queue('sonnam')).not.toContain(question);
      expect(await queue('tinh')).toContain(question);
      // The commune's yearly report says that its portal's web visitors count in it.
      const viewer = new AdminClient(t.url);
      await viewer.login('xem', addUser(t.app, 'xem', ['viewer'], 'pho-hien'));
      expect((await viewer.get('/admin/report')).text).toContain('kể cả người hỏi qua khung hỏi đáp trên cổng thông tin của địa bàn này');
    } finally {
      await t.close();
    }
  });
});
