import { afterEach, describe, expect, it, vi } from 'vitest';
import { cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lenientFrontMatter, loadContent, splitPassages, flattenRegions, parseContentDate } from '../../src/knowledge/content.js';
import { createKnowledge } from '../../src/knowledge/knowledge.js';
import { defaultSearchOptions } from '../../src/knowledge/search.js';
import { contentAdvice, contentProblem } from '../../src/http/health.js';
import { tempDir } from '../support/app.js';
import { rememberedCalibrate } from '../support/calibration-memo.js';
import { shippedCopy } from '../support/shipped-copy.js';

const qa = (id: string, extra = '', body = 'Câu trả lời mẫu.') => `---
id: ${id}
question: Câu hỏi ${id}?
topics: [ho-tich]
sources:
  - title: Luật Hộ tịch 2014
    article: Điều 15
status: approved
reviewed_by: Ban biên tập
reviewed_at: 2026-01-10
${extra}---
${body}
`;

function fixture(): { dir: string; cleanup: () => void } {
  const t = tempDir('loa-content-');
  mkdirSync(join(t.dir, 'qa', 'ho-tich'), { recursive: true });
  writeFileSync(join(t.dir, 'topics.yaml'), '- slug: ho-tich\n  name: Hộ tịch\n');
  return t;
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('content loader', () => {
  it('loads the shipped sample content without errors', () => {
    const c = loadContent('content');
    expect(c.errors).toEqual([]);
    expect(c.qa.filter((q) => q.status === 'approved').length).toBeGreaterThanOrEqual(60);
    expect(c.articles.length).toBeGreaterThanOrEqual(8);
  });

  it('reports every error with its file and field, not just the first', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'good.md'), qa('good'));
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'bad-topic.md'), qa('bad-topic').replace('[ho-tich]', '[khong-co]'));
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'no-status.md'), qa('no-status').replace('status: approved\n', ''));
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'wrong-name.md'), qa('other-id'));
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'broken.md'), '---\nid: [unclosed\n---\nbody');
    const c = loadContent(t.dir);
    expect(c.qa.map((q) => q.id)).toEqual(['good']);
    const find = (file: string) => c.errors.find((e) => e.file === join('qa', 'ho-tich', file));
    expect(find('bad-topic.md')).toMatchObject({ field: 'topics.0' });
    expect(find('no-status.md')).toMatchObject({ field: 'status' });
    expect(find('wrong-name.md')).toMatchObject({ field: 'id' });
    expect(find('broken.md')?.field).toBe('(phần khai báo)');
    expect(c.errors.length).toBeGreaterThanOrEqual(4);
  });

  // What `loa index`, `loa doctor`, /healthz and the log show staff (seen on a trial run with an
  // office's own content: "topics: thiếu hoặc không đúng kiểu" and an English YAML message with a
  // line counted inside the front matter).
  it('words each error in Vietnamese with what to do: a missing field, a wrong type, a YAML syntax error and its line in the file', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'no-topics.md'), qa('no-topics').replace('topics: [ho-tich]\n', ''));
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'topic-text.md'), qa('topic-text').replace('sources:\n  - title: Luật Hộ tịch 2014\n    article: Điều 15\n', 'sources: Luật Hộ tịch 2014\n'));
    // The colon after a field's name forgotten. (A colon inside the question is read as meant: lenientFrontMatter.)
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'colon.md'), qa('colon').replace('status: approved', 'status approved'));
    const c = loadContent(t.dir);
    const find = (file: string) => c.errors.find((e) => e.file === join('qa', 'ho-tich', file));
    expect(find('no-topics.md')).toEqual({ file: join('qa', 'ho-tich', 'no-topics.md'), field: 'topics', message: expect.stringMatching(/^thiếu trường này: thêm một dòng/) });
    expect(find('topic-text.md')).toMatchObject({ field: 'sources', message: expect.stringMatching(/^không đúng kiểu: cần một danh sách/) });
    const colon = find('colon.md')!;
    expect(colon.field).toBe('(phần khai báo)');
    expect(colon.message).toMatch(/^sai cú pháp YAML ở dòng 8 của tệp: .*kiểm tra dấu hai chấm và dấu cách sau tên trường/);
    expect(colon.message).toContain('Chi tiết kỹ thuật: ');
  });

  it('a shared file with a YAML syntax error: one error, with its line, the usual fixes, in Vietnamese', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'good.md'), qa('good'));
    writeFileSync(join(t.dir, 'topics.yaml'), '- slug: ho-tich\n  name: Hộ tịch: khai sinh\n');
    const c = loadContent(t.dir);
    // Not also "(tệp): thiếu hoặc không đúng kiểu" for the schema of a file that did not parse.
    expect(c.errors.filter((e) => e.file === 'topics.yaml')).toEqual([
      { file: 'topics.yaml', field: '(tệp)', message: expect.stringMatching(/^sai cú pháp YAML ở dòng 2 của tệp: kiểm tra dấu hai chấm.*Chi tiết kỹ thuật: /) },
    ]);
  });

  it('answers only approved, unexpired entries', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'khai-sinh.md'), qa('khai-sinh', '', 'Đăng ký khai sinh trong 60 ngày.').replace('Câu hỏi khai-sinh?', 'Thời hạn đăng ký khai sinh là bao lâu?'));
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'nhap.md'), qa('nhap').replace('status: approved', 'status: draft').replace('Câu hỏi nhap?', 'Thủ tục nhận con nuôi thế nào?'));
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'het-han.md'), qa('het-han', 'expires: 2020-01-01\n').replace('Câu hỏi het-han?', 'Lệ phí cấp bản sao trích lục hộ tịch?'));
    const k = createKnowledge({ contentDir: t.dir, now: () => new Date('2026-11-23T00:00:00Z') });
    expect(k.answer('thời hạn đăng ký khai sinh').kind).toBe('answer');
    expect(k.answer('thủ tục nhận con nuôi').kind).toBe('none');
    expect(k.answer('lệ phí bản sao trích lục hộ tịch').kind).toBe('none');
  });

  it('accepts front matter as offices write it by hand: one topic without brackets, any case, no id, dates day first', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'topics.yaml'), '- slug: ho-tich\n  name: Hộ tịch\n- slug: cu-tru\n  name: Cư trú\n');
    const loose = qa('loose', 'variants: Khai sinh muộn có bị phạt không?\nexpires: 31/12/2027\n')
      .replace('topics: [ho-tich]', 'topics: ho-tich, cu-tru')
      .replace('status: approved', 'status: Approved')
      .replace('reviewed_at: 2026-01-10', 'reviewed_at: 07/12/2026')
      .replace('id: loose\n', '');
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'loose.md'), loose);
    const c = loadContent(t.dir);
    expect(c.errors).toEqual([]);
    const e = c.qa.find((q) => q.id === 'loose')!;
    expect(e).toMatchObject({ status: 'approved', topics: ['ho-tich', 'cu-tru'], variants: ['Khai sinh muộn có bị phạt không?'] });
    // 7 December, not 12 July; 31 December 2027, not an invalid month.
    expect(e.reviewedAt).toBe('2026-12-07');
    expect(e.expires).toBe('2027-12-31');
  });

  it('reads dates as YYYY-MM-DD or day first, and refuses what is not a date', () => {
    expect(parseContentDate('2026-12-07')).toBe('2026-12-07');
    expect(parseContentDate('07/12/2026')).toBe('2026-12-07');
    expect(parseContentDate('7-12-2026')).toBe('2026-12-07');
    expect(parseContentDate('31.01.2026')).toBe('2026-01-31');
    for (const bad of ['31/02/2026', '2026-13-01', '12/31/2026', 'hôm nay', '2026']) expect(parseContentDate(bad)).toBeUndefined();
    const t = fixture();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'sai-ngay.md'), qa('sai-ngay', 'expires: 12/31/2026\n'));
    const [err] = loadContent(t.dir).errors;
    expect(err).toMatchObject({ file: 'qa/ho-tich/sai-ngay.md', field: 'expires' });
    expect(err!.message).toContain('31/01/2026');
  });

  it('loads again what changed since the last load, and only that, handing out copies', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    const file = (id: string) => join(t.dir, 'qa', 'ho-tich', `${id}.md`);
    writeFileSync(file('a'), qa('a', '', 'Trả lời A.'));
    writeFileSync(file('b'), qa('b', '', 'Trả lời B.'));
    const first = loadContent(t.dir);
    // A caller changing what it got does not change the next load.
    first.qa[0]!.answer = 'đã bị sửa trong bộ nhớ';
    first.qa[0]!.topics.push('khac');
    let again = loadContent(t.dir);
    expect(again.qa.map((q) => [q.id, q.answer, q.topics])).toEqual([
      ['a', 'Trả lời A.', ['ho-tich']],
      ['b', 'Trả lời B.', ['ho-tich']],
    ]);
    // An edit, a broken file, a removed file and a new one are all seen.
    writeFileSync(file('a'), qa('a', '', 'Trả lời A, bản mới.'));
    writeFileSync(file('b'), qa('b').replace('status: approved\n', ''));
    writeFileSync(file('c'), qa('c', '', 'Trả lời C.'));
    again = loadContent(t.dir);
    expect(again.qa.map((q) => [q.id, q.answer])).toEqual([
      ['a', 'Trả lời A, bản mới.'],
      ['c', 'Trả lời C.'],
    ]);
    expect(again.errors).toEqual([expect.objectContaining({ file: join('qa', 'ho-tich', 'b.md'), field: 'status' })]);
    writeFileSync(file('b'), qa('b', '', 'Trả lời B.'));
    rmSync(file('c'));
    expect(loadContent(t.dir).qa.map((q) => q.id)).toEqual(['a', 'b']);
    // A topic removed from topics.yaml makes the unchanged files that use it errors again.
    writeFileSync(join(t.dir, 'topics.yaml'), '- slug: khac\n  name: Khác\n');
    const noTopic = loadContent(t.dir);
    expect(noTopic.qa).toEqual([]);
    expect(noTopic.errors.map((e) => e.field)).toEqual(['topics.0', 'topics.0']);
  });

  it('allows a content dir without articles, quizzes, regions or synonyms', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'a.md'), qa('a'));
    expect(loadContent(t.dir).errors).toEqual([]);
  });

  it('splits articles into passages at ## headings', () => {
    const p = splitPassages('bai', 'Tiêu đề', 'Mở đầu.\n\n## Phần một\nNội dung 1.\n\n## Phần hai\nNội dung 2.');
    expect(p.map((x) => [x.id, x.heading])).toEqual([
      ['bai#0', 'Tiêu đề'],
      ['bai#1', 'Phần một'],
      ['bai#2', 'Phần hai'],
    ]);
  });

  it('accepts a region tree of any depth', () => {
    const flat = flattenRegions([
      { slug: 'tinh', name: 'Tỉnh', children: [{ slug: 'huyen', name: 'Huyện cũ', children: [{ slug: 'xa', name: 'Xã' }] }] },
    ]);
    expect(flat.get('xa')?.path).toEqual(['tinh', 'huyen', 'xa']);
  });
});

describe('knowledge snapshot and reload', () => {
  // These build the shipped content several times over, the subject being the snapshot and the
  // reloads: the decision is fitted without the estimates (as a reload does; they change no
  // answer, test/knowledge/calibrate.test.ts), and its fits are remembered per test process
  // (calibration-memo.ts).
  const fit = { calibrate: rememberedCalibrate, calibrationEstimates: false };
  it('starts from the snapshot when content and options are unchanged, and rebuilds when content changes', () => {
    const data = tempDir('loa-data-');
    const content = tempDir('loa-content-');
    cleanups.push(data.cleanup, content.cleanup);
    cpSync('content', content.dir, { recursive: true });
    const first = createKnowledge({ contentDir: content.dir, dataDir: data.dir, ...fit });
    expect(first.state.fromSnapshot).toBe(false);
    const second = createKnowledge({ contentDir: content.dir, dataDir: data.dir, ...fit });
    expect(second.state.fromSnapshot).toBe(true);
    expect(second.answer('bhyt tre em duoi 6 tuoi')).toMatchObject({ kind: 'answer' });
    writeFileSync(join(content.dir, 'qa', 'ho-tich', 'moi-them.md'), qa('moi-them'));
    const third = createKnowledge({ contentDir: content.dir, dataDir: data.dir, ...fit });
    expect(third.state.fromSnapshot).toBe(false);
    expect(third.getQa('moi-them')).toBeDefined();
  });

  it('keeps the index and its fitted decision when only what is not served changed, and rebuilds when it did', async () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    const data = tempDir('loa-data-');
    cleanups.push(data.cleanup);
    const file = (id: string) => join(t.dir, 'qa', 'ho-tich', `${id}.md`);
    writeFileSync(file('khai-sinh'), qa('khai-sinh', '', 'Đăng ký khai sinh trong 60 ngày.').replace('Câu hỏi khai-sinh?', 'Thời hạn đăng ký khai sinh là bao lâu?'));
    let fits = 0;
    const counted = { calibrate: ((...a: Parameters<typeof rememberedCalibrate>) => (fits++, rememberedCalibrate(...a))) as typeof rememberedCalibrate, calibrationEstimates: false };
    const k = createKnowledge({ contentDir: t.dir, dataDir: data.dir, buildThread: false, ...counted });
    expect(fits).toBe(1);
    // A draft saved, then edited: nothing served changed, so nothing is fitted again; staff see it.
    const draft = qa('con-nuoi', '', 'Nộp hồ sơ tại UBND xã.').replace('status: approved', 'status: draft').replace('Câu hỏi con-nuoi?', 'Thủ tục nhận con nuôi thế nào?');
    writeFileSync(file('con-nuoi'), draft);
    expect(await k.reload()).toMatchObject({ ok: true });
    writeFileSync(file('con-nuoi'), draft.replace('UBND xã', 'Ủy ban nhân dân xã'));
    expect(await k.reload()).toMatchObject({ ok: true });
    expect(fits).toBe(1);
    expect(k.getQa('con-nuoi')).toMatchObject({ status: 'draft', answer: 'Nộp hồ sơ tại Ủy ban nhân dân xã.' });
    expect(k.answer('thủ tục nhận con nuôi').kind).toBe('none');
    expect(k.answer('thời hạn đăng ký khai sinh')).toMatchObject({ kind: 'answer', id: 'khai-sinh' });
    // A fresh start (the build thread builds this way) reuses the snapshot of the earlier content too.
    writeFileSync(file('con-nuoi'), draft.replace('UBND xã', 'UBND cấp xã'));
    const fresh = createKnowledge({ contentDir: t.dir, dataDir: data.dir, buildThread: false, ...counted });
    expect(fits).toBe(1);
    expect(fresh.getQa('con-nuoi')?.answer).toBe('Nộp hồ sơ tại UBND cấp xã.');
    expect(fresh.answer('thời hạn đăng ký khai sinh')).toMatchObject({ kind: 'answer', id: 'khai-sinh' });
    // Approved: now it is served, so the index is built and the decision fitted again.
    writeFileSync(file('con-nuoi'), draft.replace('status: draft', 'status: approved'));
    expect(await k.reload()).toMatchObject({ ok: true });
    expect(fits).toBe(2);
    expect(k.answer('thủ tục nhận con nuôi')).toMatchObject({ kind: 'answer', id: 'con-nuoi' });
    // A served entry's answer edited: rebuilt too (its text is what coverage is checked on).
    writeFileSync(file('khai-sinh'), qa('khai-sinh', '', 'Đăng ký khai sinh trong 60 ngày kể từ ngày sinh.').replace('Câu hỏi khai-sinh?', 'Thời hạn đăng ký khai sinh là bao lâu?'));
    expect(await k.reload()).toMatchObject({ ok: true });
    expect(fits).toBe(3);
    expect(k.getQa('khai-sinh')?.answer).toContain('kể từ ngày sinh');
  });

  it('watches folders created after it started: edits of a file in a new topic folder, saved by renaming, are served', async () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'cu.md'), qa('cu'));
    const k = createKnowledge({ contentDir: t.dir, ...fit });
    k.watch();
    cleanups.push(() => k.close());
    // Staff add a topic folder and a first entry in it, then correct that entry.
    mkdirSync(join(t.dir, 'qa', 'moi'));
    const file = join(t.dir, 'qa', 'moi', 'tiep-dan.md');
    writeFileSync(file, qa('tiep-dan', '', 'Tiếp công dân sáng thứ Năm.'));
    await vi.waitFor(() => expect(k.getQa('tiep-dan')?.answer).toBe('Tiếp công dân sáng thứ Năm.'), { timeout: 10_000, interval: 50 });
    // Editors and `sed -i` save by writing a new file and renaming it over the old one, twice here.
    const save = (text: string): void => {
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    };
    save(qa('tiep-dan', '', 'Tiếp công dân sáng thứ Năm, bản nháp.'));
    await vi.waitFor(() => expect(k.getQa('tiep-dan')?.answer).toBe('Tiếp công dân sáng thứ Năm, bản nháp.'), { timeout: 10_000, interval: 50 });
    save(qa('tiep-dan', '', 'Tiếp công dân sáng thứ Năm và chiều thứ Sáu.'));
    await vi.waitFor(() => expect(k.getQa('tiep-dan')?.answer).toBe('Tiếp công dân sáng thứ Năm và chiều thứ Sáu.'), { timeout: 10_000, interval: 50 });
  });

  it('keeps serving the last good index when a reload fails validation', async () => {
    // Started from the run's snapshot of the content (a restart), reloaded on this thread.
    const copy = shippedCopy();
    cleanups.push(copy.cleanup);
    const k = createKnowledge({ contentDir: copy.contentDir, dataDir: copy.dataDir, buildThread: false, ...fit });
    const before = k.answer('bhyt tre em duoi 6 tuoi');
    expect(before.kind).toBe('answer');
    writeFileSync(join(copy.contentDir, 'qa', 'ho-tich', 'hong.md'), '---\nid: hong\nquestion: x\n---\n');
    const r = await k.reload();
    expect(r.ok).toBe(false);
    expect(r.errors.some((e) => e.file.endsWith('hong.md'))).toBe(true);
    expect(k.answer('bhyt tre em duoi 6 tuoi')).toMatchObject({ kind: 'answer', id: (before as { id: string }).id });
  });

  describe('one broken entry file does not freeze publishing (issue 16, item 5)', () => {
    const file = (dir: string, id: string): string => join(dir, 'qa', 'ho-tich', `${id}.md`);
    const served = (k: ReturnType<typeof createKnowledge>): string[] => k.state.qa.map((q) => q.id).sort();

    it('publishes the valid entries and keeps serving a broken file’s last good version', async () => {
      const t = fixture();
      cleanups.push(t.cleanup);
      writeFileSync(file(t.dir, 'cu'), qa('cu', '', 'Bản tốt.'));
      const k = createKnowledge({ contentDir: t.dir });
      expect(served(k)).toEqual(['cu']);
      // Someone breaks 'cu' by hand; then a new entry is approved.
      writeFileSync(file(t.dir, 'cu'), qa('cu').replace('status: approved\n', 'status: ok\n'));
      writeFileSync(file(t.dir, 'moi'), qa('moi'));
      const r = await k.reload();
      expect(r).toMatchObject({ ok: false, published: true });
      expect(r.errors.map((e) => e.file)).toEqual([join('qa', 'ho-tich', 'cu.md')]);
      expect(k.errors.map((e) => e.field)).toEqual(['status']);
      expect(served(k)).toEqual(['cu', 'moi']);
      expect(k.getQa('cu')?.answer).toBe('Bản tốt.');
      // A new file that is broken from the start has no good version: it is simply not served.
      writeFileSync(file(t.dir, 'hong'), '---\nid: hong\nquestion: x\n---\n');
      expect(await k.reload()).toMatchObject({ ok: false, published: true });
      expect(served(k)).toEqual(['cu', 'moi']);
      // Fixed: the file's new version replaces the last good one.
      writeFileSync(file(t.dir, 'cu'), qa('cu', '', 'Bản đã sửa.'));
      writeFileSync(file(t.dir, 'hong'), qa('hong'));
      expect(await k.reload()).toMatchObject({ ok: true, published: true, errors: [] });
      expect(k.getQa('cu')?.answer).toBe('Bản đã sửa.');
      expect(served(k)).toEqual(['cu', 'hong', 'moi']);
    });

    it('keeps the whole last good index when a shared file (topics.yaml) is broken', async () => {
      const t = fixture();
      cleanups.push(t.cleanup);
      writeFileSync(file(t.dir, 'cu'), qa('cu'));
      const k = createKnowledge({ contentDir: t.dir });
      writeFileSync(join(t.dir, 'topics.yaml'), '- slug: Ho Tich\n');
      writeFileSync(file(t.dir, 'moi'), qa('moi'));
      expect(await k.reload()).toMatchObject({ ok: false, published: false });
      expect(served(k)).toEqual(['cu']);
    });

    /** A snapshot with 'cu' good, then 'cu' broken by hand and 'moi' added, as found at the next start. */
    const brokenAfterSnapshot = async (): Promise<{ dir: string; data: string }> => {
      const t = fixture();
      const data = tempDir('loa-data-');
      cleanups.push(t.cleanup, data.cleanup);
      writeFileSync(file(t.dir, 'cu'), qa('cu', '', 'Bản tốt.'));
      // Reloaded here: a build thread (build-thread.test.ts) would only start a worker to find
      // the content unchanged.
      await createKnowledge({ contentDir: t.dir, dataDir: data.dir, buildThread: false }).reload();
      writeFileSync(file(t.dir, 'cu'), '---\nid: [unclosed\n---\nbody');
      writeFileSync(file(t.dir, 'moi'), qa('moi'));
      return { dir: t.dir, data: data.dir };
    };
    /** Options of a later Loa: its snapshot key differs, so the old snapshot's index is refused. */
    const upgradedOptions = { ...defaultSearchOptions, bigramWeight: defaultSearchOptions.bigramWeight + 0.01 };

    it('after a restart, serves the same entries again and still reports the broken file', async () => {
      const t = await brokenAfterSnapshot();
      const restarted = createKnowledge({ contentDir: t.dir, dataDir: t.data });
      expect(served(restarted)).toEqual(['cu', 'moi']);
      expect(restarted.getQa('cu')?.answer).toBe('Bản tốt.');
      expect(restarted.errors.map((e) => e.file)).toEqual([join('qa', 'ho-tich', 'cu.md')]);
      // Once more, from the partial snapshot this time.
      const again = createKnowledge({ contentDir: t.dir, dataDir: t.data });
      expect(again.state.fromSnapshot).toBe(true);
      expect(served(again)).toEqual(['cu', 'moi']);
      expect(again.errors).toHaveLength(1);
    });

    // A Loa upgrade changes the search options (or the analyzer): the old snapshot's index is
    // refused, but its entries are still the last good versions the office wrote.
    it('after an upgrade (a snapshot of other options), still serves a broken file’s last good version', async () => {
      const t = await brokenAfterSnapshot();
      const upgraded = createKnowledge({ contentDir: t.dir, dataDir: t.data, options: upgradedOptions });
      expect(served(upgraded)).toEqual(['cu', 'moi']);
      expect(upgraded.getQa('cu')?.answer).toBe('Bản tốt.');
      expect(upgraded.lastGoodMissing).toEqual([]);
    });

    it('after an upgrade with a shared file broken, serves the last good content, indexed again', () => {
      const t = fixture();
      const data = tempDir('loa-data-');
      cleanups.push(t.cleanup, data.cleanup);
      writeFileSync(file(t.dir, 'cu'), qa('cu'));
      createKnowledge({ contentDir: t.dir, dataDir: data.dir, buildThread: false });
      writeFileSync(join(t.dir, 'topics.yaml'), '- slug: Ho Tich\n');
      writeFileSync(file(t.dir, 'moi'), qa('moi'));
      const upgraded = createKnowledge({ contentDir: t.dir, dataDir: data.dir, options: upgradedOptions });
      expect(served(upgraded)).toEqual(['cu']);
      expect(upgraded.answer('cu').kind).toBeDefined();
      expect(upgraded.lastGoodMissing).toEqual([]);
      // Indexed once: the next start (and the search thread) loads it from the snapshot.
      const again = createKnowledge({ contentDir: t.dir, dataDir: data.dir, options: upgradedOptions });
      expect(again.state.fromSnapshot).toBe(true);
      expect(served(again)).toEqual(['cu']);
    });

    it('says which broken files have no last good version to serve', async () => {
      const t = fixture();
      cleanups.push(t.cleanup);
      writeFileSync(file(t.dir, 'cu'), qa('cu', '', 'Bản tốt.'));
      const k = createKnowledge({ contentDir: t.dir });
      expect(k.lastGoodMissing).toEqual([]);
      writeFileSync(file(t.dir, 'cu'), qa('cu').replace('status: approved\n', 'status: ok\n'));
      writeFileSync(file(t.dir, 'hong'), '---\nid: hong\nquestion: x\n---\n');
      await k.reload();
      // 'cu' keeps its last good version; 'hong' never had one.
      expect(k.lastGoodMissing).toEqual([join('qa', 'ho-tich', 'hong.md')]);
      // A first start with a broken file: nothing earlier to serve it from.
      const fresh = createKnowledge({ contentDir: t.dir });
      expect(fresh.lastGoodMissing.sort()).toEqual([join('qa', 'ho-tich', 'cu.md'), join('qa', 'ho-tich', 'hong.md')]);
      // Shared file broken on a first start: nothing serves as a last good index.
      writeFileSync(join(t.dir, 'topics.yaml'), '- slug: Ho Tich\n');
      const noLastGood = createKnowledge({ contentDir: t.dir });
      expect(noLastGood.lastGoodMissing).toContain('topics.yaml');
    });

    it('/healthz and the dashboard say a last good version serves only when one does', () => {
      const hong = join('qa', 'ho-tich', 'hong.md');
      expect(contentProblem(1, 1, [])).toBe('Nội dung: 1 lỗi; sửa các tệp được nêu (trong lúc đó bản hợp lệ trước vẫn được dùng).');
      const missing = contentProblem(2, 2, [hong]);
      expect(missing).not.toContain('vẫn được dùng).');
      expect(missing).toContain(`Chưa có bản hợp lệ nào trước đó để dùng tạm cho ${hong}: nội dung trong đó chưa được dùng để trả lời cho đến khi sửa xong.`);
      expect(missing).toContain('Các tệp lỗi khác vẫn dùng bản hợp lệ trước.');
      expect(contentAdvice(1, [hong])).toMatch(/^Sửa các tệp được nêu\. Chưa có bản hợp lệ/);
      expect(contentAdvice(1, [hong])).not.toContain('Các tệp lỗi khác');
    });
  });
});

describe('front matter as staff type it (lenientFrontMatter)', () => {
  it('reads what Word and Notepad make of it: a colon or # in a sentence, typographic quotes, non-breaking spaces, Tab indents', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    const file = (id: string, front: string) =>
      writeFileSync(join(t.dir, 'qa', 'ho-tich', `${id}.md`), `---\nid: ${id}\n${front}\nsources:\n\t- title: Luật Hộ tịch 2014: Điều 15\n\t  article: Điều 15\nstatus: “approved”\nreviewed_by: Ban biên tập\nreviewed_at: 2026-01-10\n---\nCâu trả lời mẫu.\n`);
    file('hai-cham', 'question: Hỏi: đăng ký khai sinh ở đâu?\nvariants:\n  - Cho hỏi: khai sinh cho con ở xã nào?\n  - khai sinh ở đâu\ntopics:\u00a0[ho-tich]');
    file('thang', 'question: Gọi #111 có mất tiền không?\ntopics: [ho-tich] # chủ đề');
    const c = loadContent(t.dir);
    expect(c.errors).toEqual([]);
    const byId = Object.fromEntries(c.qa.map((q) => [q.id, q]));
    expect(byId['hai-cham']).toMatchObject({
      question: 'Hỏi: đăng ký khai sinh ở đâu?',
      variants: ['Cho hỏi: khai sinh cho con ở xã nào?', 'khai sinh ở đâu'],
      topics: ['ho-tich'],
      status: 'approved',
      sources: [{ title: 'Luật Hộ tịch 2014: Điều 15', article: 'Điều 15' }],
    });
    // YAML read '#111 …' as a comment: the question was silently 'Gọi'.
    expect(byId.thang!.question).toBe('Gọi #111 có mất tiền không?');
  });

  it('keeps line numbers and leaves YAML syntax alone', () => {
    const front = 'question: "Đã: trong ngoặc"\nvariants: [a, b]\ntitle: >\n  dòng: dài\nstatus: draft # còn nháp\n\t- x';
    const out = lenientFrontMatter(front);
    expect(out.split('\n')).toHaveLength(front.split('\n').length);
    expect(out).toBe('question: "Đã: trong ngoặc"\nvariants: [a, b]\ntitle: >\n  dòng: dài\nstatus: draft # còn nháp\n  - x');
  });
});

describe('an answer pasted from Word (officeBody)', () => {
  it('serves its bullet list without tabs, bullet first, and its non-breaking spaces as spaces', () => {
    const t = fixture();
    cleanups.push(t.cleanup);
    const body = 'Lao động nữ sinh con được nghỉ:\n\t•\tSinh một con: 6 tháng;\n    ●  Sinh đôi trở lên:\u00a0thêm 1 tháng mỗi con.\nXem\tthêm Điều 53.';
    writeFileSync(join(t.dir, 'qa', 'ho-tich', 'thai-san.md'), qa('thai-san', '', body));
    const c = loadContent(t.dir);
    expect(c.errors).toEqual([]);
    expect(c.qa[0]!.answer).toBe('Lao động nữ sinh con được nghỉ:\n• Sinh một con: 6 tháng;\n• Sinh đôi trở lên: thêm 1 tháng mỗi con.\nXem thêm Điều 53.');
  });
});

describe('a line separator in a hand-written file (U+2028, pasted from a web page or a PDF)', () => {
  it('is part of the value, not the end of the whole load', () => {
    const front = 'id: x\nquestion: Dòng một\u2028dòng hai: còn tiếp\nvariants:\n  - Một\u2029hai\n';
    const out = lenientFrontMatter(front);
    expect(out).toContain('question: "Dòng một\u2028dòng hai: còn tiếp"');
    expect(out).toContain('- Một\u2029hai');
  });
});

