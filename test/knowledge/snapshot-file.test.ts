/**
 * The snapshot file's readers (knowledge/snapshot-file.ts): the app's start-up reads it with
 * `readSnapshotFileAsync` (sections on the thread pool while the header is decoded), reloads
 * and the search thread with `readSnapshotFile`. Both must give the same header and sections,
 * and refuse the same files.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { createTextTable, parseSharedSnapshot, readSnapshotFile, readSnapshotFileAsync, readTextTable, writeSnapshotFile, type SharedSnapshot } from '../../src/knowledge/snapshot-file.js';
import { loadContent } from '../../src/knowledge/content.js';
import { tempDir } from '../support/app.js';
import { createKnowledge, openKnowledge, SNAPSHOT_FILE } from '../../src/knowledge/knowledge.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function file(): string {
  const data = tempDir('loa-snapfile-');
  cleanups.push(data.cleanup);
  return join(data.dir, 's.bin');
}

const readers = [
  ['readSnapshotFile', async (f: string) => readSnapshotFile(f)],
  ['readSnapshotFileAsync', readSnapshotFileAsync],
] as const;

describe.each(readers)('%s', (_name, read) => {
  it('gives the header, the text and the sections, aligned, in memory of their own', async () => {
    const f = file();
    // Sections of odd lengths (padded to 8 bytes in the file), and one large enough to be read in pieces.
    const large = Float64Array.from({ length: 100_003 }, (_, i) => i / 7);
    const header = { hello: 'xin chào', passages: Array.from({ length: 500 }, (_, i) => `Điều ${i}: quyền và nghĩa vụ của công dân`) };
    // A text of odd byte length after the header: the sections are still aligned.
    const text = 'Người dân có quyền khiếu nại. '.repeat(2_001) + 'x';
    writeSnapshotFile(f, header, [Int32Array.from([1, 2, 3]), Buffer.from('abc'), large, Uint16Array.from([7])], text);
    const back = await read(f);
    expect(back.header).toEqual(header);
    expect(back.text.slice(0, back.text.length)).toBe(text);
    expect(back.text.slice(3, 12)).toBe(text.slice(3, 12));
    expect(back.body.byteOffset % 8).toBe(0);
    // The header's bytes are not kept alive by views on the sections.
    expect(back.body.buffer.byteLength).toBe(back.body.byteLength);
    const b = back.body.buffer;
    expect([...new Int32Array(b, back.body.byteOffset, 3)]).toEqual([1, 2, 3]);
    expect(Buffer.from(b, back.body.byteOffset + 16, 3).toString()).toBe('abc');
    expect(Buffer.from(b, back.body.byteOffset + 24, large.byteLength).equals(Buffer.from(large.buffer))).toBe(true);
    expect([...new Uint16Array(b, back.body.byteOffset + 24 + large.byteLength, 1)]).toEqual([7]);
    expect(back.body.byteLength).toBe(24 + large.byteLength + 8);
  });

  it('gives its bytes in shared memory: posted to another thread, they are parsed there without a copy', async () => {
    const f = file();
    writeSnapshotFile(f, { hello: 'xin chào' }, [Int32Array.from([1, 2, 3])], 'Điều 1');
    const back = await read(f);
    expect(back.shared?.body).toBe(back.body);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<SharedSnapshot>((resolve) => port2.once('message', resolve));
    port1.postMessage(back.shared);
    const there = parseSharedSnapshot(await received);
    port1.close();
    expect(there.header).toEqual({ hello: 'xin chào' });
    expect(there.text.slice(0, there.text.length)).toBe('Điều 1');
    expect(there.body.buffer).toBeInstanceOf(SharedArrayBuffer);
    // One memory for both sides: a write on one side is seen on the other.
    there.body[0] = 42;
    expect(back.body[0]).toBe(42);
  });

  it('reads a snapshot without text or sections', async () => {
    const f = file();
    writeSnapshotFile(f, { empty: true }, []);
    const back = await read(f);
    expect(back.header).toEqual({ empty: true });
    expect(back.text.length).toBe(0);
    expect(back.body.byteLength).toBe(0);
  });

  it('refuses a file that is not a snapshot of this version, or is truncated', async () => {
    const f = file();
    writeFileSync(f, JSON.stringify({ format: 1 }));
    await expect(read(f)).rejects.toThrow(/not a Loa index snapshot/);
    writeFileSync(f, 'LOA');
    await expect(read(f)).rejects.toThrow(/not a Loa index snapshot/);
    // Earlier versions (a UTF-8 header; texts in the header) are rebuilt, not misread.
    for (const magic of ['LOASNAP2', 'LOASNAP3']) {
      const old = Buffer.from(`${magic}\0\0\0\0`, 'latin1');
      old.writeUInt32LE(2, 8);
      writeFileSync(f, Buffer.concat([old, Buffer.from('{}\0\0\0\0\0\0')]));
      await expect(read(f)).rejects.toThrow(/not a Loa index snapshot of this version/);
    }
    writeSnapshotFile(f, { long: 'x'.repeat(100) }, [], 'y'.repeat(100));
    const whole = readFileSync(f);
    for (const cut of [40, whole.length - 100]) {
      writeFileSync(f, whole.subarray(0, cut));
      await expect(read(f)).rejects.toThrow(/truncated/);
    }
    await expect(read(join(f, '..', 'none.bin'))).rejects.toThrow(/ENOENT/);
  });
});

describe('text table', () => {
  it('gives back each text, as slices of one string', () => {
    const texts = createTextTable();
    const samples = ['Điều 1. Quyền con người, quyền công dân', '', 'a', 'Người dân có quyền khiếu nại quyết định hành chính. 😀', 'x'.repeat(10_000)];
    const refs = samples.map((t) => texts.add(t));
    const text = readTextTable(texts.text());
    expect(refs.map(text)).toEqual(samples);
  });

  it('refuses a reference outside the section', () => {
    const texts = createTextTable();
    texts.add('hai');
    const text = readTextTable(texts.text());
    expect(text([0, 3])).toBe('hai');
    for (const bad of [[0, 4], [-1, 2], [2, 1], [0.5, 2]] as [number, number][]) expect(() => text(bad)).toThrow(/outside the snapshot's text/);
  });
});

describe('a snapshot read by the caller (the app reads it asynchronously)', () => {
  it('serves the texts of the content: every answer and passage as loaded from the files', () => {
    const k = createKnowledge({ contentDir: 'content', dataDir: inject('knowledgeSnapshotDir'), readOnlySnapshot: true });
    try {
      expect(k.state.fromSnapshot).toBe(true);
      const content = loadContent('content');
      expect(k.state.qa.map((q) => [q.id, q.answer])).toEqual(content.qa.map((q) => [q.id, q.answer]));
      expect(k.state.articles.map((a) => [a.id, a.passages])).toEqual(content.articles.map((a) => [a.id, a.passages]));
    } finally {
      k.close();
    }
  });

  it('openKnowledge reads it off the thread and serves what createKnowledge serves', async () => {
    const deps = { contentDir: 'content', dataDir: inject('knowledgeSnapshotDir'), readOnlySnapshot: true };
    const opened = await openKnowledge(deps);
    const created = createKnowledge(deps);
    try {
      expect(opened.state.fromSnapshot).toBe(true);
      expect(opened.state.hash).toBe(created.state.hash);
      for (const q of ['bhyt tre em duoi 6 tuoi', 'Thủ tục đăng ký khai sinh cần giấy tờ gì?', 'thời tiết hôm nay'])
        expect(opened.decide(q)).toEqual(created.decide(q));
    } finally {
      opened.close();
      created.close();
    }
  });

  it('reads no text at load, and a search only the texts of its candidates', () => {
    const dir = inject('knowledgeSnapshotDir');
    const snapshot = readSnapshotFile(join(dir, SNAPSHOT_FILE));
    const read: [number, number][] = [];
    const { text } = snapshot;
    snapshot.text = { length: text.length, slice: (start, end) => (read.push([start, end]), text.slice(start, end)) };
    const k = createKnowledge({ contentDir: 'content', dataDir: dir, readOnlySnapshot: true, snapshot });
    try {
      expect(k.state.fromSnapshot).toBe(true);
      // Only the English texts: the English analyzer learns its words from them (search.ts loadSearchIndex).
      const english = k.state.qa.filter((q) => q.lang === 'en').length + k.state.articles.filter((a) => a.lang === 'en').reduce((n, x) => n + x.passages.length, 0);
      const vietnamese = k.state.qa.length + k.state.articles.reduce((n, x) => n + x.passages.length, 0) - english;
      expect(english).toBeLessThan(vietnamese / 4);
      expect(read.length).toBeLessThanOrEqual(english);
      read.length = 0;
      const a = k.answer('bhyt tre em duoi 6 tuoi');
      expect(a.kind).toBe('answer');
      expect(read.length).toBeGreaterThan(0);
      expect(new Set(read.map(String)).size).toBeLessThan(vietnamese / 4);
      // And what is read is the text the content has.
      const content = loadContent('content');
      expect(k.state.qa.map((q) => q.answer)).toEqual(content.qa.map((q) => q.answer));
    } finally {
      k.close();
    }
  });

  it('is served as one read here, and its bytes are not kept once handed on', () => {
    const dir = inject('knowledgeSnapshotDir');
    const snapshot = readSnapshotFile(join(dir, SNAPSHOT_FILE));
    const k = createKnowledge({ contentDir: 'content', dataDir: dir, readOnlySnapshot: true, snapshot });
    try {
      expect(k.state.fromSnapshot).toBe(true);
      expect(k.state.hash).toBe((snapshot.header as { contentHash: string }).contentHash);
      expect(snapshot.shared).toBeUndefined();
      expect(k.answer('bhyt tre em duoi 6 tuoi').kind).toBe('answer');
    } finally {
      k.close();
    }
  });
});
