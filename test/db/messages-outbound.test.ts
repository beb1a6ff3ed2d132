/** The record of an outbound reply (db/messages.ts recordOutbound): its text stored once. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { recordOutbound } from '../../src/db/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-outbound-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recordOutbound', () => {
  const db = openDb(join(dir, 'loa.sqlite'));
  const row = () => db.prepare("SELECT text, payload FROM messages WHERE direction = 'out' ORDER BY id DESC LIMIT 1").get() as { text: string; payload: string };

  it('keeps the text of a reply in its column and the rest of the reply in the payload', () => {
    const reply = { title: 'Đăng ký khai sinh', text: 'Đăng ký khai sinh\n\nBạn cần mang giấy chứng sinh.', buttons: [{ label: '👍 Hữu ích', action: 'fb:up:abc' }] };
    recordOutbound(db, 'web', null, 'reply', reply.text, reply);
    const r = row();
    expect(r.text).toBe(reply.text);
    expect(JSON.parse(r.payload)).toEqual({ title: reply.title, buttons: reply.buttons });
    // The reply given to the caller is left as it was.
    expect(reply.text).toBe('Đăng ký khai sinh\n\nBạn cần mang giấy chứng sinh.');
  });

  it('keeps a payload whose text differs from the one recorded, and payloads without text', () => {
    recordOutbound(db, 'web', null, 'notice', 'short', { text: 'the long version', id: 7 });
    expect(JSON.parse(row().payload)).toEqual({ text: 'the long version', id: 7 });
    recordOutbound(db, 'web', null, 'notice', 'x', null);
    expect(row().payload).toBe('null');
  });
});
