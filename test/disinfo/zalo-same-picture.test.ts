/**
 * One screenshot sent by several people on Zalo is one case. Zalo's image event carries only URLs
 * (`attachments[].payload.url`, `thumbnail`): no file id, size or hash (PLATFORMS.md), and one
 * picture can reach the OA under a different URL for each person. Reports were grouped by URL:
 * before, two people sending the same picture opened two cases. Now the picture is fetched once
 * (the channel's fetchMedia) and grouped by the SHA-256 of its bytes; one that cannot be fetched
 * is grouped by its URL, as before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { createDisinfoFeature } from '../../src/conversation/disinfo.js';
import { createPictureKeys } from '../../src/conversation/picture-key.js';
import { zaloCapabilities } from '../../src/channels/zalo/channel.js';
import { getCase, listCases, reportsOfCase } from '../../src/db/disinfo.js';
import type { Inbound } from '../../src/messages.js';
import { shippedKnowledge, testConfig } from '../support/app.js';

const AT = new Date('2026-06-01T03:00:00Z');
const PICTURE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]);
const OTHER = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9, 9]);
/** One picture as two people's image events carry it, another picture, and a URL Zalo no longer serves. */
const FILES = new Map<string, Uint8Array>([
  ['https://f21-zpc.zdn.vn/jpg/1111/aaaa.jpg', PICTURE],
  ['https://f7-zpc.zdn.vn/jpg/2222/bbbb.jpg', PICTURE],
  ['https://f21-zpc.zdn.vn/jpg/3333/cccc.jpg', OTHER],
]);
const GONE = 'https://f21-zpc.zdn.vn/jpg/4444/dddd.jpg';

let db: Db;
let convo: Conversation;
let fetched: string[];
let config: ReturnType<typeof testConfig>;
beforeEach(() => {
  db = openDb(':memory:');
  fetched = [];
  config = testConfig();
  const pictures = createPictureKeys({
    fetch: async (channel, ref) => {
      fetched.push(`${channel} ${ref}`);
      const bytes = FILES.get(ref);
      return bytes ? { bytes, contentType: 'image/jpeg' } : null;
    },
  });
  convo = createConversation({ db, knowledge: shippedKnowledge(), config, features: [createDisinfoFeature({ pictures })], now: () => AT });
});
afterEach(() => {
  db.close();
  config.cleanup();
});

let n = 0;
const send = (userId: string, e: Record<string, unknown>) => convo.handle({ channel: 'zalo', userId, dedupeKey: `z${n++}`, ...e } as Inbound, zaloCapabilities);

/** A Zalo user reports a picture (sent with '/baocao' as its words); returns the case number. */
async function reportPicture(userId: string, url: string): Promise<string> {
  const ask = await send(userId, { type: 'unsupported', what: 'image', media: { kind: 'image', ref: url, caption: '/baocao' } });
  expect(ask[0]!.text).toContain('Tin này nói về vấn đề gì?');
  await send(userId, { type: 'action', action: 'bc:t:khac' });
  const done = await send(userId, { type: 'action', action: 'bc:p:zalo' });
  return done[0]!.text.match(/BC-\d{4}-\d{4}/)![0];
}

describe('a screenshot reported on Zalo', () => {
  it('sent by two people under two URLs is one case with two reporters', async () => {
    const first = await reportPicture('3512345678900000001', 'https://f21-zpc.zdn.vn/jpg/1111/aaaa.jpg');
    const second = await reportPicture('3512345678900000002', 'https://f7-zpc.zdn.vn/jpg/2222/bbbb.jpg');
    expect(second).toBe(first);
    const c = listCases(db).find((x) => x.number === first)!;
    expect(getCase(db, c.id)!.reporterCount).toBe(2);
    // Each report keeps its own URL: the case page shows the picture from the first.
    expect(reportsOfCase(db, c.id).map((r) => r.mediaRef)).toEqual(['https://f21-zpc.zdn.vn/jpg/1111/aaaa.jpg', 'https://f7-zpc.zdn.vn/jpg/2222/bbbb.jpg']);
    // Another picture is another case.
    expect(await reportPicture('3512345678900000003', 'https://f21-zpc.zdn.vn/jpg/3333/cccc.jpg')).not.toBe(first);
    // Each picture was fetched once, though asked for at the first step and the last.
    expect(fetched.filter((f) => f.endsWith('aaaa.jpg'))).toEqual(['zalo https://f21-zpc.zdn.vn/jpg/1111/aaaa.jpg']);
  });

  it('that cannot be fetched is grouped by its URL, as before', async () => {
    const a = await reportPicture('3512345678900000004', GONE);
    expect(await reportPicture('3512345678900000005', GONE)).toBe(a);
    expect(listCases(db)).toHaveLength(1);
  });

  it('is fetched only once it is reported: not a bare picture, not one asked about', async () => {
    const reply = await send('3512345678900000006', { type: 'unsupported', what: 'image', media: { kind: 'image', ref: 'https://f21-zpc.zdn.vn/jpg/3333/cccc.jpg' } });
    expect(reply[0]!.text).toContain('/baocao');
    // A picture with a question is offered for reporting; "Tôi muốn hỏi" answers the question instead.
    const offer = await send('3512345678900000007', { type: 'unsupported', what: 'image', media: { kind: 'image', ref: 'https://f21-zpc.zdn.vn/jpg/1111/aaaa.jpg', caption: 'Tin này có thật không?' } });
    expect(offer[0]!.text).toContain('Tôi chưa đọc được nội dung trong ảnh');
    await send('3512345678900000007', { type: 'action', action: 'bc:q' });
    expect(fetched).toEqual([]);
    // Offered and reported: fetched at the topic step, and grouped with the other copy.
    const first = await reportPicture('3512345678900000008', 'https://f7-zpc.zdn.vn/jpg/2222/bbbb.jpg');
    await send('3512345678900000009', { type: 'unsupported', what: 'image', media: { kind: 'image', ref: 'https://f21-zpc.zdn.vn/jpg/1111/aaaa.jpg', caption: 'Tin này có thật không?' } });
    await send('3512345678900000009', { type: 'action', action: 'bc:t:khac' });
    expect(fetched).toHaveLength(2);
    const done = await send('3512345678900000009', { type: 'action', action: 'bc:p:zalo' });
    expect(done[0]!.text).toContain(first);
  });
});
