/** Pure parts: definitions, scoring, tie-breaks, CSV. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContests, parseLocal, viTime } from '../../src/quiz/definition.js';
import { drawQuestions, permutation, rankEntries, scoreAnswer } from '../../src/quiz/scoring.js';
import { leaderboardCsv } from '../../src/quiz/results.js';
import { csvField, parseCsv } from '../../src/text/csv.js';
import { seeded } from './support.js';

describe('contest definitions', () => {
  it('loads the shipped sample contests without errors', () => {
    const { contests, errors } = loadContests('content');
    expect(errors).toEqual([]);
    expect(contests.map((c) => c.id).sort()).toEqual(['luyen-tap-quyen-tre-em', 'tap-huan-quyen-con-nguoi', 'tim-hieu-quyen-con-nguoi-2026']);
    for (const c of contests) {
      expect(c.sample).toBe(true);
      expect(c.sources.length).toBeGreaterThan(0);
      for (const q of c.questions) expect(q.options[q.correct - 1]).toBeTruthy();
    }
  });

  it('reads times as Asia/Ho_Chi_Minh', () => {
    expect(parseLocal('2026-11-01 08:00')!.toISOString()).toBe('2026-11-01T01:00:00.000Z');
    expect(parseLocal('2026-11-01', 'end')!.toISOString()).toBe('2026-11-01T16:59:59.000Z');
    expect(parseLocal('2026-11-01T08:00:00Z')!.toISOString()).toBe('2026-11-01T08:00:00.000Z');
    // Day first, as Vietnamese write dates and as Loa shows times: what it shows reads back.
    expect(parseLocal('1/11/2026')!.toISOString()).toBe('2026-10-31T17:00:00.000Z');
    expect(parseLocal('10/12/2026 17:00')!.toISOString()).toBe('2026-12-10T10:00:00.000Z');
    expect(viTime(new Date('2026-12-10T10:00:00Z'))).toBe('17:00 10/12/2026');
    expect(parseLocal(viTime(new Date('2026-12-10T10:00:00Z')))!.toISOString()).toBe('2026-12-10T10:00:00.000Z');
    expect(parseLocal('10.12.2026, 17:00')!.toISOString()).toBe('2026-12-10T10:00:00.000Z');
    expect(parseLocal('29/02/2028', 'end')!.toISOString()).toBe('2028-02-29T16:59:59.000Z');
    // A day the month does not have is refused, not rolled over into the next month.
    for (const bad of ['11/31/2026', '12/31/2026', '31/12/26', 'thứ hai', '31/02/2026', '29/02/2027', '2026-02-30', '31/04/2026 08:00', '10/12/2026 24:00'])
      expect(parseLocal(bad), bad).toBeNull();
  });

  it('names the file and the field of every error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-quizdef-'));
    try {
      mkdirSync(join(dir, 'quizzes'));
      writeFileSync(
        join(dir, 'quizzes', 'hong.yaml'),
        [
          'id: hong',
          'title: Hỏng',
          'organiser: X',
          'opens: 2026-12-01',
          'closes: 2026-11-01',
          'registration: {consent: "Đồng ý"}',
          'draw: 5',
          'time_per_question: 1000',
          'sources: [{title: Nguồn}]',
          'questions:',
          '  - {question: "Một?", options: ["a"], correct: 1, explanation: "x"}',
          '  - {question: "Hai?", options: ["a", "b"], correct: 3, explanation: "x"}',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'quizzes', 'ten-khac.yaml'), 'id: khac\n');
      const { contests, errors } = loadContests(dir);
      expect(contests).toEqual([]);
      const fields = errors.map((e) => `${e.file}: ${e.field}`);
      expect(fields).toEqual(
        expect.arrayContaining([
          'quizzes/hong.yaml: time_per_question',
          'quizzes/hong.yaml: questions.0.options',
          'quizzes/hong.yaml: questions.1.correct',
          'quizzes/ten-khac.yaml: title',
        ]),
      );
      // Cross-field checks run once the fields themselves are valid.
      writeFileSync(
        join(dir, 'quizzes', 'hong.yaml'),
        'id: hong\ntitle: H\norganiser: X\nopens: 2026-12-01\ncloses: 2026-11-01\nregistration: {consent: "Đồng ý"}\ndraw: 5\nsources: [{title: N}]\nquestions:\n  - {question: "Hai?", options: ["a", "b"], correct: 2, explanation: "x"}\n',
      );
      const again = loadContests(dir).errors.map((e) => `${e.file}: ${e.field}: ${e.message}`);
      expect(again).toEqual(expect.arrayContaining(['quizzes/hong.yaml: closes: phải sau giờ mở (opens)', 'quizzes/hong.yaml: draw: là 5 nhưng bộ câu hỏi chỉ có 1 câu']));
      // A syntax slip: its line in the file and what to check, in Vietnamese (the parser's English only as the detail).
      writeFileSync(join(dir, 'quizzes', 'hong.yaml'), 'id: hong\ntitle: Cuộc thi: vòng 1\n');
      const slip = loadContests(dir).errors.find((e) => e.file === join('quizzes', 'hong.yaml'))!;
      expect(slip.field).toBe('(tệp)');
      expect(slip.message).toMatch(/^sai cú pháp YAML ở dòng 2 của tệp: kiểm tra dấu hai chấm.*Chi tiết kỹ thuật: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads a contest written from docs/quizzes.md alone: id from the file name, sources as plain lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-quizdef-'));
    try {
      mkdirSync(join(dir, 'quizzes'));
      const body = [
        'title: Cuộc thi tìm hiểu Hiến pháp',
        'organiser: Đoàn xã',
        'opens: 07/12/2026 08:00',
        'closes: 10/12/2026 17:00',
        'registration: {consent: "Đồng ý"}',
        'sources:',
        '  - Hiến pháp năm 2013, Chương II',
        '  - {title: Luật Trẻ em năm 2016, article: Điều 1}',
        'questions:',
        '  - {question: "Trẻ em là người dưới bao nhiêu tuổi?", options: ["16", "18"], correct: 1, explanation: "Điều 1 Luật Trẻ em 2016."}',
      ].join('\n');
      writeFileSync(join(dir, 'quizzes', 'thi-hien-phap.yaml'), body);
      writeFileSync(join(dir, 'quizzes', 'Thi_Xa.yaml'), body);
      const { contests, errors } = loadContests(dir);
      expect(contests.map((c) => c.id)).toEqual(['thi-hien-phap']);
      expect(contests[0]!.sources).toEqual([{ title: 'Hiến pháp năm 2013, Chương II' }, { title: 'Luật Trẻ em năm 2016', article: 'Điều 1' }]);
      expect(contests[0]!.opens.toISOString()).toBe('2026-12-07T01:00:00.000Z');
      // A file name that cannot be an id says so, instead of "id: missing".
      expect(errors.map((e) => `${e.file}: ${e.field}`)).toEqual(['quizzes/Thi_Xa.yaml: (tên tệp)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('draws the configured number of questions and shuffles options per draw', () => {
    const c = loadContests('content').contests.find((x) => x.id === 'tim-hieu-quyen-con-nguoi-2026')!;
    const rnd = seeded(1);
    const a = drawQuestions(c, rnd);
    const b = drawQuestions(c, rnd);
    expect(a).toHaveLength(10);
    expect(new Set(a.map((d) => d.questionId)).size).toBe(10);
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    for (const d of a) {
      const q = c.questions.find((x) => x.id === d.questionId)!;
      expect([...d.perm].sort()).toEqual(q.options.map((_, i) => i));
      expect(d.perm[d.correct]).toBe(q.correct - 1);
    }
    expect(permutation(5, () => 0.999999).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('scoring', () => {
  const base = { correct: 2, limitSec: 20, points: 10, speedBonus: 4, graceMs: 1000 };
  it.each([
    ['right at once', { chosen: 2, elapsedMs: 0 }, { isCorrect: true, late: false, points: 14, elapsedMs: 0 }],
    ['right half way', { chosen: 2, elapsedMs: 10_000 }, { isCorrect: true, late: false, points: 12, elapsedMs: 10_000 }],
    ['right within the grace', { chosen: 2, elapsedMs: 20_900 }, { isCorrect: true, late: false, points: 10, elapsedMs: 20_000 }],
    ['right but late', { chosen: 2, elapsedMs: 21_001 }, { isCorrect: false, late: true, points: 0, elapsedMs: 20_000 }],
    ['wrong', { chosen: 1, elapsedMs: 3000 }, { isCorrect: false, late: false, points: 0, elapsedMs: 3000 }],
    ['no answer', { chosen: null, elapsedMs: 25_000 }, { isCorrect: false, late: true, points: 0, elapsedMs: 20_000 }],
  ])('%s', (_label, a, expected) => {
    expect(scoreAnswer({ ...base, ...a })).toEqual(expected);
  });
});

describe('leaderboard order', () => {
  it('score desc, then prediction distance asc (none last), then total time asc; full ties share a rank', () => {
    const e = (id: string, score: number, prediction: number | null, totalMs: number) => ({ id, score, prediction, totalMs });
    const ranked = rankEntries(
      [
        e('slow-close', 50, 98, 90_000),
        e('fast-far', 50, 150, 10_000),
        e('no-pred', 50, null, 1000),
        e('top', 60, null, 99_000),
        e('fast-close', 50, 102, 30_000),
        e('twin-a', 40, 100, 5000),
        e('twin-b', 40, 100, 5000),
        e('last', 10, 100, 1000),
      ],
      100,
    );
    expect(ranked.map((r) => `${r.rank}:${r.id}`)).toEqual(['1:top', '2:fast-close', '3:slow-close', '4:fast-far', '5:no-pred', '6:twin-a', '6:twin-b', '8:last']);
    expect(ranked.find((r) => r.id === 'fast-far')!.distance).toBe(50);
  });
});

describe('CSV export', () => {
  it('is UTF-8 with a BOM, CRLF rows, quoted where needed, and keeps Vietnamese names intact', () => {
    const entries = [
      { attemptId: 1, personId: 1, name: 'Nguyễn Thị Ánh Tuyết', unit: 'Chi đoàn xã Tân Hưng, huyện "A"', phone: '0912345678', channel: 'zalo' as const, score: 95, correctCount: 9, questionCount: 10, totalMs: 123_456, prediction: 1250, finishedAt: '2026-11-23T03:00:00Z', rank: 1, distance: 3 },
      { attemptId: 2, personId: 2, name: '=HYPERLINK("http://x")', unit: null, phone: null, channel: 'telegram' as const, score: 80, correctCount: 8, questionCount: 10, totalMs: 5000, prediction: null, finishedAt: '2026-11-23T03:00:00Z', rank: 2, distance: null },
      { attemptId: 3, personId: null, name: null, unit: null, phone: null, channel: 'web' as const, score: 70, correctCount: 7, questionCount: 10, totalMs: 1000, prediction: 10, finishedAt: '2026-11-23T03:00:00Z', rank: 3, distance: 1 },
    ];
    const csv = leaderboardCsv({ participants: 3, entries });
    const bytes = Buffer.from(csv, 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // Decoding the bytes gives back exactly the composed (NFC) Vietnamese text.
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    expect(decoded.includes('Nguyễn Thị Ánh Tuyết')).toBe(true);
    // After the first seven columns: why equal scores rank as they do, and how to reach a winner.
    expect(csv.split('\r\n')[0]).toBe('\uFEFFHạng,Họ và tên,Đơn vị,Điểm,Thời gian (giây),Dự đoán,Kênh,Số câu đúng,Lệch dự đoán,Số điện thoại');
    const rows = parseCsv(decoded);
    // The phone grouped, so a spreadsheet keeps it as text with its leading 0.
    expect(rows[1]).toEqual(['1', 'Nguyễn Thị Ánh Tuyết', 'Chi đoàn xã Tân Hưng, huyện "A"', '95', '123.5', '1250', 'zalo', '9', '3', '0912 345 678']);
    expect(rows[2]!.slice(7)).toEqual(['8', '', '']);
    expect(rows[2]![1]).toBe(`'=HYPERLINK("http://x")`);
    expect(rows[3]![1]).toBe('(đã xoá theo yêu cầu)');
    expect(csvField('a"b')).toBe('"a""b"');
  });
});

describe('secure randomness', () => {
  it('gives numbers in [0, 1) and shuffles with them', async () => {
    const { secureRandom } = await import('../../src/quiz/scoring.js');
    for (let i = 0; i < 1000; i++) {
      const x = secureRandom();
      expect(x >= 0 && x < 1).toBe(true);
    }
    expect(permutation(6, secureRandom).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
