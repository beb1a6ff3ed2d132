import { afterEach, describe, expect, it } from 'vitest';
import MiniSearch from 'minisearch';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePostings, encodePostings, postingsFromMiniSearch, TermTable, type Postings } from '../../src/knowledge/postings.js';
import { readSnapshotFile, writeSnapshotFile } from '../../src/knowledge/snapshot-file.js';
import { createKnowledge, SNAPSHOT_FILE } from '../../src/knowledge/knowledge.js';
import { readCases } from '../../src/knowledge/eval.js';
import { tempDir } from '../support/app.js';
import { rememberedCalibrate } from '../support/calibration-memo.js';
import { shippedCopy } from '../support/shipped-copy.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const docs = [
  { id: 'a', title: 'bảo hiểm y tế', body: 'thẻ bảo hiểm y tế cho trẻ em trẻ em' },
  { id: 'b', title: 'hộ tịch', body: 'đăng ký khai sinh cho trẻ em' },
  { id: 'c', title: '', body: 'khai sinh khai sinh khai sinh' },
];

function build(): { ms: MiniSearch<unknown>; postings: Postings } {
  const ms = new MiniSearch<{ id: string; title: string; body: string }>({ fields: ['title', 'body'] });
  ms.addAll(docs);
  return { ms: ms as MiniSearch<unknown>, postings: postingsFromMiniSearch(ms as MiniSearch<unknown>) };
}

/** Every (term, field) posting list as [doc id, tf] pairs. */
function dump(p: Postings): Record<string, [string, number][]> {
  const out: Record<string, [string, number][]> = {};
  const F = p.fields.length;
  p.df.terms.forEach((term, t) =>
    p.fields.forEach((field, f) => {
      const pairs: [string, number][] = [];
      for (let k = p.offsets[t * F + f]!; k < p.offsets[t * F + f + 1]!; k++) pairs.push([p.docIds[p.docs[k]!]!, p.tfs[k]!]);
      if (pairs.length) out[`${term}/${field}`] = pairs;
    }),
  );
  return out;
}

describe('postings', () => {
  it('hold what MiniSearch indexed: documents, term frequencies, field lengths, document frequencies', () => {
    const { ms, postings } = build();
    const d = dump(postings);
    expect(d['khai/body']).toEqual([
      ['b', 1],
      ['c', 3],
    ]);
    expect(d['em/body']).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(postings.df.get('em')).toBe(2);
    expect(postings.df.get('khai')).toBe(2);
    expect(postings.df.get('nothere')).toBeUndefined();
    const internals = ms as unknown as { _avgFieldLength: number[] };
    expect([...postings.avgFieldLength]).toEqual(internals._avgFieldLength);
    expect(postings.shortId('c')).toBe(2);
  });

  it('come back from their bytes unchanged, in the same term order', () => {
    const { postings } = build();
    const { header, sections } = encodePostings(postings);
    const data = tempDir('loa-postings-');
    cleanups.push(data.cleanup);
    const file = join(data.dir, 'p.bin');
    writeSnapshotFile(file, header, sections);
    const read = readSnapshotFile(file);
    const back = decodePostings(read.header as typeof header, read.body);
    expect(dump(back)).toEqual(dump(postings));
    expect([...back.df.keys()]).toEqual([...postings.df.keys()]);
    expect([...back.fieldLength]).toEqual([...postings.fieldLength]);
    expect(back.docIds).toEqual(postings.docIds);
  });
});

describe('TermTable', () => {
  it('looks terms up by binary search and iterates in the order the terms were met', () => {
    const terms = ['~ze', 'a', 'Ba', 'á', 'em_ba'];
    const table = new TermTable(terms, Int32Array.from([5, 4, 3, 2, 1]));
    for (const [i, t] of terms.entries()) {
      expect(table.get(t)).toBe(5 - i);
      expect(table.has(t)).toBe(true);
      expect(table.get(t)).toBe(5 - i); // a second look-up (remembered) agrees
    }
    expect(table.has('b')).toBe(false);
    expect(table.indexOf('zz')).toBe(-1);
    expect([...table.keys()]).toEqual(terms);
    expect(new Map(table)).toEqual(new Map(terms.map((t, i) => [t, 5 - i])));
  });
});

describe('snapshot file', () => {
  it('is written whole under its name (no temporary file left), and anything else is refused', () => {
    const data = tempDir('loa-snapfile-');
    cleanups.push(data.cleanup);
    const file = join(data.dir, 's.bin');
    writeSnapshotFile(file, { hello: 'xin chào' }, [Int32Array.from([1, 2, 3]), Buffer.from('abc'), Float64Array.from([0.5])]);
    expect(readdirSync(data.dir)).toEqual(['s.bin']);
    const back = readSnapshotFile(file);
    expect(back.header).toEqual({ hello: 'xin chào' });
    expect(back.body.byteOffset % 8).toBe(0);
    expect([...new Int32Array(back.body.buffer, back.body.byteOffset, 3)]).toEqual([1, 2, 3]);

    writeFileSync(file, JSON.stringify({ format: 1 }));
    expect(() => readSnapshotFile(file)).toThrow(/not a Loa index snapshot/);
    const whole = (() => {
      writeSnapshotFile(file, { long: 'x'.repeat(100) }, []);
      return readFileSync(file);
    })();
    writeFileSync(file, whole.subarray(0, 40));
    expect(() => readSnapshotFile(file)).toThrow(/truncated/);
  });
});

describe('knowledge from the snapshot', () => {
  it('decides exactly as the freshly built index, and drops the JSON snapshot of earlier versions', () => {
    const data = tempDir('loa-data-');
    cleanups.push(data.cleanup);
    writeFileSync(join(data.dir, 'index-snapshot.json'), '{"format":1}');
    // Built from the content. What is compared is the index and what the snapshot keeps of it:
    // the decision is fitted without the estimates (as a reload does; they change no answer), and
    // its fits are remembered per test process (calibration-memo.ts).
    const built = createKnowledge({ contentDir: 'content', dataDir: data.dir, calibrate: rememberedCalibrate, calibrationEstimates: false });
    expect(built.state.fromSnapshot).toBe(false);
    expect(existsSync(join(data.dir, SNAPSHOT_FILE))).toBe(true);
    expect(existsSync(join(data.dir, 'index-snapshot.json'))).toBe(false);
    const loaded = createKnowledge({ contentDir: 'content', dataDir: data.dir });
    expect(loaded.state.fromSnapshot).toBe(true);
    for (const c of readCases('test/fixtures/eval-cases.jsonl')) expect(loaded.decide(c.query)).toEqual(built.decide(c.query));
  });

  it('rebuilds from the content when the snapshot is damaged', () => {
    // A data dir holding the run's snapshot of the content, as a start would have left it.
    const copy = shippedCopy();
    cleanups.push(copy.cleanup);
    const file = join(copy.dataDir, SNAPSHOT_FILE);
    writeFileSync(file, readFileSync(file).subarray(0, 1000));
    const k = createKnowledge({ contentDir: copy.contentDir, dataDir: copy.dataDir, calibrate: rememberedCalibrate, calibrationEstimates: false });
    expect(k.state.fromSnapshot).toBe(false);
    expect(k.answer('bhyt tre em duoi 6 tuoi')).toMatchObject({ kind: 'answer' });
  });
});
