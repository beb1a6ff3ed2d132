/**
 * `loa` speaks Vietnamese to staff (issue 16, item 5): the command list, each command's line,
 * an unknown command, and the errors of `loa campaign` and `loa quiz`.
 */
import { describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from '../../src/main.js';
import { run as campaignCli } from '../../src/cli/campaign.js';
import { quizCommand } from '../../src/cli/quiz.js';
import { createContestRegistry } from '../../src/quiz/definition.js';
import { openDb } from '../../src/db/index.js';
import { createUser } from '../../src/db/users.js';

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

describe('every command: --help and argument errors in Vietnamese', () => {
  it.each(Object.keys(COMMANDS))('loa %s --help prints its usage without running it', async (name) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // `start --help` and `index --help` used to start the service and rebuild the index.
      expect(await main([name, '--help'])).toBe(0);
      const text = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(text).toMatch(/^cách dùng/i);
      expect(text).toContain(name);
      expect(err).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it.each([
    [['eval', '--bogus'], /^loa eval: không có tuỳ chọn '--bogus'\ncách dùng: loa eval/],
    [['eval', '--strip-variants'], /^loa eval: tuỳ chọn '--strip-variants' cần một giá trị/],
    [['report', '--json=1'], /^loa report: không có tuỳ chọn '--json'/],
    [['backup', '--out'], /^loa backup: tuỳ chọn '--out' cần một giá trị/],
    [['index', '--contnet', 'x'], /^loa index: không có tuỳ chọn '--contnet'\ncách dùng:/],
  ])('%j is refused in Vietnamese, with the usage', async (args, message) => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(args)).toBe(2);
      const text = err.mock.calls.map((c) => String(c[0])).join('\n');
      expect(text).toMatch(message);
      expect(text).not.toMatch(/Unknown option|argument missing|positional/);
    } finally {
      err.mockRestore();
    }
  });
});

describe('loa campaign and loa quiz errors', () => {
  it.each([
    [['create', '--as', 'lan'], /cần nội dung tin: --text/],
    [['create', '--as', 'lan', '--text', 'x', '--channels', 'viber'], /không có kênh 'viber'/],
    [['create', '--as', 'lan', '--text', 'x', '--at', '05/13/2026 08:00'], /--at: '05\/13\/2026 08:00' không có tháng 13/],
    [['submit', '--as', 'lan'], /hãy cho biết mã chiến dịch/],
    [['lam-gi', '--as', 'lan'], /không có lệnh 'lam-gi'[\s\S]*cách dùng/],
  ])('campaign %j', async (args, message) => {
    const db = openDb(':memory:');
    createUser(db, { username: 'lan', roles: ['broadcaster'], password: 'lan-mat-khau-1' });
    const errs: string[] = [];
    expect(await campaignCli(args, { db, contentDir: 'content', regionsRoot: 'hung-yen', out: () => {}, err: (s) => errs.push(s), interactive: false, osUser: 'van-hanh' })).toBe(2);
    expect(errs.join('\n')).toMatch(message);
    db.close();
  });

  it.each([
    [['results', 'khong-co'], /không có cuộc thi 'khong-co'/],
    [['export', 'luyen-tap-quyen-tre-em'], /--out tệp.csv/],
    [['results', 'luyen-tap-quyen-tre-em', '--top', '0'], /--top cần một số nguyên dương/],
    [[], /cách dùng/],
  ])('quiz %j', (args, message) => {
    const errs: string[] = [];
    quizCommand(args, { db: openDb(':memory:'), registry: createContestRegistry('content'), print: () => {}, error: (l) => errs.push(l) });
    expect(errs.join('\n')).toMatch(message);
  });
});
