/**
 * `loa campaign approve --as X` (issue 15, item 7): the audit names the OS user beside X; at a
 * terminal the CLI asks for X's password and refuses a wrong one; a script still works, audited
 * as unchecked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as campaignCli, type CampaignCliDeps } from '../../src/cli/campaign.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { getCampaign } from '../../src/db/campaigns.js';
import { listAudit } from '../../src/db/audit.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createUser } from '../../src/db/users.js';
import { topics, tree } from './helpers.js';

let db: Db;
let id: number;
let out: string[];
let errs: string[];

beforeEach(() => {
  db = openDb(':memory:');
  createUser(db, { username: 'lan', roles: ['broadcaster'], password: 'lan-mat-khau-1' });
  createUser(db, { username: 'minh', roles: ['approver'], password: 'minh-mat-khau-1' });
  const svc = createCampaignService({ db, regions: () => ({ regions: tree, root: 'hung-yen' }), topics: () => topics });
  id = svc.create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['telegram'] }).id;
  svc.submit('lan', id);
  out = [];
  errs = [];
});
afterEach(() => db.close());

const approve = (deps: Partial<CampaignCliDeps>) =>
  campaignCli(['approve', String(id), '--as', 'minh'], {
    db,
    contentDir: 'content',
    regionsRoot: 'hung-yen',
    out: (s) => out.push(s),
    err: (s) => errs.push(s),
    osUser: 'van-hanh',
    ...deps,
  });
const approvals = () => listAudit(db, { action: 'campaign.approve' });

describe('loa campaign approve --as X', () => {
  it('at a terminal, refuses a wrong password for X and approves nothing', async () => {
    const asked: string[] = [];
    const code = await approve({ interactive: true, askPassword: async (p) => (asked.push(p), 'doan-bua-mat-khau') });
    expect(code).toBe(1);
    expect(asked).toEqual(["Mật khẩu của tài khoản 'minh': "]);
    expect(errs.join('\n')).toContain("mật khẩu của 'minh' không đúng; không thực hiện thao tác");
    expect(getCampaign(db, id)!.status).toBe('submitted');
    expect(approvals()).toHaveLength(0);
    expect(listAudit(db, { action: 'cli.password_wrong' })[0]).toMatchObject({ actor: 'cli:minh', details: { osUser: 'van-hanh' } });
  });

  it('at a terminal, approves with X’s password; the audit names the OS user beside X', async () => {
    expect(await approve({ interactive: true, askPassword: async () => 'minh-mat-khau-1' })).toBe(0);
    expect(getCampaign(db, id)!.status).toBe('approved');
    expect(approvals()[0]).toMatchObject({
      actor: 'minh',
      details: { via: 'cli', osUser: 'van-hanh', interactive: true, passwordChecked: true },
    });
  });

  it('giving up at the prompt approves nothing', async () => {
    expect(await approve({ interactive: true, askPassword: async () => null })).toBe(1);
    expect(getCampaign(db, id)!.status).toBe('submitted');
  });

  it('from a script, approves without asking, audited as unchecked with the OS user, and says so', async () => {
    expect(await approve({ interactive: false, askPassword: async () => { throw new Error('must not ask'); } })).toBe(0);
    expect(getCampaign(db, id)!.status).toBe('approved');
    expect(approvals()[0]).toMatchObject({
      actor: 'minh',
      details: { via: 'cli', osUser: 'van-hanh', interactive: false, passwordChecked: false },
    });
    expect(errs.join('\n')).toContain("không hỏi mật khẩu của 'minh'");
  });

  it('the OS user defaults to the process’s own', async () => {
    expect(await approve({ interactive: false, osUser: undefined })).toBe(0);
    const { userInfo } = await import('node:os');
    expect(approvals()[0]!.details).toMatchObject({ osUser: userInfo().username });
  });
});
