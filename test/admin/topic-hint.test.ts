/**
 * A topic that is not in the list. An office replacing the sample content writes about its own
 * subjects (the trial: chế độ thai sản, under social insurance, which the sample topics lack);
 * the form offered only the sample's fourteen topics and "hãy chọn ít nhất một chủ đề", with no
 * word on where topics come from. The Q&A and article forms now say: topics.yaml on the server,
 * added by the server's administrator, reloaded by itself; meanwhile a draft with the nearest one.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('the topic list in the content forms', { timeout: 120_000 }, () => {
  it('says where topics come from, and a topic added there is offered', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    for (const kind of ['qa', 'article']) {
      const form = await hoa.get(`/admin/content/${kind}/new`);
      expect(form.text).toContain('Chưa có chủ đề phù hợp? Danh sách chủ đề là tệp <code>topics.yaml</code>');
    }
    // What the hint says the administrator does.
    const file = join(t.contentDir, 'topics.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}- slug: bao-hiem-xa-hoi\n  name: Bảo hiểm xã hội\n`);
    await t.app.knowledge.reload();
    expect((await hoa.get('/admin/content/qa/new')).text).toContain('value="bao-hiem-xa-hoi"> Bảo hiểm xã hội');
  });
});
