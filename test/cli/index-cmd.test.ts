import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/index-cmd.js';
import { createKnowledge, SNAPSHOT_FILE } from '../../src/knowledge/knowledge.js';
import { tempDir, testConfig } from '../support/app.js';

const qa = (id: string, body = 'Câu trả lời mẫu.') =>
  `---\nid: ${id}\nquestion: Câu hỏi ${id}?\ntopics: [ho-tich]\nsources:\n  - title: Luật Hộ tịch 2014\nstatus: approved\nreviewed_by: Ban biên tập\nreviewed_at: 2026-11-01\n---\n${body}\n`;

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function content(): string {
  const t = tempDir('loa-index-cmd-');
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, 'qa', 'ho-tich'), { recursive: true });
  writeFileSync(join(t.dir, 'topics.yaml'), '- slug: ho-tich\n  name: Hộ tịch\n');
  writeFileSync(join(t.dir, 'qa', 'ho-tich', 'cu.md'), qa('cu', 'Bản tốt.'));
  return t.dir;
}

function io() {
  const lines: string[] = [];
  return { lines, out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
}

describe('loa index', () => {
  it('refuses an unknown option in Vietnamese, with its usage', async () => {
    const o = io();
    expect(await run(['--contnet', 'x'], { ...o, config: testConfig() })).toBe(2);
    expect(o.lines.join('\n')).toMatch(/^loa index: không có tuỳ chọn '--contnet'\ncách dùng:/);
  });

  // Seen when a helper checked an office's content with `loa index --content DIR`: the option was
  // ignored and the served content indexed instead.
  it('--content checks another folder and writes nothing in the data dir', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const snapshot = join(config.dataDir, SNAPSHOT_FILE);
    const before = existsSync(snapshot) ? readFileSync(snapshot) : undefined;
    const files = readdirSync(config.dataDir).sort();
    const o = io();
    expect(await run(['--content', content()], { ...o, config })).toBe(0);
    expect(o.lines[0]).toMatch(/^Đã lập chỉ mục: 1 hỏi đáp, 0 bài viết \(.*; chỉ kiểm tra, không ghi vào LOA_DATA_DIR\)\.$/);
    // The served content's snapshot (seeded by testConfig, or none) is as it was.
    const after = existsSync(snapshot) ? readFileSync(snapshot) : undefined;
    expect(after === undefined ? before === undefined : before !== undefined && after.equals(before)).toBe(true);
    expect(readdirSync(config.dataDir).sort()).toEqual(files);
  });

  it('run while a file is broken, keeps that file\'s last good version for the next start', async () => {
    const dir = content();
    const config = { ...testConfig({ LOA_CONTENT_DIR: dir }) };
    cleanups.push(config.cleanup);
    expect(await run([], { ...io(), config })).toBe(0);
    writeFileSync(join(dir, 'qa', 'ho-tich', 'cu.md'), '---\nid: [unclosed\n---\nbody');
    const o = io();
    expect(await run([], { ...o, config })).toBe(1);
    expect(o.lines.join('\n')).toContain('cu.md');
    // The next start still serves what 'cu' said when it was valid.
    const restarted = createKnowledge({ contentDir: dir, dataDir: config.dataDir });
    expect(restarted.getQa('cu')?.answer).toBe('Bản tốt.');
  });
});
