import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import {
  createUser,
  getPasswordHash,
  getUserByName,
  hasRole,
  listUsers,
  regionAllowed,
  regionsAllowed,
  setPassword,
  setRoles,
  verifyPassword,
} from '../../src/db/users.js';
import { listAudit, recordAudit } from '../../src/db/audit.js';
import { run as userCli } from '../../src/cli/user.js';
import { useProductionPasswordCost, useTestPasswordCost } from '../support/password-cost.js';

// This file checks the hashing itself, at the cost production uses.
beforeAll(useProductionPasswordCost);
afterAll(useTestPasswordCost);

const paths: Record<string, string[]> = {
  'hung-yen': ['hung-yen'],
  'pho-hien': ['hung-yen', 'pho-hien'],
  'son-nam': ['hung-yen', 'son-nam'],
};
const pathOf = (s: string): string[] | undefined => paths[s];

describe('users', () => {
  it('creates users, hashes passwords with scrypt and verifies them', async () => {
    const db = openDb(':memory:');
    const u = createUser(db, { username: 'Hoa', roles: ['broadcaster'], region: 'pho-hien', password: 'mat-khau-dai-1' });
    expect(u.username).toBe('hoa');
    const hash = getPasswordHash(db, u.id)!;
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('mat-khau-dai-1', hash)).toBe(true);
    expect(await verifyPassword('sai-mat-khau', hash)).toBe(false);
    setPassword(db, u.id, 'mat-khau-moi-2');
    expect(await verifyPassword('mat-khau-moi-2', getPasswordHash(db, u.id)!)).toBe(true);
    expect(() => createUser(db, { username: 'hoa', roles: ['viewer'] })).toThrow(/đã có/);
    expect(() => createUser(db, { username: 'x y', roles: ['viewer'] })).toThrow(/username/);
  });

  it('admin implies every role; others hold only theirs', () => {
    const db = openDb(':memory:');
    const admin = createUser(db, { username: 'admin', roles: ['admin'] });
    const viewer = createUser(db, { username: 'xem', roles: ['viewer'] });
    expect(hasRole(admin, 'approver')).toBe(true);
    expect(hasRole(viewer, 'approver')).toBe(false);
    expect(hasRole(viewer, 'viewer')).toBe(true);
    setRoles(db, viewer.id, ['editor', 'approver']);
    expect(getUserByName(db, 'xem')!.roles).toEqual(['editor', 'approver']);
    expect(listUsers(db).map((u) => u.username)).toEqual(['admin', 'xem']);
  });

  it('a region scope allows the region and its descendants only', () => {
    const province = { region: null };
    const ward = { region: 'pho-hien' };
    expect(regionAllowed(province, null, pathOf)).toBe(true);
    expect(regionAllowed(ward, 'pho-hien', pathOf)).toBe(true);
    expect(regionAllowed(ward, 'son-nam', pathOf)).toBe(false);
    expect(regionAllowed(ward, 'hung-yen', pathOf)).toBe(false);
    expect(regionAllowed(ward, null, pathOf)).toBe(false);
    expect(regionsAllowed(ward, [], pathOf)).toBe(false);
    expect(regionsAllowed(ward, ['pho-hien'], pathOf)).toBe(true);
    expect(regionsAllowed(ward, ['pho-hien', 'son-nam'], pathOf)).toBe(false);
  });

  it('records and filters the audit log', () => {
    const db = openDb(':memory:');
    recordAudit(db, { actor: 'hoa', action: 'qa.approve', targetType: 'qa', targetId: 'x' }, new Date('2026-01-01T00:00:00Z'));
    recordAudit(db, { actor: 'lan', action: 'campaign.submit', targetType: 'campaign', targetId: 3 }, new Date('2026-01-02T00:00:00Z'));
    expect(listAudit(db).map((a) => a.action)).toEqual(['campaign.submit', 'qa.approve']);
    expect(listAudit(db, { action: 'qa.' }).map((a) => a.actor)).toEqual(['hoa']);
    expect(listAudit(db, { actor: 'lan' })[0]!.targetId).toBe('3');
    expect(listAudit(db, { from: '2026-01-02' }).length).toBe(1);
  });

  it('loa user add prints a generated one-time password', async () => {
    const db = openDb(':memory:');
    const lines: string[] = [];
    const code = await userCli(['add', 'hoa', '--role', 'broadcaster', '--region', 'pho-hien'], {
      db,
      contentDir: 'content',
      out: (s) => lines.push(s),
    });
    expect(code).toBe(0);
    const pw = lines.join('\n').match(/Mật khẩu dùng một lần: (\S+)/)![1]!;
    const u = getUserByName(db, 'hoa')!;
    expect(u).toMatchObject({ roles: ['broadcaster'], region: 'pho-hien', mustChangePassword: true });
    expect(await verifyPassword(pw, getPasswordHash(db, u.id)!)).toBe(true);
    expect(await userCli(['add', 'lan', '--role', 'broadcaster', '--region', 'nowhere'], { db, contentDir: 'content', out: () => {} })).toBe(2);
    expect(await userCli(['role', 'hoa', '--role', 'viewer,approver'], { db, contentDir: 'content', out: () => {} })).toBe(0);
    expect(getUserByName(db, 'hoa')!.roles).toEqual(['viewer', 'approver']);
    expect(listAudit(db, { targetId: 'hoa' }).map((a) => a.action)).toEqual(['user.role', 'user.add']);
  });
});
