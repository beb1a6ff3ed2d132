/** Personal data is masked before a citizen's wording becomes content (text/mask.ts). */
import { describe, expect, it } from 'vitest';
import { maskPersonalData } from '../../src/text/mask.js';

const cases: { label: string; input: string; output: string; counts?: Partial<Record<'phone' | 'email' | 'id', number>> }[] = [
  { label: 'mobile with spaces', input: 'Gọi cho tôi 0912 345 678 nhé', output: 'Gọi cho tôi *** nhé', counts: { phone: 1 } },
  { label: 'mobile with dots', input: 'sđt 0912.345.678', output: 'sđt ***', counts: { phone: 1 } },
  { label: 'mobile +84', input: 'liên hệ +84 912-345-678 ạ', output: 'liên hệ *** ạ', counts: { phone: 1 } },
  { label: 'landline', input: 'số bàn 024 3825 1234', output: 'số bàn ***', counts: { phone: 1 } },
  { label: 'plain mobile', input: 'số 0987654321.', output: 'số ***.', counts: { phone: 1 } },
  { label: 'e-mail', input: 'gửi vào nguyen.an+bhyt@gmail.com giúp', output: 'gửi vào *** giúp', counts: { email: 1 } },
  { label: 'CCCD 12 digits', input: 'CCCD của tôi là 001203004567', output: 'CCCD của tôi là ***', counts: { id: 1 } },
  { label: 'CCCD in groups', input: 'số định danh 0012 0300 4567', output: 'số định danh ***', counts: { id: 1 } },
  { label: 'CMND 9 digits', input: 'CMND 123456789 bị mất', output: 'CMND *** bị mất', counts: { id: 1 } },
  { label: 'health insurance card', input: 'thẻ BHYT DN4010123456789 hết hạn', output: 'thẻ BHYT *** hết hạn', counts: { id: 1 } },
  { label: 'passport', input: 'hộ chiếu C1234567', output: 'hộ chiếu ***', counts: { id: 1 } },
  { label: 'money is kept', input: 'hỗ trợ 1.500.000 đồng và 2000000000 đ', output: 'hỗ trợ 1.500.000 đồng và 2000000000 đ' },
  { label: 'years, dates and articles are kept', input: 'Điều 12 Luật 51/2024/QH15, ngày 01/07/2025, năm 2026', output: 'Điều 12 Luật 51/2024/QH15, ngày 01/07/2025, năm 2026' },
  { label: 'nothing to mask', input: 'Trẻ em dưới 6 tuổi có được cấp thẻ không?', output: 'Trẻ em dưới 6 tuổi có được cấp thẻ không?' },
];

describe('maskPersonalData', () => {
  for (const c of cases)
    it(c.label, () => {
      const r = maskPersonalData(c.input);
      expect(r.text).toBe(c.output);
      expect(r.counts).toEqual({ phone: 0, email: 0, id: 0, ...c.counts });
    });
});
