/**
 * `loa campaign` after the office trial (issue 16, item 7): the read-only actions run without
 * `--as` (as the README shows them), changes still need it; `create` says what it made and what
 * to run next; a cancelled campaign says who cancelled it and when, not "gửi lúc …".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as campaignCli } from '../../src/cli/campaign.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { getCampaign, listCampaigns } from '../../src/db/campaigns.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createUser } from '../../src/db/users.js';
import { topics, tree } from './helpers.js';

let db: Db;
let out: string[];
let errs: string[];
const NOW = new Date('2026-11-24T01:00:00Z'); // 08:00 in Hà Nội

beforeEach(() => {
  db = openDb(':memory:');
  createUser(db, { username: 'lan', roles: ['broadcaster'], password: 'lan-mat-khau-1' });
  out = [];
  errs = [];
});
afterEach(() => db.close());

const cli = (...args: string[]) =>
  campaignCli(args, {
    db,
    contentDir: 'content',
    regionsRoot: 'hung-yen',
    out: (s) => out.push(s),
    err: (s) => errs.push(s),
    now: () => NOW,
    interactive: false,
    osUser: 'van-hanh',
  });
const service = () => createCampaignService({ db, regions: () => ({ regions: tree, root: 'hung-yen' }), topics: () => topics, now: () => NOW });

describe('loa campaign without --as', () => {
  it('lists, shows the status and previews (read-only) without --as', async () => {
    const id = service().create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['telegram'] }).id;
    expect(await cli('list')).toBe(0);
    expect(out.join('\n')).toContain(`#${id}`);
    expect(await cli('status', String(id), '--once')).toBe(0);
    expect(out.at(-1)).toContain(`#${id} · nháp`);
    expect(await cli('preview', String(id))).toBe(0);
    expect(errs).toEqual([]);
    expect(await cli('status', '999')).toBe(1);
    expect(errs.at(-1)).toContain('không có chiến dịch #999');
  });

  it('still refuses a change without --as, in Vietnamese', async () => {
    const id = service().create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['telegram'] }).id;
    expect(await cli('submit', String(id))).toBe(2);
    expect(errs.at(-1)).toContain('thiếu --as');
    expect(getCampaign(db, id)!.status).toBe('draft');
  });

  it('with --as, a read still checks that the account may view campaigns', async () => {
    service().create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['telegram'] });
    expect(await cli('list', '--as', 'nobody')).toBe(1);
  });
});

describe('loa campaign create', () => {
  it('says what it created, its state and the next command, not a bare id', async () => {
    expect(await cli('create', '--as', 'lan', '--text', 'Tuần lễ tuyên truyền về quyền trẻ em', '--channels', 'telegram')).toBe(0);
    const id = listCampaigns(db)[0]!.id;
    const said = out.join('\n');
    expect(said).not.toBe(String(id));
    expect(said).toContain(`Đã tạo chiến dịch #${id}`);
    expect(said).toContain('nháp');
    expect(said).toContain('chưa gửi duyệt');
    expect(said).toContain(`loa campaign submit ${id} --as lan`);
  });

  it('gives scripts the id as JSON with --json', async () => {
    expect(await cli('create', '--as', 'lan', '--text', 'Tuần lễ tuyên truyền', '--channels', 'telegram', '--json')).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toEqual({ id: listCampaigns(db)[0]!.id, status: 'draft' });
  });
});

describe('a cancelled campaign', () => {
  it('says who cancelled it and when, not when it would have been sent', async () => {
    const svc = service();
    const id = svc.create('lan', { text: 'Lịch tiêm chủng tháng 12', channels: ['telegram'], sendAt: new Date('2026-12-20T01:00:00Z') }).id;
    expect(await cli('status', String(id), '--once')).toBe(0);
    expect(out.at(-1)).toContain('gửi lúc');
    svc.cancel('lan', id);
    out.length = 0;
    expect(await cli('status', String(id), '--once')).toBe(0);
    expect(out.join('\n')).not.toContain('gửi lúc');
    expect(out.join('\n')).toContain('Đã huỷ bởi lan lúc 24/11/2026 08:00');
    out.length = 0;
    expect(await cli('preview', String(id))).toBe(0);
    expect(out.join('\n')).not.toContain('Giờ gửi');
    expect(out.join('\n')).toContain('Đã huỷ bởi lan');
  });
});
