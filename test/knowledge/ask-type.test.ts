import { describe, expect, it } from 'vitest';
import { ASK, askAgreement, askTypes } from '../../src/knowledge/ask-type.js';

describe('askTypes', () => {
  const cases: { text: string; mask: number }[] = [
    { text: 'Làm giấy khai sinh ở đâu?', mask: ASK.place },
    { text: 'Nộp hồ sơ ở đâu?', mask: ASK.place | ASK.papers },
    { text: 'nơi đăng ký khai sinh', mask: ASK.place },
    { text: 'lam khai sinh o dau', mask: ASK.place },
    // Folded, "noi" is also "nói" (say): only the accented "nơi" is a place.
    { text: 'toi noi voi can bo xa', mask: 0 },
    { text: 'Đăng ký khai sinh có mất tiền không?', mask: ASK.cost },
    { text: 'lệ phí cấp căn cước', mask: ASK.cost },
    { text: 'Giá vé tàu bao nhiêu?', mask: ASK.cost },
    // Folded, "gia" is also "gia đình".
    { text: 'gia dinh toi co 4 nguoi', mask: 0 },
    { text: 'Khiếu nại trong bao lâu thì có kết quả?', mask: ASK.time },
    { text: 'khi nao thi duoc nhan tien', mask: ASK.time },
    { text: 'Hồ sơ gồm những gì?', mask: ASK.papers },
    { text: 'Đối tượng nào được trợ giúp pháp lý?', mask: ASK.who },
    { text: 'Ai được miễn lệ phí?', mask: ASK.who | ASK.cost },
    { text: 'Bao nhiêu tuổi thì được lái xe máy?', mask: ASK.age },
    { text: 'may tuoi thi phai di nghia vu', mask: ASK.age },
    { text: 'Quyền con người là gì?', mask: 0 },
  ];
  for (const c of cases) it(c.text, () => expect(askTypes(c.text)).toBe(c.mask));

  it('matches a phrase only as a whole and in order', () => {
    expect(askTypes('đâu ở')).toBe(0);
    expect(askTypes('bao nhiêu')).toBe(0);
  });
});

describe('askAgreement', () => {
  it('is 1 for a shared kind, -1 for different kinds, 0 when either asks none', () => {
    expect(askAgreement(ASK.place, ASK.place | ASK.papers)).toBe(1);
    expect(askAgreement(ASK.place, ASK.cost)).toBe(-1);
    expect(askAgreement(0, ASK.cost)).toBe(0);
    expect(askAgreement(ASK.time, 0)).toBe(0);
  });
});
