/**
 * One post shared many ways is one case: the links people actually paste into /baocao differ
 * in more than `utm_*`. Measured before this fix (2026-12-07), each of these opened a case of its
 * own: a link pasted without `https://` (the chat flow takes it as a link, but it was grouped
 * by its words), TikTok's share parameters (`_t`, `_r`, `is_from_webapp`, `sender_device`), a
 * Facebook share's `rdid`/`share_url`/`sfnsn`, and one YouTube video as `youtu.be`, `watch?v=`
 * and `shorts/`. A flood of reports of one post read as several cases, in the queue and in the
 * plan's "90% found and handled".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { disinfoFigures, firstUrl, getCase, listCases, normalizeUrl, recordReport } from '../../src/db/disinfo.js';

const AT = new Date('2026-03-02T03:00:00Z');
let db: Db;
beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.close());

let n = 0;
const report = (text: string) =>
  recordReport(db, { personId: upsertPerson(db, 'telegram', String(++n), undefined, AT).id, channel: 'telegram', region: null, text, topic: 'khac', platform: 'facebook' }, AT);

describe('shares of one post are one case', () => {
  it.each([
    [
      'a Facebook group post, with and without https://',
      [
        'https://www.facebook.com/groups/4455/posts/7312/?mibextid=Zx9',
        'facebook.com/groups/4455/posts/7312',
        'Tin này sai sự thật www.facebook.com/groups/4455/posts/7312 mọi người đừng tin',
        'm.facebook.com/groups/4455/posts/7312/?utm_source=zalo',
        '(fb.com/groups/4455/posts/7312)',
      ],
    ],
    [
      'a Facebook share link and a story link',
      [
        'https://www.facebook.com/share/p/1AbCdE/?mibextid=WC7FNe&rdid=Qx1&share_url=https%3A%2F%2Fwww.facebook.com%2Fshare%2Fp%2F1AbCdE',
        'https://m.facebook.com/share/p/1AbCdE/?sfnsn=mo',
      ],
    ],
    ['a Facebook story, shared from Messenger', ['https://m.facebook.com/story.php?story_fbid=9&id=4&sfnsn=mo&paipv=0&eav=AfZ', 'https://facebook.com/story.php?id=4&story_fbid=9']],
    [
      'a TikTok video',
      [
        'https://www.tiktok.com/@tin.nong/video/7312?_t=8kQ&_r=1',
        'https://www.tiktok.com/@tin.nong/video/7312?is_from_webapp=1&sender_device=pc&web_id=7777',
        'tiktok.com/@tin.nong/video/7312',
      ],
    ],
    [
      'a YouTube video',
      ['https://youtu.be/AbC123?si=XyZ', 'https://www.youtube.com/watch?v=AbC123&feature=shared', 'https://m.youtube.com/shorts/AbC123', 'youtube.com/watch?v=AbC123&t=42'],
    ],
  ])('%s', (_what, links) => {
    const cases = new Set(links.map((l) => report(l).caseId));
    expect(cases.size).toBe(1);
    const c = getCase(db, [...cases][0]!)!;
    expect(c.reporterCount).toBe(links.length);
    expect(c.url).not.toBeNull();
    expect(disinfoFigures(db, new Date('2025-12-31T17:00:00Z'), new Date('2026-12-31T17:00:00Z')).cases).toBe(1);
  });

  it('different posts stay different cases', () => {
    const links = [
      'https://facebook.com/groups/4455/posts/7312',
      'https://facebook.com/groups/4455/posts/7313',
      'https://facebook.com/story.php?story_fbid=9&id=4',
      'https://facebook.com/story.php?story_fbid=10&id=4',
      'https://facebook.com/watch/?v=1',
      'https://facebook.com/watch/?v=2',
      'https://tiktok.com/@tin.nong/video/7312',
      'https://tiktok.com/@tin.nong/video/7313',
      'https://youtu.be/AbC123',
      'https://youtu.be/AbC124',
      'https://tin-nong.vn/bai?id=1',
      'https://tin-nong.vn/bai?id=2',
    ];
    expect(new Set(links.map((l) => report(l).caseId)).size).toBe(links.length);
    expect(listCases(db).length).toBe(links.length);
  });
});

describe('firstUrl', () => {
  it.each([
    ['xem facebook.com/groups/1/posts/2.', 'https://facebook.com/groups/1/posts/2'],
    ['https://tin.vn/a, và fb.com/x', 'https://tin.vn/a'],
    ['fb.com/x rồi https://tin.vn/a', 'https://fb.com/x'],
    ['email: ai@facebook.com/ hỏi', null],
    ['một câu không có link', null],
  ])('%s', (text, want) => {
    expect(firstUrl(text)).toBe(want);
  });

  it('a bare link is normalised like a full one', () => {
    expect(normalizeUrl(firstUrl('tiktok.com/@a/video/1?_r=1')!)).toBe('https://tiktok.com/@a/video/1');
  });
});
