/**
 * Campaigns on the Zalo Bot channel: the content rules (2,000 characters, links written out, a
 * photo with its caption in one call), the preview staff approve matching what the channel
 * sends, and a campaign over the fake platform's rate limit: its 429s slow the channel's lane
 * down, and every subscriber still gets the message once, with none failed.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { apiCallsPerMessage, campaignContentSchema, campaignReply, previewFor, validateContent } from '../../src/campaigns/content.js';
import { renderReply } from '../../src/channels/zalo-bot/render.js';
import { startTestApp } from '../support/app.js';
import { startFakeZaloBot, zaloBotEnv } from '../support/fake-zalo-bot.js';
import { addSubscriber } from '../campaigns/helpers.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { createUser } from '../../src/db/users.js';
import { deliveryCounts } from '../../src/db/campaigns.js';

const content = (o: Record<string, unknown>) => campaignContentSchema.parse({ text: 'Xin chào bà con', ...o });

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('campaign content on Zalo Bot', () => {
  it.each([
    { label: 'short text fits', c: {}, errors: 0 },
    { label: '2,001 characters: too long', c: { text: 'a'.repeat(2001) }, errors: 1 },
    { label: 'six links: too many', c: { links: Array.from({ length: 6 }, (_, i) => ({ label: `Liên kết ${i}`, url: `https://example.gov.vn/${i}` })) }, errors: 1 },
  ])('$label', ({ c, errors }) => {
    expect(validateContent(content(c), ['zalo-bot']).filter((i) => i.severity === 'error')).toHaveLength(errors);
  });

  it('counts the calls the channel really makes: a photo with its caption in one, the written-out links included', () => {
    const img = 'https://example.gov.vn/a.jpg';
    const link = [{ label: 'Chi tiết', url: 'https://example.gov.vn/tuan-le-quyen-tre-em' }];
    const cases = [
      content({ imageUrl: img }),
      content({ text: 'b'.repeat(1950), title: 'Tiêu đề', imageUrl: img }),
      content({ text: 'b'.repeat(1950), imageUrl: img, links: link }),
      content({ text: 'b'.repeat(1950), links: link }),
      content({ text: 'c'.repeat(1500) }),
    ];
    for (const c of cases) {
      expect(validateContent(c, ['zalo-bot']).filter((i) => i.severity === 'error')).toEqual([]);
      expect(apiCallsPerMessage(c, 'zalo-bot')).toBe(renderReply('u', campaignReply(c, 'zalo-bot')).length);
    }
    // A long text with links: the photo, the text, then the links that no longer fit.
    expect(cases.map((c) => apiCallsPerMessage(c, 'zalo-bot'))).toEqual([1, 1, 3, 2, 1]);
  });

  it('previews what the channel sends: the title as a plain line, links written out', () => {
    const c = content({ title: 'Tuần lễ quyền trẻ em', links: [{ label: 'Chi tiết', url: 'https://example.gov.vn/tre-em' }] });
    const preview = previewFor(c, 'zalo-bot');
    expect(preview).toContain('Zalo Bot');
    const body = preview
      .split('\n')
      .slice(1, -1)
      .map((l) => l.slice(2))
      .join('\n');
    const [sent] = renderReply('u', campaignReply(c, 'zalo-bot'));
    expect(sent!.method).toBe('sendMessage');
    expect(body).toBe((sent!.payload as { text: string }).text);
  });
});

describe('campaign over the fake Zalo Bot platform', () => {
  it('meets 429s above the platform limit, slows down, and reaches every subscriber once', async () => {
    const zb = await startFakeZaloBot({ perSecond: 10 });
    cleanup.push(() => zb.close());
    const { app, close } = await startTestApp(zaloBotEnv(zb, { ZALO_BOT_RATE_GLOBAL: '40', ZALO_BOT_RATE_PER_CHAT: '1' }), { bot: { quiet_hours: { start: '00:00', end: '00:00' } } });
    cleanup.push(close);
    const db = app.db;
    const ids = Array.from({ length: 25 }, (_, i) => `zb-user-${i}`);
    for (const id of ids) addSubscriber(db, { channel: 'zalo-bot', id });
    createUser(db, { username: 'lan', roles: ['broadcaster'] });
    createUser(db, { username: 'minh', roles: ['approver', 'broadcaster'] });
    const s = createCampaignService({ db, regions: () => ({ regions: app.knowledge.state.regions, root: 'hung-yen' }), topics: () => [] });
    const c = s.create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['zalo-bot'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    const done = once(app.campaigns.outbox.events, 'done');
    s.schedule('minh', c.id);
    await done;
    expect(zb.callsTo('sendMessage').some((x) => x.status === 429)).toBe(true);
    expect(zb.sent.map((m) => m.chatId).sort()).toEqual([...ids].sort());
    expect(deliveryCounts(db, c.id)).toMatchObject({ targeted: 25, sent: 25, failed: 0, pending: 0 });
  });
});
