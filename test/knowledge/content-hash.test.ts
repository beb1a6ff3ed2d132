/**
 * The content hash's stat cache (knowledge/content-hash.ts): start-up takes the hash from it
 * when no content file changed, and hashes the files again on any doubt. What matters most is
 * that a changed file never passes as unchanged, even one of the same size whose modification
 * time was put back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashContent } from '../../src/knowledge/content.js';
import { hashContentCached, SETTLE_MS } from '../../src/knowledge/content-hash.js';

let root: string;
let dir: string;
let cache: string;
/** A clock far enough ahead that every file written so far is settled. */
const later = (): number => Date.now() + SETTLE_MS + 60_000;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'loa-content-hash-'));
  dir = join(root, 'content');
  mkdirSync(join(dir, 'qa', 'chu-de'), { recursive: true });
  mkdirSync(join(dir, 'articles'), { recursive: true });
  writeFileSync(join(dir, 'qa', 'chu-de', 'mot.md'), '---\nid: mot\n---\nCâu trả lời một.\n');
  writeFileSync(join(dir, 'qa', 'hai.md'), '---\nid: hai\n---\nCâu trả lời hai.\n');
  writeFileSync(join(dir, 'articles', 'bai.md'), '---\nid: bai\n---\n## Điều 1\nNội dung.\n');
  writeFileSync(join(dir, 'topics.yaml'), '- slug: chu-de\n  name: Chủ đề\n');
  cache = join(root, 'data', 'content-hash.json');
  mkdirSync(join(root, 'data'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/**
 * Waits until the file system's clock has moved past `file`'s last change, so that a write now
 * gets another ctime (timestamps are coarse: a few ms). Not a sleep: it waits on the clock the
 * test depends on, and returns as soon as it moved.
 */
function afterClockTick(file: string): void {
  const changed = statSync(file, { bigint: true }).ctimeNs;
  const probe = join(root, 'probe');
  do writeFileSync(probe, 'x');
  while (statSync(probe, { bigint: true }).ctimeNs <= changed);
}

/** Writes the cache for the current files (as a start with settled files does). */
function cached(): string {
  const h = hashContentCached(dir, cache, { now: later });
  expect(existsSync(cache)).toBe(true);
  return h;
}

/** Replaces the hash kept in the cache: a start that takes it from the cache returns this. */
function tamper(): void {
  const c = JSON.parse(readFileSync(cache, 'utf8')) as { hash: string };
  writeFileSync(cache, JSON.stringify({ ...c, hash: 'from-the-cache' }));
}

describe('hashContentCached', () => {
  it('gives the hash of hashContent, and takes it from the cache while no file changed', () => {
    expect(cached()).toBe(hashContent(dir));
    tamper();
    expect(hashContentCached(dir, cache)).toBe('from-the-cache');
  });

  it('hashes again a file edited in place, same size, with its mtime and atime put back', () => {
    const file = join(dir, 'qa', 'hai.md');
    // Times in whole seconds, so that they can be put back exactly.
    const yesterday = Math.floor(Date.now() / 1000) - 86_400;
    utimesSync(file, yesterday, yesterday);
    const before = statSync(file);
    const old = cached();
    tamper();
    afterClockTick(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('hai.', 'HAI.'));
    utimesSync(file, yesterday, yesterday);
    const after = statSync(file);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);

    const h = hashContentCached(dir, cache, { now: later });
    expect(h).toBe(hashContent(dir));
    expect(h).not.toBe(old);
  });

  it.each([
    ['a file added', () => writeFileSync(join(dir, 'qa', 'ba.md'), '---\nid: ba\n---\nBa.\n')],
    ['a file removed', () => rmSync(join(dir, 'qa', 'hai.md'))],
    ['a file renamed', () => renameSync(join(dir, 'qa', 'hai.md'), join(dir, 'qa', 'hai-moi.md'))],
    ['a shared file added', () => writeFileSync(join(dir, 'synonyms.yaml'), '- [bhyt, bảo hiểm y tế]\n')],
  ])('hashes again after %s', (_label, change) => {
    const old = cached();
    tamper();
    change();
    const h = hashContentCached(dir, cache, { now: later });
    expect(h).toBe(hashContent(dir));
    expect(h).not.toBe(old);
  });

  it('does not confuse another content dir kept with the same data dir', () => {
    cached();
    tamper();
    const other = join(root, 'other');
    mkdirSync(join(other, 'qa'), { recursive: true });
    writeFileSync(join(other, 'qa', 'hai.md'), '---\nid: hai\n---\nCâu trả lời hai.\n');
    expect(hashContentCached(other, cache, { now: later })).toBe(hashContent(other));
  });

  it('hashes again when the cache is unreadable or of another version', () => {
    const h = cached();
    writeFileSync(cache, '{"v": 1, "dir": ');
    expect(hashContentCached(dir, cache, { now: later })).toBe(h);
    const c = JSON.parse(readFileSync(cache, 'utf8')) as { v: number };
    writeFileSync(cache, JSON.stringify({ ...c, v: 999, hash: 'from-the-cache' }));
    expect(hashContentCached(dir, cache)).toBe(h);
  });

  it('never caches files changed just now (a write in the same clock tick would not show)', () => {
    const h = hashContentCached(dir, cache);
    expect(h).toBe(hashContent(dir));
    expect(existsSync(cache)).toBe(false);
  });

  it('only reads the cache when told not to write it (the search thread)', () => {
    expect(hashContentCached(dir, cache, { now: later, write: false })).toBe(hashContent(dir));
    expect(existsSync(cache)).toBe(false);
  });
});
