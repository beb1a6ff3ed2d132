/**
 * Registration typed as young people type it: the phone in any of the usual forms, the name in
 * capitals, in lower case or without diacritics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { button, quizWorld, texts, type QuizWorld } from './support.js';
import { normalizePhone, tidyName } from '../../src/quiz/feature.js';
import { leaderboardCsv, leaderboard } from '../../src/quiz/results.js';

let w: QuizWorld | undefined;
afterEach(() => {
  w?.close();
  w = undefined;
});

describe('the phone as people type it', () => {
  it('reads +84, 84, 0084, a kept trunk 0, spaces, dots, dashes, brackets, full-width digits, a label and a particle', () => {
    const forms = [
      '0912 345 678',
      '0912.345.678',
      '0912-345-678',
      '091 234 5678',
      '+84 912 345 678',
      '84912345678',
      '(+84) 912-345-678',
      '+84 (0) 912 345 678',
      '+840912345678',
      '0084 912 345 678',
      '０９１２３４５６７８',
      'sđt 0912345678',
      'SĐT: 0912 345 678',
      'số điện thoại của em là 0912345678 ạ',
      '0912345678 nhé',
      '0912345678.',
    ];
    for (const f of forms) expect(normalizePhone(f), f).toBe('0912345678');
    for (const f of ['0912345678 hoặc 0987654321', '0912345678 0987654321', '912345678', '0912_345_678', 'không có', '02213 123 456 78']) expect(normalizePhone(f), f).toBeNull();
  });

  it('a participant who types "SĐT: +84 (0) 912.345.678 ạ" is registered with 0912345678, and the export shows it', async () => {
    w = quizWorld();
    const p = w.user('web', 'phone-typist');
    let r = await p.press('quiz:c:thu-nghiem');
    r = await p.press(button(r, 'Tôi đồng ý'));
    r = await p.say('Trần Thị Bích');
    r = await p.say('Chi đoàn thôn Đông');
    r = await p.say('SĐT: +84 (0) 912.345.678 ạ');
    expect(texts(r)).toContain('Cảm ơn Trần Thị Bích');
    expect(p.attempt()!.phone).toBe('0912345678');
  });
});

describe('the name as people type it', () => {
  it('capitalises a name typed all in capitals or lower case, keeps mixed case', () => {
    expect(tidyName('NGUYỄN THỊ LAN')).toBe('Nguyễn Thị Lan');
    expect(tidyName('đặng văn đức')).toBe('Đặng Văn Đức');
    expect(tidyName('Nguyễn Thị Lan')).toBe('Nguyễn Thị Lan');
    expect(tidyName('McDonald Smith')).toBe('McDonald Smith');
  });

  it('a name in capitals goes on the leaderboard capitalised', async () => {
    w = quizWorld();
    const p = w.user('telegram', 'caps');
    let r = await p.press('quiz:c:nut-bam');
    r = await p.press(button(r, 'Tôi đồng ý'));
    r = await p.say('HOÀNG VĂN THÁI');
    expect(texts(r)).toContain('Cảm ơn Hoàng Văn Thái!');
    r = await p.press(button(r, 'Bắt đầu'));
    r = await p.press(r[0]!.buttons![p.correctOf(0)]!.action);
    r = await p.press(r.at(-1)!.buttons![p.correctOf(1)]!.action);
    expect(leaderboard(w.db, 'nut-bam').entries[0]!.name).toBe('Hoàng Văn Thái');
    expect(leaderboardCsv(leaderboard(w.db, 'nut-bam'))).toContain('Hoàng Văn Thái');
  });

  it('a name without diacritics is asked about once: typed again with them, or kept with the button', async () => {
    w = quizWorld();
    const p = w.user('zalo', 'no-marks');
    let r = await p.press('quiz:c:thu-nghiem');
    r = await p.press(button(r, 'Tôi đồng ý'));
    r = await p.say('NGUYEN VAN AN');
    expect(texts(r)).toContain('Bạn gõ tên không dấu: “Nguyen Van An”');
    expect(p.attempt()!.step).toBe('name');
    r = await p.say('Nguyễn Văn An');
    expect(texts(r)).toContain('Bạn thuộc đơn vị nào');
    expect(p.attempt()!.name).toBe('Nguyễn Văn An');

    const q = w.user('web', 'keeps');
    r = await q.press('quiz:c:thu-nghiem');
    r = await q.press(button(r, 'Tôi đồng ý'));
    r = await q.say('John Smith');
    r = await q.press(button(r, 'Giữ tên này'));
    expect(texts(r)).toContain('Bạn thuộc đơn vị nào');
    expect(q.attempt()!.name).toBe('John Smith');
    // Typed the same again also keeps it.
    const s = w.user('telegram', 'again');
    r = await s.press('quiz:c:thu-nghiem');
    r = await s.press(button(r, 'Tôi đồng ý'));
    r = await s.say('Le Thi Hoa');
    r = await s.say('Le Thi Hoa');
    expect(texts(r)).toContain('Bạn thuộc đơn vị nào');
  });
});
