/**
 * Webhook pieces: the signature over raw bytes (both readings of the first term), and the
 * mapping of each event type to an Inbound, as a table.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { verifyZaloSignature } from '../../src/channels/zalo/signature.js';
import { appIdIsOurs, isStaleEvent, toInbound, zaloEventSchema } from '../../src/channels/zalo/webhook.js';
import { SUBMIT_INFO_ACTION } from '../../src/channels/zalo/feature.js';

const APP = '1234567890123456789';
const OA = '579745863508352884';
const KEY = 'oa-secret-key';
const USER = '8713451786543210987';
const mac = (first: string, raw: string, ts: string): string =>
  `mac=${createHash('sha256').update(first + raw + ts + KEY).digest('hex')}`;

describe('verifyZaloSignature', () => {
  // Keys in an unusual order and an escaped character: a re-serialised body would not match.
  const raw = `{"timestamp":"1763880000000","event_name":"user_send_text","app_id":"${APP}","sender":{"id":"${USER}"},"message":{"text":"Xin ch\\u00e0o","msg_id":"m1"}}`;
  const body = Buffer.from(raw);
  const ts = '1763880000000';
  const cases: { label: string; header: string | undefined; terms: (string | undefined)[]; ok: boolean; body?: Buffer }[] = [
    { label: 'app id, mac= prefix', header: mac(APP, raw, ts), terms: [APP], ok: true },
    { label: 'OA id in place of the app id', header: mac(OA, raw, ts), terms: [APP, OA], ok: true },
    { label: 'OA id when only the app id is accepted', header: mac(OA, raw, ts), terms: [APP], ok: false },
    { label: 'bare hex, upper case', header: mac(APP, raw, ts).slice(4).toUpperCase(), terms: [APP], ok: true },
    { label: 'missing header', header: undefined, terms: [APP], ok: false },
    { label: 'garbage', header: 'mac=nothex', terms: [APP], ok: false },
    { label: 'other timestamp', header: mac(APP, raw, '1763880000001'), terms: [APP], ok: false },
    { label: 'tampered body', header: mac(APP, raw, ts), terms: [APP], ok: false, body: Buffer.from(raw.replace('Xin', 'Xim')) },
    { label: 're-serialised body', header: mac(APP, JSON.stringify(JSON.parse(raw)), ts), terms: [APP], ok: false },
  ];
  for (const c of cases)
    it(c.label, () => {
      expect(verifyZaloSignature(c.header, c.body ?? body, ts, c.terms, KEY)).toBe(c.ok);
    });
});

describe('Zalo events -> Inbound', () => {
  const base = { app_id: APP, timestamp: '1763880000000', sender: { id: USER }, recipient: { id: OA } };
  const at = new Date(1763880000000);
  const cases: { label: string; event: Record<string, unknown>; expected: unknown }[] = [
    {
      label: 'user_send_text',
      event: { ...base, event_name: 'user_send_text', message: { text: 'Thủ tục khai sinh?', msg_id: 'abc' } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:abc', at, type: 'text', text: 'Thủ tục khai sinh?' },
    },
    {
      label: 'user_send_text carrying a button payload',
      event: { ...base, event_name: 'user_send_text', message: { text: '#loa:topic:ho-tich', msg_id: 'abd' } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:abd', at, type: 'action', action: 'topic:ho-tich' },
    },
    ...['image', 'sticker', 'gif', 'link', 'audio', 'video', 'file', 'location', 'business_card'].map((kind) => ({
      label: `user_send_${kind}`,
      event: { ...base, event_name: `user_send_${kind}`, message: { msg_id: `m-${kind}` } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: `zalo:m-${kind}`, at, type: 'unsupported', what: kind },
    })),
    {
      label: "user_send_image whose attachment type is 'photo' keeps the picture's URL",
      event: { ...base, event_name: 'user_send_image', message: { msg_id: 'ph1', attachments: [{ type: 'photo', payload: { url: 'https://dlfl.zdn.vn/a.jpg', thumbnail: 'https://dlfl.zdn.vn/t.jpg' } }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:ph1', at, type: 'unsupported', what: 'image', media: { kind: 'image', ref: 'https://dlfl.zdn.vn/a.jpg' } },
    },
    {
      // A URL a citizen pastes arrives as user_send_link: it is what /baocao asks for.
      label: 'user_send_link with the URL in its text',
      event: {
        ...base,
        event_name: 'user_send_link',
        message: { msg_id: 'lk1', text: 'tin này có đúng không https://facebook.com/posts/123', attachments: [{ type: 'link', payload: { url: 'https://facebook.com/posts/123', description: 'Tin nóng', thumbnail: 'https://t' } }] },
      },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:lk1', at, type: 'text', text: 'tin này có đúng không https://facebook.com/posts/123' },
    },
    {
      label: 'user_send_link with the URL only in its attachment',
      event: { ...base, event_name: 'user_send_link', message: { msg_id: 'lk2', attachments: [{ type: 'link', payload: { url: 'https://facebook.com/posts/123' } }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:lk2', at, type: 'text', text: 'https://facebook.com/posts/123' },
    },
    {
      label: 'user_send_link whose text leaves the URL out',
      event: { ...base, event_name: 'user_send_link', message: { msg_id: 'lk3', text: 'xem giúp', attachments: [{ type: 'link', payload: { url: 'https://baomoi.com/a.epi' } }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:lk3', at, type: 'text', text: 'xem giúp\nhttps://baomoi.com/a.epi' },
    },
    // Words sent with an attachment (issue: they got "text only" and were lost).
    ...(
      [
        ['video', { type: 'video', payload: { url: 'https://v.zdn.vn/a.mp4', thumbnail: 'https://v.zdn.vn/t.jpg', description: '' } }, 'KHẨN: căn cước gắn chip sẽ bị khoá, chia sẻ ngay!'],
        ['gif', { type: 'gif', payload: { url: 'https://g.zdn.vn/a.gif', thumbnail: 'https://g.zdn.vn/t.gif' } }, 'tin này có thật không?'],
        ['file', { type: 'file', payload: { url: 'https://f.zdn.vn/a.pdf', name: 'to-khai.pdf', size: 12345, type: 'pdf', checksum: 'x' } }, 'Tờ khai này nộp ở đâu?'],
        ['audio', { type: 'audio', payload: { url: 'https://a.zdn.vn/a.aac' } }, 'Nghe giúp tôi đoạn này'],
      ] as const
    ).map(([kind, attachment, text]) => ({
      label: `user_send_${kind} with words -> the words, as typed`,
      event: { ...base, event_name: `user_send_${kind}`, message: { msg_id: `w-${kind}`, text: `  ${text} `, attachments: [attachment] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: `zalo:w-${kind}`, at, type: 'text', text },
    })),
    {
      label: "user_send_file whose text is only the file's name -> no words",
      event: { ...base, event_name: 'user_send_file', message: { msg_id: 'fn1', text: 'to-khai.pdf', attachments: [{ type: 'file', payload: { url: 'https://f.zdn.vn/a.pdf', name: 'to-khai.pdf' } }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:fn1', at, type: 'unsupported', what: 'file' },
    },
    {
      label: 'user_send_video whose payload has nulls and numbers still reads its words',
      event: { ...base, event_name: 'user_send_video', message: { msg_id: 'vn1', text: 'Cho hỏi', attachments: [{ type: 'video', payload: { url: null, thumbnail: null, size: 3 } }, { type: null, payload: 'x' }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:vn1', at, type: 'text', text: 'Cho hỏi' },
    },
    {
      label: 'user_send_image with words keeps the picture and its caption',
      event: { ...base, event_name: 'user_send_image', message: { msg_id: 'ic1', text: 'Thủ tục khai sinh cần gì?', attachments: [{ type: 'image', payload: { url: 'https://dlfl.zdn.vn/a.jpg', thumbnail: 'https://dlfl.zdn.vn/t.jpg' } }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:ic1', at, type: 'unsupported', what: 'image', media: { kind: 'image', ref: 'https://dlfl.zdn.vn/a.jpg', caption: 'Thủ tục khai sinh cần gì?' } },
    },
    {
      label: 'user_send_image with words and no usable URL -> the words',
      event: { ...base, event_name: 'user_send_image', message: { msg_id: 'ic2', text: 'Thủ tục khai sinh cần gì?', attachments: [{ type: 'image', payload: { url: `https://x/${'a'.repeat(3000)}` } }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:ic2', at, type: 'text', text: 'Thủ tục khai sinh cần gì?' },
    },
    {
      // The text of a business card is the card's name, of a location Zalo's address: not the person's words.
      label: "user_send_business_card: the card's name is not a message",
      event: { ...base, event_name: 'user_send_business_card', message: { msg_id: 'bc1', text: 'Nguyễn Văn A', attachments: [{ type: 'link', payload: { url: 'https://zalo.me/1', description: '{"phone":"0912345678"}' } }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:bc1', at, type: 'unsupported', what: 'business_card' },
    },
    {
      label: "user_send_location: Zalo's address is not a message",
      event: { ...base, event_name: 'user_send_location', message: { msg_id: 'lo1', text: 'Phố Hiến, Hưng Yên', attachments: [{ type: 'location', payload: { coordinates: { latitude: '20.65', longitude: '106.05' } } }] } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: 'zalo:lo1', at, type: 'unsupported', what: 'location' },
    },
    {
      label: 'follow (follower.id, no msg_id)',
      event: { app_id: APP, oa_id: OA, event_name: 'follow', timestamp: '1763880000000', follower: { id: USER } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: `zalo:follow:${USER}:1763880000000`, at, type: 'follow' },
    },
    {
      label: 'unfollow',
      event: { app_id: APP, oa_id: OA, event_name: 'unfollow', timestamp: '1763880000000', follower: { id: USER } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: `zalo:unfollow:${USER}:1763880000000`, at, type: 'unfollow' },
    },
    {
      label: 'user_submit_info',
      event: { ...base, event_name: 'user_submit_info', info: { name: 'Lan', phone: '0912345678' } },
      expected: { channel: 'zalo', userId: USER, dedupeKey: `zalo:user_submit_info:${USER}:1763880000000`, at, type: 'action', action: SUBMIT_INFO_ACTION },
    },
    { label: 'oa_send_text echo', event: { ...base, event_name: 'oa_send_text', sender: { id: OA } }, expected: { ignored: expect.stringContaining('echo') } },
    { label: 'user_seen_message', event: { ...base, event_name: 'user_seen_message' }, expected: { ignored: 'delivery receipt' } },
    { label: 'user_received_message', event: { ...base, event_name: 'user_received_message' }, expected: { ignored: 'delivery receipt' } },
    ...['text', 'image', 'link', 'sticker'].map((kind) => ({
      label: `user_send_group_${kind} (a Zalo group the OA is in) -> ignored, not a private reply`,
      event: { ...base, event_name: `user_send_group_${kind}`, recipient: { id: '7020000000000000001' }, message: { msg_id: `g-${kind}`, text: 'chào cả nhóm' } },
      expected: { ignored: expect.stringContaining('Zalo group') },
    })),
    { label: 'user_click_chatnow (the chat opened)', event: { ...base, event_name: 'user_click_chatnow' }, expected: { ignored: 'not a message' } },
    { label: 'user_reacted_message (a ❤️ on a reply)', event: { ...base, event_name: 'user_reacted_message', message: { msg_id: 'r1', react_icon: '/-heart' } }, expected: { ignored: 'not a message' } },
    { label: 'unknown event', event: { ...base, event_name: 'shop_has_order' }, expected: { ignored: 'unknown event shop_has_order' } },
    {
      label: 'anonymous_send_text (a non-follower writing) -> ignored, saying why and what to do',
      event: { ...base, event_name: 'anonymous_send_text', sender: { id: 'anon-1' }, message: { text: 'cho hỏi', msg_id: 'an1' } },
      expected: { ignored: expect.stringMatching(/does not follow the OA.*auto-reply/) },
    },
  ];
  for (const c of cases)
    it(c.label, () => {
      expect(toInbound(zaloEventSchema.parse(c.event))).toEqual(c.expected);
    });

  it('keeps ids as strings, refusing numbers that already lost precision', () => {
    const parsed = zaloEventSchema.parse(JSON.parse(`{"event_name":"user_send_text","timestamp":"1","sender":{"id":"${USER}"}}`));
    expect(parsed.sender!.id).toBe(USER);
    expect(zaloEventSchema.safeParse(JSON.parse(`{"event_name":"user_send_text","sender":{"id":${USER}}}`)).success).toBe(false);
  });
});

describe('appIdIsOurs', () => {
  const cases: { label: string; named: string | undefined; deps: { appId: string; oaId?: string }; ok: boolean }[] = [
    { label: 'our app id', named: APP, deps: { appId: APP }, ok: true },
    { label: 'another app id', named: '9999999999999999999', deps: { appId: APP, oaId: OA }, ok: false },
    { label: 'none named', named: undefined, deps: { appId: APP, oaId: OA }, ok: false },
    { label: 'our OA id (disputed reading), configured', named: OA, deps: { appId: APP, oaId: OA }, ok: true },
    { label: 'an OA id when none is configured', named: OA, deps: { appId: APP }, ok: false },
    { label: 'empty app id configured never matches an empty name', named: '', deps: { appId: '' }, ok: false },
  ];
  for (const c of cases)
    it(c.label, () => {
      expect(appIdIsOurs(c.named, c.deps)).toBe(c.ok);
    });
});

describe('isStaleEvent (replayed deliveries)', () => {
  const H = 3_600_000;
  const now = Date.parse('2026-12-07T10:00:00Z');
  const cases: { label: string; timestamp: string; maxAgeMs: number; stale: boolean }[] = [
    { label: 'a second old', timestamp: String(now - 1000), maxAgeMs: 48 * H, stale: false },
    { label: 'just inside the limit', timestamp: String(now - 48 * H), maxAgeMs: 48 * H, stale: false },
    { label: 'just past the limit', timestamp: String(now - 48 * H - 1), maxAgeMs: 48 * H, stale: true },
    { label: 'the 2025 fixtures, a year later', timestamp: '1763880000000', maxAgeMs: 48 * H, stale: true },
    { label: 'dated ahead (clock skew), not a replay', timestamp: String(now + 10 * 60_000), maxAgeMs: 48 * H, stale: false },
    { label: 'no timestamp', timestamp: '', maxAgeMs: 48 * H, stale: true },
    { label: 'not a number', timestamp: '2026-12-07', maxAgeMs: 48 * H, stale: true },
    { label: 'limit off (0): the 2025 fixtures', timestamp: '1763880000000', maxAgeMs: 0, stale: false },
    { label: 'limit off (0): no timestamp', timestamp: '', maxAgeMs: 0, stale: false },
  ];
  for (const c of cases)
    it(c.label, () => {
      expect(isStaleEvent(c.timestamp, now, c.maxAgeMs)).toBe(c.stale);
    });
});
