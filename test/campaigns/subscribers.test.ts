import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { getPersonByExternal, markPersonGone, topicsOf, unsubscribe, upsertPerson } from '../../src/db/people.js';
import { recordInbound } from '../../src/db/messages.js';
import { countAudience, selectAudience } from '../../src/db/subscribers.js';
import { run } from '../../src/cli/subscribers.js';
import { parseCsv } from '../../src/text/csv.js';
import { startFakeZalo } from '../support/fake-zalo.js';
import { testConfig } from '../support/app.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const everyone = { channels: ['telegram', 'zalo'] as ('telegram' | 'zalo')[], topics: [], regions: null, includeNoRegion: true };

describe('loa subscribers import', () => {
  it('parses quoted CSV with commas, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
    ]);
  });

  it('imports consent, topics and region, and never resubscribes someone who opted out later', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    const later = upsertPerson(db, 'telegram', '222');
    unsubscribe(db, later.id, new Date('2026-06-01T00:00:00Z'));
    const file = join(config.dataDir, 'old.csv');
    writeFileSync(
      file,
      [
        'channel,external_id,display_name,topics,region,consented_at',
        'telegram,111,"Nguyễn Văn A",quyen-tre-em;bao-hiem-y-te,pho-hien,2026-01-05',
        'telegram,222,Trần B,quyen-tre-em,,2026-01-05',
        'zalo,8713451786543210987,Lê C,,hung-yen,2026-03-01T08:00:00+07:00',
      ].join('\n'),
    );
    const out: string[] = [];
    expect(await run(['import', file], { db, config, out: (s) => out.push(s) })).toBe(0);
    const a = getPersonByExternal(db, 'telegram', '111')!;
    expect(a).toMatchObject({ displayName: 'Nguyễn Văn A', region: 'pho-hien', consentAt: '2026-01-04T17:00:00.000Z' }); // midnight in Vietnam
    expect(topicsOf(db, a.id)).toEqual(['bao-hiem-y-te', 'quyen-tre-em']);
    expect(getPersonByExternal(db, 'telegram', '222')).toMatchObject({ consentAt: null });
    expect(getPersonByExternal(db, 'zalo', '8713451786543210987')?.externalId).toBe('8713451786543210987');
    expect(selectAudience(db, everyone).map((m) => m.recipient)).toEqual(['111', '8713451786543210987']);
    expect(out.join('\n')).toContain('1 người đã huỷ đăng ký');
  });

  it('writes nothing and lists every problem by line when the file is wrong', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    const file = join(config.dataDir, 'bad.csv');
    writeFileSync(
      file,
      'channel,external_id,display_name,topics,region,consented_at\nviber,1,A,,,2026-01-01\ntelegram,2,B,khong-co,,2026-01-01\ntelegram,3,C,,,hôm qua\ntelegram,4,D,,,2026-01-01\n',
    );
    const err: string[] = [];
    expect(await run(['import', file], { db, config, out: () => {}, err: (s) => err.push(s) })).toBe(1);
    expect(err.join('\n')).toMatch(/dòng 2: channel: kênh phải là telegram, zalo hoặc zalo-bot/);
    expect(err.join('\n')).toMatch(/dòng 3: topics: không có chủ đề 'khong-co'/);
    expect(err.join('\n')).toMatch(/dòng 4: consented_at: 'hôm qua' không phải ngày/);
    expect(countAudience(db, everyone)).toEqual({});
  });

  it('reads dates as day/month (01/05/2025 is 1 May), accepts ISO, and a file saved with semicolons', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    const file = join(config.dataDir, 'dates.csv');
    writeFileSync(
      file,
      [
        'channel;external_id;display_name;topics;region;consented_at',
        'telegram;111;A;quyen-tre-em|bao-hiem-y-te;;01/05/2025',
        'telegram;222;B;;;2025-05-01',
        'telegram;333;C;;;1/5/2025 08:30',
      ].join('\r\n'),
    );
    expect(await run(['import', file], { db, config, out: () => {} })).toBe(0);
    // Midnight of 1 May in Vietnam.
    expect(getPersonByExternal(db, 'telegram', '111')?.consentAt).toBe('2025-04-30T17:00:00.000Z');
    expect(topicsOf(db, getPersonByExternal(db, 'telegram', '111')!.id)).toEqual(['bao-hiem-y-te', 'quyen-tre-em']);
    expect(getPersonByExternal(db, 'telegram', '222')?.consentAt).toBe('2025-04-30T17:00:00.000Z');
    expect(getPersonByExternal(db, 'telegram', '333')?.consentAt).toBe('2025-05-01T01:30:00.000Z');
  });

  it('refuses a file Excel saved as \u201cCSV (Comma delimited)\u201d (Windows-1258) and imports nothing, saying how to save it as UTF-8', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    const file = join(config.dataDir, 'ansi.csv');
    // A row as Excel writes it on a Vietnamese Windows (made with Python's cp1258 codec).
    writeFileSync(file, Buffer.concat([Buffer.from('channel;external_id;display_name;topics;region;consented_at\r\n'), Buffer.from('74656c656772616d3b3131313b4e677579eade6e2056e36e20416e3b717579656e2d7472652d656d3b3b30312f30352f323032350d0a', 'hex')]));
    const err: string[] = [];
    expect(await run(['import', file], { db, config, out: () => {}, err: (s) => err.push(s) })).toBe(1);
    expect(err.join('\n')).toMatch(/không được lưu ở mã UTF-8.*dòng 2.*CSV UTF-8 \(Comma delimited\)/);
    expect(getPersonByExternal(db, 'telegram', '111')).toBeUndefined();
  });

  it('refuses ambiguous or impossible dates with their line, and imports nothing', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    const file = join(config.dataDir, 'bad-dates.csv');
    writeFileSync(
      file,
      [
        'channel,external_id,display_name,topics,region,consented_at',
        'telegram,1,A,,,01/05/2025',
        'telegram,2,B,,,05/13/2025',
        'telegram,3,C,,,01/05/25',
        'telegram,4,D,,,31/02/2025',
        'telegram,5,E,,,2025/05/01',
        'telegram,6,F,,,',
      ].join('\n'),
    );
    const err: string[] = [];
    expect(await run(['import', file], { db, config, out: () => {}, err: (s) => err.push(s) })).toBe(1);
    const text = err.join('\n');
    expect(text).toContain('chưa nhập ai');
    expect(text).not.toMatch(/dòng 2:/);
    expect(text).toMatch(/dòng 3: consented_at: '05\/13\/2025' không có tháng 13/);
    expect(text).toMatch(/dòng 4: consented_at: '01\/05\/25' không rõ năm/);
    expect(text).toMatch(/dòng 5: consented_at: '31\/02\/2025' không có ngày 31 trong tháng 2\/2025/);
    expect(text).toMatch(/dòng 6: consented_at: '2025\/05\/01' không phải ngày/);
    expect(text).toMatch(/dòng 7: consented_at: thiếu ngày/);
    expect(countAudience(db, everyone)).toEqual({});
  });

  it('speaks Vietnamese to staff: usage, a missing file, a wrong header', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    const out: string[] = [];
    const err: string[] = [];
    const io = { db, config, out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
    expect(await run(['--help'], io)).toBe(0);
    expect(out.join('\n')).toContain('cách dùng');
    expect(await run(['import', join(config.dataDir, 'khong-co.csv')], io)).toBe(1);
    expect(err.pop()).toContain('không đọc được tệp');
    // A relative name (trial run: a wrapper had changed directory): the full path tried, why, and where it looked from.
    expect(await run(['import', 'khong-co-dau.csv'], io)).toBe(1);
    expect(err.pop()).toBe(
      `subscribers: không đọc được tệp ${join(process.cwd(), 'khong-co-dau.csv')} (không có tệp này); kiểm tra đường dẫn (tên tương đối được tính từ thư mục đang đứng: ${process.cwd()}) và quyền đọc`,
    );
    const file = join(config.dataDir, 'header.csv');
    writeFileSync(file, 'kenh,ma\ntelegram,1\n');
    expect(await run(['import', file], io)).toBe(1);
    expect(err.pop()).toMatch(/dòng 1: dòng đầu phải là tên các cột/);
  });
});

describe('Zalo followers', () => {
  it('counts a follow event as following the OA, until an unfollow marks the person gone', () => {
    const db = openDb(':memory:');
    const p = upsertPerson(db, 'zalo', '8713451786543210001');
    upsertPerson(db, 'zalo', '8713451786543210002'); // only wrote to the OA, never followed
    recordInbound(db, { channel: 'zalo', userId: p.externalId, dedupeKey: 'f1', type: 'follow' }, p.id);
    expect(selectAudience(db, everyone).map((m) => m.recipient)).toEqual(['8713451786543210001']);
    markPersonGone(db, p.id, 'unfollow');
    expect(selectAudience(db, everyone)).toEqual([]);
  });
});

describe('loa subscribers sync-zalo', () => {
  it('pulls every follower page and puts followers in the audience', async () => {
    const zalo = await startFakeZalo();
    cleanups.push(() => zalo.close());
    for (let i = 0; i < 120; i++) zalo.addUser({ id: `87134517865432${String(i).padStart(5, '0')}`, follower: i !== 7 });
    const { accessToken, refreshToken } = zalo.issueTokens();
    const config = testConfig({
      ZALO_APP_ID: zalo.appId,
      ZALO_APP_SECRET: zalo.appSecret,
      ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
      ZALO_ACCESS_TOKEN: accessToken,
      ZALO_REFRESH_TOKEN: refreshToken,
      ZALO_API_BASE: zalo.url,
      ZALO_OAUTH_BASE: zalo.url,
    });
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    expect(await run(['sync-zalo'], { db, config, out: () => {} })).toBe(0);
    const pages = zalo.calls.filter((c) => c.path === '/v3.0/oa/user/getlist');
    expect(pages).toHaveLength(3);
    expect(countAudience(db, everyone)).toEqual({ zalo: 119 });
    expect(getPersonByExternal(db, 'zalo', '8713451786543200007')).toBeUndefined();
  });
});
