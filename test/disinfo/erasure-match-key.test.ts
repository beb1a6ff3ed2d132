/**
 * A reporter who erases their data (/xoadulieu) leaves nothing of what they reported. Before
 * (measured 2026-12-07): the case's text and screenshot reference were cleared, but its match key
 * kept their words folded ("t:… nguyen thi lan 0912345678 …") and their screenshot's Telegram
 * file_id ("m:AgAC…", with which the picture can still be downloaded), and a new report of the
 * same words kept joining the case.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { erasePerson, upsertPerson } from '../../src/db/people.js';
import { getCase, recordReport } from '../../src/db/disinfo.js';

const AT = new Date('2026-03-02T03:00:00Z');
const WORDS = 'Bà Nguyễn Thị Lan số 0912345678 ở tổ 5 nói xã sắp thu hồi đất của cả thôn';

describe('erasing a reporter', () => {
  it('clears their words and screenshot reference from the case match key too', () => {
    const db = openDb(':memory:');
    const person = (ext: string) => upsertPerson(db, 'telegram', ext, undefined, AT).id;
    const report = (pid: number, r: { text?: string; mediaRef?: string }) => recordReport(db, { personId: pid, channel: 'telegram', region: null, topic: 'khac', platform: 'zalo', ...r }, AT);
    const a = person('1');
    const b = person('2');
    const words = report(a, { text: WORDS });
    const shot = report(a, { mediaRef: 'AgACAgUAAxkBAAIBZ2VfileOfA' });
    // The same file forwarded by someone else: the key is theirs too and stays.
    const shared = report(a, { mediaRef: 'AgACAgUAAxkBAAIBZ2VsharedFile' });
    report(b, { mediaRef: 'AgACAgUAAxkBAAIBZ2VsharedFile' });
    // A link is the item: it stays.
    const link = report(a, { text: 'https://facebook.com/groups/1/posts/2 của bà Lan' });

    erasePerson(db, a, AT);
    const left = JSON.stringify(db.prepare('SELECT * FROM disinfo_cases').all()) + JSON.stringify(db.prepare('SELECT * FROM disinfo_reports').all());
    expect(left.toLowerCase()).not.toContain('nguyen thi lan');
    expect(left).not.toContain('0912345678');
    expect(left).not.toContain('AgACAgUAAxkBAAIBZ2VfileOfA');
    expect(getCase(db, words.caseId)).toMatchObject({ text: null, reporterCount: 1 });
    expect(getCase(db, shot.caseId)).toMatchObject({ mediaRef: null, reporterCount: 1 });
    expect(getCase(db, shared.caseId)!.mediaRef).toBe('AgACAgUAAxkBAAIBZ2VsharedFile');
    expect(getCase(db, link.caseId)!.url).toBe('https://facebook.com/groups/1/posts/2');
    // The same words reported again open a new case; the shared file and the link still join theirs.
    const c = person('3');
    expect(report(c, { text: WORDS }).caseId).not.toBe(words.caseId);
    expect(report(c, { mediaRef: 'AgACAgUAAxkBAAIBZ2VsharedFile' }).caseId).toBe(shared.caseId);
    expect(report(c, { text: 'https://www.facebook.com/groups/1/posts/2/' }).caseId).toBe(link.caseId);
    db.close();
  });

  it('keeps the content key of a Zalo picture another reporter sent, and drops it when none did', () => {
    const db = openDb(':memory:');
    const person = (ext: string) => upsertPerson(db, 'zalo', ext, undefined, AT).id;
    const report = (pid: number, mediaRef: string, mediaKey: string) => recordReport(db, { personId: pid, channel: 'zalo', region: null, topic: 'khac', platform: 'zalo', mediaRef, mediaKey }, AT);
    const [a, b, c] = [person('3512345678900000001'), person('3512345678900000002'), person('3512345678900000003')];
    const SHARED = `sha256:${'a'.repeat(64)}`;
    const OWN = `sha256:${'b'.repeat(64)}`;
    // One picture under two URLs (the digest groups them), and a picture only `a` sent.
    const shared = report(a, 'https://f21-zpc.zdn.vn/jpg/1111/aaaa.jpg', SHARED);
    expect(report(b, 'https://f7-zpc.zdn.vn/jpg/2222/bbbb.jpg', SHARED).caseId).toBe(shared.caseId);
    const own = report(a, 'https://f21-zpc.zdn.vn/jpg/5555/eeee.jpg', OWN);
    erasePerson(db, a, AT);
    expect(report(c, 'https://f9-zpc.zdn.vn/jpg/6666/ffff.jpg', SHARED).caseId).toBe(shared.caseId);
    expect(report(c, 'https://f9-zpc.zdn.vn/jpg/7777/gggg.jpg', OWN).caseId).not.toBe(own.caseId);
    db.close();
  });
});
