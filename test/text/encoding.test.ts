/**
 * Files as offices save them (text/encoding.ts): Notepad's UTF-8 with a BOM and its "Unicode"
 * (UTF-16), "ANSI" (Windows-1258, not UTF-8), and Vietnamese typed in the old TCVN3 (ABC) and
 * VNI Windows font encodings. Each is read or refused, by the content loader, the quizzes and the
 * training plan, with the file, where, and what to do.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeTextFile, legacyVietnamese } from '../../src/text/encoding.js';
import { loadContent } from '../../src/knowledge/content.js';
import { loadContests } from '../../src/quiz/definition.js';
import { checkRawEntryText } from '../../src/admin/raw-content.js';
import { tempDir } from '../support/app.js';

// "Trẻ em có quyền được học tập không?" and its answer, as each old encoding turns them into
// Unicode letters (the TCVN3 and VNI tables as Unikey converts them).
const UNICODE = { q: 'Trẻ em có quyền được học tập không?', a: 'Trẻ em có quyền được giáo dục, học tập để phát triển toàn diện.' };
const TCVN3 = { q: 'TrÎ em cã quyÒn ®\u00adîc häc tËp kh«ng?', a: 'TrÎ em cã quyÒn ®\u00adîc gi¸o dôc, häc tËp ®Ó ph¸t triÓn toµn diÖn.' };
const VNI = { q: 'Treû em coù quyeàn ñöôïc hoïc taäp khoâng?', a: 'Treû em coù quyeàn ñöôïc giaùo duïc, hoïc taäp ñeå phaùt trieån toaøn dieän.' };

const entry = (id: string, t: { q: string; a: string }) => `---
id: ${id}
question: ${t.q}
topics: [quyen-tre-em]
sources:
  - title: Luật Trẻ em năm 2016
    article: Điều 16
status: approved
reviewed_by: Ban biên tập
reviewed_at: 2026-11-01
---
${t.a}
`;

/**
 * Lines as Notepad's "ANSI" saves them on a Vietnamese Windows (Windows-1258: a letter with its
 * tone as a base letter and a combining tone byte), made with Python's cp1258 codec.
 */
const ANSI_QUESTION = Buffer.from('7175657374696f6e3a20547265d220656d20636fec20717579eacc6e20f0fdf5f26320686ff2632074e2f270206b68f46e673f0a', 'hex'); // "question: Trẻ em có quyền được học tập không?\n"
const ANSI_TOPIC = Buffer.from('517579eacc6e20747265d220656d0a', 'hex'); // "Quyền trẻ em\n"

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function contentDir(): string {
  const t = tempDir('loa-encoding-');
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, 'qa', 'quyen-tre-em'), { recursive: true });
  writeFileSync(join(t.dir, 'topics.yaml'), '- slug: quyen-tre-em\n  name: Quyền trẻ em\n');
  return t.dir;
}

describe('decoding a file', () => {
  it('reads UTF-8 with and without a BOM, and UTF-16 with a BOM either way round', () => {
    const text = entry('a', UNICODE);
    for (const bytes of [
      Buffer.from(text),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
    ])
      expect(decodeTextFile(bytes)).toEqual({ ok: true, text });
  });

  it('refuses bytes that are not UTF-8, naming the line of the first', () => {
    expect(decodeTextFile(Buffer.concat([Buffer.from('---\nid: a\n'), ANSI_QUESTION]))).toEqual({ ok: false, line: 3 });
    // Cut in the middle of a character.
    expect(decodeTextFile(Buffer.from([0x61, 0x0a, 0xe1, 0xba]))).toEqual({ ok: false, line: 2 });
  });
});

describe('Vietnamese in an old font encoding', () => {
  it('recognises TCVN3 (ABC) and VNI Windows, with words as examples', () => {
    expect(legacyVietnamese(`${TCVN3.q}\n${TCVN3.a}`)).toEqual({ encoding: 'TCVN3 (ABC)', examples: ['TrÎ', '®\u00adîc', 'häc'] });
    expect(legacyVietnamese(`${VNI.q}\n${VNI.a}`)).toEqual({ encoding: 'VNI Windows', examples: ['Treû', 'ñöôïc', 'hoïc'] });
  });

  it('leaves real Vietnamese alone: every text file Loa ships, and foreign names and symbols in it', () => {
    expect(legacyVietnamese(`${UNICODE.q} ${UNICODE.a}`)).toBeUndefined();
    expect(legacyVietnamese('Ông José Peña (Tây Ban Nha) và bà Zoë Müller đến thăm Hà Nội; Microsoft® Word © 2024, nhiệt độ 30°C, 3×4.')).toBeUndefined();
    const files = execSync("git ls-files 'content/*' 'src/*.txt' 'src/*.yaml' 'test/fixtures/*.md'", { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => legacyVietnamese(readFileSync(f, 'utf8')))).toEqual([]);
  });
});

describe('the content loader', () => {
  it('loads UTF-8 with a BOM and UTF-16 files, and refuses ANSI, TCVN3 and VNI files naming the file and what to do', () => {
    const dir = contentDir();
    const at = (id: string) => join(dir, 'qa', 'quyen-tre-em', `${id}.md`);
    writeFileSync(at('utf8'), entry('utf8', UNICODE));
    writeFileSync(at('bom'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(entry('bom', UNICODE))]));
    writeFileSync(at('notepad-unicode'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(entry('notepad-unicode', UNICODE), 'utf16le')]));
    writeFileSync(at('ansi'), Buffer.concat([Buffer.from('---\nid: ansi\n'), ANSI_QUESTION, Buffer.from(entry('ansi', UNICODE).split('\n').slice(3).join('\n'))]));
    writeFileSync(at('tcvn3'), entry('tcvn3', TCVN3));
    writeFileSync(at('vni'), entry('vni', VNI));

    const c = loadContent(dir);
    expect(c.qa.map((q) => [q.id, q.question]).sort()).toEqual([
      ['bom', UNICODE.q],
      ['notepad-unicode', UNICODE.q],
      ['utf8', UNICODE.q],
    ]);
    const errors = Object.fromEntries(c.errors.map((e) => [e.file, e]));
    expect(Object.keys(errors).sort()).toEqual(['qa/quyen-tre-em/ansi.md', 'qa/quyen-tre-em/tcvn3.md', 'qa/quyen-tre-em/vni.md']);
    expect(errors['qa/quyen-tre-em/ansi.md']).toMatchObject({ field: '(tệp)', message: expect.stringMatching(/không được lưu ở mã UTF-8.*dòng 3.*chọn UTF-8/) });
    expect(errors['qa/quyen-tre-em/tcvn3.md']!.message).toMatch(/bảng mã cũ TCVN3 \(ABC\) \(ví dụ “TrÎ”.*Unikey.*nguồn “TCVN3 \(ABC\)”, đích “Unicode”/);
    expect(errors['qa/quyen-tre-em/vni.md']!.message).toMatch(/bảng mã cũ VNI Windows \(ví dụ “Treû”.*nguồn “VNI Windows”/);
  });

  it('refuses a topics list saved as ANSI instead of reading garbled names', () => {
    const dir = contentDir();
    writeFileSync(join(dir, 'topics.yaml'), Buffer.concat([Buffer.from('- slug: quyen-tre-em\n  name: '), ANSI_TOPIC]));
    const c = loadContent(dir);
    expect(c.errors).toContainEqual(expect.objectContaining({ file: 'topics.yaml', field: '(tệp)', message: expect.stringMatching(/không được lưu ở mã UTF-8.*dòng 2/) }));
  });

  it('refuses a contest typed in TCVN3', () => {
    const dir = contentDir();
    mkdirSync(join(dir, 'quizzes'));
    const contest = (t: { q: string }) =>
      `title: Hội thi tìm hiểu quyền trẻ em\nquestions:\n  - text: ${t.q}\n    options: [Có, Không]\n    answer: 1\n`;
    writeFileSync(join(dir, 'quizzes', 'tcvn3.yaml'), contest(TCVN3).replace('Hội thi tìm hiểu quyền trẻ em', 'Héi thi t×m hiÓu quyÒn trÎ em'));
    const loaded = loadContests(dir);
    expect(loaded.errors).toContainEqual(expect.objectContaining({ file: join('quizzes', 'tcvn3.yaml'), field: '(tệp)', message: expect.stringMatching(/TCVN3 \(ABC\)/) }));
  });
});

describe('the admin raw editor', () => {
  it('refuses text pasted from a TCVN3 document, pointing at its first such line', () => {
    const refs = { topics: [{ slug: 'quyen-tre-em', name: 'Quyền trẻ em' }], regions: [], qa: [], articles: [] } as unknown as Parameters<typeof checkRawEntryText>[3];
    const { errors } = checkRawEntryText('qa', 'qa/quyen-tre-em/moi.md', entry('moi', TCVN3), refs);
    expect(errors).toEqual([
      expect.objectContaining({ field: '(tệp)', line: 3, message: expect.stringMatching(/^Chữ được gõ bằng bảng mã cũ TCVN3 \(ABC\).*Unikey.*\.$/) }),
    ]);
    expect(checkRawEntryText('qa', 'qa/quyen-tre-em/moi.md', entry('moi', UNICODE), refs).errors).toEqual([]);
  });
});
