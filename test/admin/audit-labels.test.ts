/**
 * The audit log speaks Vietnamese (issue 16, item 5): action ids, target types and detail
 * fields are shown with their Vietnamese names; the ids stay visible for the filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTION_LABEL, auditActionLabel, auditDetailLines, auditTargetLabel } from '../../src/admin/audit-labels.js';
import { recordAudit } from '../../src/db/audit.js';
import { AdminClient, addUser, startAdminApp } from './support.js';

describe('audit labels', () => {
  it.each([
    ['campaign.approve', 'Phê duyệt chiến dịch'],
    ['content.save', 'Lưu bản nháp'],
    ['login.invalid', 'Đăng nhập sai mật khẩu hoặc tên'],
    ['user.disable', 'Khoá tài khoản'],
    // An action without its own label is still named by its area, never blank.
    ['campaign.frobnicate', 'Chiến dịch (campaign.frobnicate)'],
  ])('%s is “%s”', (id, label) => {
    expect(auditActionLabel(id)).toBe(label);
  });

  it('labels every action the code records', async () => {
    // The literal ids recorded in src/, and the campaign transitions recorded as `campaign.${action}`.
    const { execSync } = await import('node:child_process');
    const literal = execSync(`grep -rhoE "action: '[a-z_]+\\.[a-z_.-]+'" src`, { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice("action: '".length, -1));
    const transitions = ['submit', 'approve', 'reject', 'schedule', 'pause', 'resume', 'cancel'].map((a) => `campaign.${a}`);
    const missing = [...new Set([...literal, ...transitions, 'logout'])].filter((id) => !AUDIT_ACTION_LABEL[id]);
    expect(missing).toEqual([]);
  });

  it('turns details into Vietnamese lines, the entry’s own sentence first', () => {
    expect(auditDetailLines({ from: 'submitted', to: 'approved', channels: ['telegram', 'zalo'] })).toEqual([
      'Từ: chờ phê duyệt',
      'Sang: đã duyệt',
      'Kênh: telegram, zalo',
    ]);
    expect(auditDetailLines({ file: 'qa/a.yaml', created: true, text: 'Tạo bản nháp “a”' })).toEqual(['Tạo bản nháp “a”', 'Tệp: qa/a.yaml', 'Tạo mới: có']);
    expect(auditDetailLines(null)).toEqual([]);
    // Roles by their Vietnamese names; an entry left out of a bulk approval with its reason, not JSON.
    expect(auditDetailLines({ roles: ['editor', 'approver'], reset: true })).toEqual(['Vai trò: Biên tập, Phê duyệt', 'Đặt lại mật khẩu: có']);
    expect(auditDetailLines({ approved: ['qa:a'], skipped: [{ id: 'b', why: 'bạn đã soạn hoặc sửa mục này' }] })).toEqual([
      'Đã phê duyệt: qa:a',
      'Bỏ qua: “b” (bạn đã soạn hoặc sửa mục này)',
    ]);
    expect(auditTargetLabel('qa')).toBe('Hỏi đáp');
  });
});

describe('the audit page', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let staff: AdminClient;
  beforeAll(async () => {
    t = await startAdminApp();
    const pw = addUser(t.app, 'quan-tri', ['admin']);
    staff = new AdminClient(t.url);
    expect((await staff.login('quan-tri', pw)).status).toBe(303);
    recordAudit(t.app.db, { actor: 'truong-phong', action: 'campaign.approve', targetType: 'campaign', targetId: '7', details: { from: 'submitted', to: 'approved' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows actions, targets and details in Vietnamese, with the id for the filter', async () => {
    const page = await staff.get('/admin/audit');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Phê duyệt chiến dịch');
    expect(page.text).toContain('<code>campaign.approve</code>');
    expect(page.text).toContain('Chiến dịch 7');
    expect(page.text).toContain('Từ: chờ phê duyệt');
    expect(page.text).toContain('Đăng nhập');
    expect(page.text).not.toContain('{&quot;from&quot;');
  });
});
