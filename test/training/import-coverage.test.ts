import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { run } from '../../src/cli/training.js';
import { finishTrainingAttempt, listOfficials, removeOfficial, startTrainingAttempt, trainingCoverage } from '../../src/db/training.js';
import { createAttempt } from '../../src/db/quiz.js';
import { upsertPerson } from '../../src/db/people.js';
import { loadTraining, trainingFileSchema } from '../../src/training/definition.js';
import { tempDir } from '../support/app.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

const HEADER = 'name,unit,group,region,channel,external_id';

function setup() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const db = openDb(':memory:');
  const config = { dataDir: t.dir, contentDir: 'content' };
  const csv = (name: string, lines: string[]): string => {
    const file = join(t.dir, name);
    writeFileSync(file, [HEADER, ...lines].join('\n'));
    return file;
  };
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, { db, config, out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { db, csv, cli };
}

describe('training groups (content/training.yaml)', () => {
  it('ships the four groups of the plans with their target shares', () => {
    const t = loadTraining('content');
    expect(t.errors).toEqual([]);
    expect(t.groups.map((g) => g.target)).toEqual([100, 100, 100, 70]);
    expect(t.groups[3]!.name).toBe('Cán bộ chủ chốt của các tổ chức chính trị - xã hội');
  });

  it('words a syntax slip in training.yaml in Vietnamese, with its line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-training-yaml-'));
    try {
      writeFileSync(join(dir, 'training.yaml'), 'groups:\n  - id: a\n    name: Cán bộ: cấp xã\n');
      const t = loadTraining(dir);
      expect(t.errors).toEqual([{ file: 'training.yaml', field: '(tệp)', message: expect.stringMatching(/^sai cú pháp YAML ở dòng 3 của tệp: kiểm tra dấu hai chấm.*Chi tiết kỹ thuật: /) }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a share over 100% and a training for an unknown group, naming the field', () => {
    const bad = trainingFileSchema.safeParse({
      groups: [{ id: 'a', name: 'A', target: 120 }],
      trainings: [{ id: 't', title: 'T', articles: ['x'], quiz: 'q', pass_mark: 80, groups: ['b'] }],
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['groups.0.target', 'trainings.0.groups.0']);
  });
});

describe('loa training import / coverage', () => {
  it('imports nothing from a file with errors and names each line in Vietnamese', async () => {
    const { db, csv, cli } = setup();
    const file = csv('bad.csv', [
      'Nguyễn Văn A,UBND xã Phố Hiến,quyen-con-nguoi,pho-hien,telegram,101',
      'Trần Thị B,UBND xã Phố Hiến,khong-co,pho-hien,telegram,102',
      'Lê Văn C,Hội Nông dân,to-chuc-chinh-tri-xa-hoi,xa-la,zalo,103',
      'Phạm D,Báo Hưng Yên,thong-tin-doi-ngoai,,telegram,101',
      'Vũ E,Báo Hưng Yên,thong-tin-doi-ngoai,,viber,105',
    ]);
    const r = await cli(['import', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('chưa nhập ai');
    expect(r.err).toContain("dòng 3: group: không có nhóm 'khong-co'");
    expect(r.err).toContain("dòng 4: region: không có địa bàn 'xa-la'");
    expect(r.err).toContain('dòng 6: channel: kênh phải là telegram, zalo (Zalo OA) hoặc zalo-bot (Zalo Bot)');
    expect(r.err).toContain('dòng 5: external_id: trùng tài khoản telegram 101 với dòng 2');
    expect(listOfficials(db)).toEqual([]);
  });

  it('imports, links a person who already wrote, updates on re-import, and reports coverage per group and unit', async () => {
    const { db, csv, cli } = setup();
    const known = upsertPerson(db, 'telegram', '201', 'An');
    const file = csv('ok.csv', [
      'Nguyễn Văn An,UBND xã Phố Hiến,quyen-con-nguoi,pho-hien,telegram,201',
      'Trần Thị Bình,UBND xã Phố Hiến,quyen-con-nguoi,pho-hien,telegram,202',
      'Lê Văn Cường,Hội Nông dân xã Sơn Nam,to-chuc-chinh-tri-xa-hoi,son-nam,zalo,8713451786543210987',
    ]);
    expect((await cli(['import', file])).out).toBe('Đã nhập 3 cán bộ: 3 người mới, 0 người đã có được cập nhật.');
    const officials = listOfficials(db);
    expect(officials.find((o) => o.externalId === '201')?.personId).toBe(known.id);
    expect(officials.find((o) => o.channel === 'zalo')?.externalId).toBe('8713451786543210987');
    // Re-import moves Bình to another unit: updated, not duplicated.
    const again = csv('again.csv', ['Trần Thị Bình,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,202']);
    expect((await cli(['import', again])).out).toContain('0 người mới, 1 người đã có');
    expect(listOfficials(db)).toHaveLength(3);

    // An passes a test: the group's share rises to 1/2.
    const an = officials.find((o) => o.externalId === '201')!;
    const quiz = createAttempt(db, { contestId: 'tap-huan-quyen-con-nguoi', personId: known.id, channel: 'telegram' }, new Date());
    const ta = startTrainingAttempt(db, { officialId: an.id, trainingId: 'quyen-con-nguoi-co-ban', quizAttemptId: quiz.id });
    finishTrainingAttempt(db, ta, { correct: 5, total: 5, passed: true });
    const parsed = JSON.parse((await cli(['coverage', '--json'])).out) as {
      groups: { group: string; target: number; officials: number; trained: number; share: number | null; units: { unit: string; trained: number; officials: number }[] }[];
      totals: { officials: number; trained: number; share: number | null; inSeveralGroups: number };
    };
    const json = parsed.groups;
    expect(parsed.totals).toEqual({ officials: 3, trained: 1, share: 1 / 3, inSeveralGroups: 0 });
    const hr = json.find((g) => g.group === 'quyen-con-nguoi')!;
    expect(hr).toMatchObject({ target: 1, officials: 2, trained: 1, share: 0.5 });
    expect(hr.units).toEqual([
      { unit: 'UBND xã Phố Hiến', officials: 1, trained: 1, share: 1 },
      { unit: 'UBND xã Sơn Nam', officials: 1, trained: 0, share: 0 },
    ]);
    expect(json.find((g) => g.group === 'to-chuc-chinh-tri-xa-hoi')).toMatchObject({ target: 0.7, officials: 1, trained: 0 });
    const text = (await cli(['coverage'])).out;
    expect(text).toContain('Cán bộ làm công tác quyền con người (quyen-con-nguoi): chỉ tiêu 100%; đã tập huấn 1/2 = 50%; chưa đạt chỉ tiêu');
    expect(text).toContain('  UBND xã Phố Hiến: 1/1 = 100%');

    // Region scope: a Sơn Nam account sees only Sơn Nam's officials; a removed official no longer counts.
    expect(trainingCoverage(db, loadTraining('content').groups, { scope: ['son-nam'] }).map((g) => g.officials)).toEqual([1, 0, 0, 1]);
    removeOfficial(db, listOfficials(db).find((o) => o.channel === 'zalo')!.id);
    expect(trainingCoverage(db, loadTraining('content').groups).map((g) => g.officials)).toEqual([2, 0, 0, 0]);
  });
});

describe('trainingProblems', () => {
  it('names what keeps an approved training from working: a missing or draft article, a listed or closed test', async () => {
    const { trainingProblems } = await import('../../src/training/definition.js');
    const t = { id: 't', title: 'Khoá A', articles: ['co', 'nhap', 'khong-co'], quiz: 'q', pass_mark: 80, status: 'approved' as const };
    const now = new Date('2026-12-01T00:00:00Z');
    const problems = trainingProblems([t], {
      articleStatus: (id) => ({ co: 'approved', nhap: 'draft' })[id],
      contest: () => ({ status: 'approved', listed: true, closes: new Date('2026-11-30T00:00:00Z') }),
    }, now);
    expect(problems).toEqual([
      "Khoá “Khoá A”: bài viết 'nhap' chưa được duyệt, cán bộ sẽ không đọc được.",
      "Khoá “Khoá A”: không có bài viết mã 'khong-co' trong content/articles/.",
      "Khoá “Khoá A”: bài kiểm tra 'q' đã hết hạn (closes), cán bộ không làm bài được.",
      "Khoá “Khoá A”: bài kiểm tra 'q' đang hiện cho mọi người trong /thi; thêm dòng listed: false vào tệp của nó.",
    ]);
    // The shipped training has none.
    const { loadContent } = await import('../../src/knowledge/content.js');
    const { loadContests } = await import('../../src/quiz/definition.js');
    const articles = loadContent('content').articles;
    const contests = loadContests('content').contests;
    expect(
      trainingProblems(loadTraining('content').trainings, { articleStatus: (id) => articles.find((a) => a.id === id)?.status, contest: (id) => contests.find((c) => c.id === id) }, now),
    ).toEqual([]);
  });
});
