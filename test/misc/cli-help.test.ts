/**
 * `loa` speaks Vietnamese to staff (issue 16, item 5): the command list, each command's line,
 * and an unknown command.
 */
import { describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from '../../src/main.js';

const VIETNAMESE = /[ạảãàáâầấẩẫậăằắẳẵặẹẻẽèéêềếểễệỉĩìíịọỏõòóôồốổỗộơờớởỡợụủũùúưừứửữựỵỷỹỳýđ]/i;

describe('loa help', () => {
  it('describes every command in Vietnamese', () => {
    const english = Object.entries(COMMANDS).filter(([, c]) => !VIETNAMESE.test(c.describe)).map(([k]) => k);
    expect(english).toEqual([]);
  });

  it('prints the usage and refuses an unknown command in Vietnamese', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(['--help'])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/^cách dùng: loa <lệnh>/);
      expect(await main(['xoa-het'])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/^loa: không có lệnh 'xoa-het'/);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});
