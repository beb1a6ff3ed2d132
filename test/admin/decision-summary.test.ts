/** The dashboard's "Câu trả lời tự động": the answer decision fitted to the content, in words staff read. */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('the dashboard\'s "Câu trả lời tự động"', () => {
  it('tells staff the threshold fitted to their content, and warns when the content is too thin to fit one', async () => {
    const { cpSync, mkdirSync, rmSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const t = await startAdminApp();
    cleanup.push(t.close);
    addUser(t.app, 'xem', ['viewer']);
    const c = new AdminClient(t.url);
    await c.login('xem', 'xem-mat-khau-1');
    const page = (await c.get('/admin')).text;
    expect(page).toMatch(/Bot chỉ trả lời khi đủ tin cậy: ngưỡng tin cậy 0,\d\d \(câu hỏi dài: 0,\d\d\), hiệu chỉnh theo chính nội dung/);
    expect(page).not.toContain('Nội dung quá ít');

    // An office that replaced the sample content with three entries.
    const thin = mkdtempSync(join(tmpdir(), 'loa-thin-content-'));
    cleanup.push(() => rmSync(thin, { recursive: true, force: true }));
    for (const f of ['topics.yaml', 'regions.yaml']) cpSync(join('content', f), join(thin, f));
    mkdirSync(join(thin, 'qa', 'bao-hiem-y-te'), { recursive: true });
    for (const f of ['bhyt-ho-ngheo.md', 'bhyt-hoc-sinh-sinh-vien.md', 'bhyt-nguoi-cao-tuoi.md']) cpSync(join('content/qa/bao-hiem-y-te', f), join(thin, 'qa/bao-hiem-y-te', f));
    const small = await startAdminApp({ env: { LOA_CONTENT_DIR: thin } });
    cleanup.push(small.close);
    addUser(small.app, 'xem', ['viewer']);
    const s = new AdminClient(small.url);
    await s.login('xem', 'xem-mat-khau-1');
    const thinPage = (await s.get('/admin')).text;
    expect(thinPage).toContain('Bot đang dùng ngưỡng tin cậy 0,38 mặc định');
    expect(thinPage).toMatch(/<p class="error" role="alert">Nội dung quá ít để hiệu chỉnh \(\d+ câu hỏi luyện tập, cần ít nhất 40\)/);
  });
});
