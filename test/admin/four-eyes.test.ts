/**
 * Issue 15, item 5: content four eyes over everyone who changed an entry since its last
 * approval, not only the last editor. A writes, B saves it again unchanged, A tries to approve.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { listAudit } from '../../src/db/audit.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const DRAFT = { id: 'bon-mat', question: 'Ai được phê duyệt câu trả lời này?', answer: 'Người chưa sửa nó.', topics: 'ho-tich', sources: 'Quy chế' };

async function as(url: string, name: string): Promise<AdminClient> {
  const c = new AdminClient(url);
  expect((await c.login(name, `${name}-mat-khau-1`)).status).toBe(303);
  return c;
}

describe('content four eyes', { timeout: 120_000 }, () => {
  it('refuses a draft to anyone who changed it since the last approval, not only its last editor', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'an', ['editor', 'approver']);
    addUser(t.app, 'binh', ['editor']);
    addUser(t.app, 'chi', ['approver']);
    const an = await as(t.url, 'an');
    const binh = await as(t.url, 'binh');
    const chi = await as(t.url, 'chi');

    expect((await an.post('/admin/content/qa/new', DRAFT)).status).toBe(303);
    // Binh saves it again without changing a word: Binh is now the last editor.
    expect((await binh.post(`/admin/content/qa/${DRAFT.id}`, DRAFT)).status).toBe(303);

    const refused = await an.post(`/admin/content/qa/${DRAFT.id}/approve`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('không tự phê duyệt');
    expect(refused.text).toContain('an, binh');
    expect(refused.text).toContain('Hãy nhờ một người có quyền phê duyệt khác, chưa sửa mục này');
    expect(t.app.knowledge.getQa(DRAFT.id)?.status).toBe('draft');
    // The entry page says so instead of offering a button that would be refused.
    const page = await an.get(`/admin/content/qa/${DRAFT.id}`);
    expect(page.text).not.toContain(`action="/admin/content/qa/${DRAFT.id}/approve"`);
    // Plain about who may not approve (it read "… an, binh (không ai trong số này được phê
    // duyệt)", which also reads "none of these was approved", and on a new draft "since the last
    // approval" when there was none).
    expect(page.text).toContain('Người đã soạn hoặc sửa bản này: an, binh. Những người này không tự phê duyệt được; cần một người có quyền phê duyệt khác.');

    // Someone who changed nothing approves, as before.
    expect((await chi.get(`/admin/content/qa/${DRAFT.id}`)).text).toContain(`action="/admin/content/qa/${DRAFT.id}/approve"`);
    expect((await chi.post(`/admin/content/qa/${DRAFT.id}/approve`)).status).toBe(303);
    expect(t.app.knowledge.getQa(DRAFT.id)?.status).toBe('approved');
    expect(listAudit(t.app.db, { action: 'content.approve', targetId: DRAFT.id }).map((e) => e.actor)).toEqual(['chi']);
  });

  it('counts from the last approval: changes before it do not bar an approver afterwards', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'an', ['editor', 'approver']);
    addUser(t.app, 'binh', ['editor']);
    addUser(t.app, 'chi', ['approver']);
    const an = await as(t.url, 'an');
    const binh = await as(t.url, 'binh');
    const chi = await as(t.url, 'chi');

    await an.post('/admin/content/qa/new', DRAFT);
    expect((await chi.post(`/admin/content/qa/${DRAFT.id}/approve`)).status).toBe(303);
    // Retired, then edited again by Binh: a draft once more, changed only by Binh since Chi approved.
    expect((await chi.post(`/admin/content/qa/${DRAFT.id}/retire`)).status).toBe(303);
    expect((await binh.post(`/admin/content/qa/${DRAFT.id}`, { ...DRAFT, answer: 'Người chưa sửa nó, kể từ lần duyệt trước.' })).status).toBe(303);
    expect(t.app.knowledge.getQa(DRAFT.id)?.status).toBe('draft');
    expect((await an.post(`/admin/content/qa/${DRAFT.id}/approve`)).status).toBe(303);
    expect(t.app.knowledge.getQa(DRAFT.id)?.status).toBe('approved');
  });

  it('refuses a pending change of an approved entry to everyone who saved it, whoever saved last', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'an', ['editor', 'approver']);
    addUser(t.app, 'binh', ['editor']);
    addUser(t.app, 'chi', ['approver']);
    const an = await as(t.url, 'an');
    const binh = await as(t.url, 'binh');
    const chi = await as(t.url, 'chi');
    await binh.post('/admin/content/qa/new', DRAFT);
    expect((await an.post(`/admin/content/qa/${DRAFT.id}/approve`)).status).toBe(303);

    const changed = { ...DRAFT, answer: 'Người chưa sửa thay đổi này.' };
    await an.post(`/admin/content/qa/${DRAFT.id}`, changed);
    await binh.post(`/admin/content/qa/${DRAFT.id}`, changed);
    const refused = await an.post(`/admin/content/qa/${DRAFT.id}/approve`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('an, binh');
    expect((await chi.post(`/admin/content/qa/${DRAFT.id}/approve`)).status).toBe(303);
  });
});
