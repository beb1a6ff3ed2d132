/**
 * Personal data end to end over Telegram (issue 15 item 6): the real server, inbox and sender
 * against the fake Bot API. /dulieucuatoi answers in the private chat; after /xoadulieu and its
 * confirmation no column of any table holds the user's Telegram id, and the audit log has the
 * request, the export and the erasure under the internal number only.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import type { App } from '../../src/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { listAudit } from '../../src/db/audit.js';

const USER = 555000123;
const NAME = 'Phạm Thị Hồng';

let tg: FakeTelegram;
let app: App;
let close: () => Promise<void>;

beforeAll(async () => {
  tg = await startFakeTelegram();
  const started = await startTestApp({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling' });
  ({ app } = started);
  close = started.close;
});
afterAll(async () => {
  await close();
  await tg.close();
});

const toUser = (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(USER) && c.status === 200;
const lastText = () => String(tg.callsTo('sendMessage').filter(toUser).at(-1)?.params.text ?? '');

/** Every table.column#rowid whose value contains `needle`. */
function occurrences(needle: string): string[] {
  const tables = app.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
  const hits: string[] = [];
  for (const t of tables)
    for (const c of app.db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[])
      for (const r of app.db.prepare(`SELECT rowid AS r FROM "${t}" WHERE instr(CAST("${c}" AS TEXT), ?) > 0`).all(needle) as { r: number }[])
        hits.push(`${t}.${c}#${r.r}`);
  return hits;
}

describe('personal data over Telegram', () => {
  it('/dulieucuatoi, then /xoadulieu: the Telegram id is gone from every table', async () => {
    await tg.pushUpdate(tg.message({ userId: USER, text: 'Thủ tục đổi bằng lái xe ô tô hết hạn làm ở đâu?', firstName: NAME }));
    await tg.pushUpdate(tg.message({ userId: USER, text: '/dulieucuatoi', firstName: NAME }));
    await vi.waitFor(() => expect(lastText()).toContain('Dữ liệu cá nhân chúng tôi đang lưu về bạn'), { timeout: 10_000 });
    const data = tg.callsTo('sendMessage').filter(toUser).map((c) => String(c.params.text)).join('\n');
    expect(data).toContain('Kênh: Telegram');
    expect(data).toContain(NAME);
    expect(data).toContain('Thủ tục đổi bằng lái xe ô tô hết hạn làm ở đâu?');
    expect(occurrences(String(USER)).length).toBeGreaterThan(0);

    await tg.pushUpdate(tg.message({ userId: USER, text: '/xoadulieu', firstName: NAME }));
    await vi.waitFor(() => expect(lastText()).toContain('xoá dữ liệu cá nhân'), { timeout: 10_000 });
    const confirm = tg.callsTo('sendMessage').filter(toUser).at(-1)!;
    const yes = (confirm.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat()[0]!;
    await tg.pushUpdate(tg.callbackQuery({ userId: USER, data: yes.callback_data }));
    await vi.waitFor(() => expect(lastText()).toContain('đã được xoá'), { timeout: 10_000 });
    await app.inbox.drain();

    expect(getPersonByExternal(app.db, 'telegram', String(USER))).toBeUndefined();
    // The reply to the confirmation was sent to the id after the erasure: it must not keep it.
    await vi.waitFor(() => expect(occurrences(String(USER))).toEqual([]), { timeout: 10_000 });
    expect(occurrences(NAME)).toEqual([]);

    const audit = listAudit(app.db, { action: 'privacy.' });
    expect(audit.map((e) => e.action).sort()).toEqual(['privacy.erase', 'privacy.erase_request', 'privacy.export']);
    for (const e of audit) {
      expect(e.actor).toMatch(/^person:\d+$/);
      expect(JSON.stringify(e)).not.toContain(String(USER));
    }
  });
});
