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
    expect(a).toMatchObject({ displayName: 'Nguyễn Văn A', region: 'pho-hien', consentAt: '2026-01-05T00:00:00.000Z' });
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
    expect(err.join('\n')).toMatch(/line 2: channel/);
    expect(err.join('\n')).toMatch(/line 3: topics: unknown topic 'khong-co'/);
    expect(err.join('\n')).toMatch(/line 4: consented_at/);
    expect(countAudience(db, everyone)).toEqual({});
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
