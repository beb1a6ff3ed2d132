/**
 * Reloads are built on the build thread (knowledge/build-thread.ts): the main thread keeps
 * serving the old index while the new one is parsed, indexed and calibrated, and swaps it in
 * once built. Before, a reload took seconds of the main thread, when nothing else was served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKnowledge, type Knowledge } from '../../src/knowledge/knowledge.js';
import { shippedCopy } from '../support/shipped-copy.js';

describe('build thread', () => {
  // One knowledge base for both tests, so one build thread is started (a worker's start costs
  // about as much as a build). It starts from the run's snapshot of the content (a restart):
  // the subject is the reloads. Each test holds whichever order they run in: the first leaves
  // one entry withdrawn, the second leaves topics.yaml as it found it.
  let copy: ReturnType<typeof shippedCopy>;
  let k: Knowledge;
  beforeAll(() => {
    copy = shippedCopy();
    k = createKnowledge({ contentDir: copy.contentDir, dataDir: copy.dataDir });
  });
  afterAll(() => {
    k.close();
    copy.cleanup();
  });

  it('keeps answering from the old index while the new one is built, then serves the new one', async () => {
    const q = 'bhyt tre em duoi 6 tuoi';
    const before = k.answer(q);
    expect(before.kind).toBe('answer');
    const id = (before as { id: string }).id;
    // Staff withdraw the entry that answers it.
    const file = join(copy.contentDir, 'qa', 'bao-hiem-y-te', `${id}.md`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('status: approved', 'status: draft'));

    const reloading = k.reload();
    // The event loop goes on while the build runs: timers fire, and the old entry still answers.
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    let answeredMeanwhile: string | undefined;
    setImmediate(() => {
      const a = k.answer(q);
      answeredMeanwhile = a.kind === 'answer' ? a.id : a.kind;
    });
    const r = await reloading;
    clearInterval(timer);
    expect(r).toEqual({ ok: true, published: true, errors: [] });
    expect(turns).toBeGreaterThan(0);
    expect(answeredMeanwhile).toBe(id);
    const after = k.answer(q);
    expect(after.kind === 'answer' ? after.id : after.kind).not.toBe(id);
    expect(k.getQa(id)?.status).toBe('draft');
  });

  it('runs reloads one after another, reports a broken shared file without publishing, and rebuilds nothing when nothing changed', async () => {
    const hash = k.state.hash;
    const loadedAt = k.state.loadedAt;
    // Nothing changed (the watcher firing after the admin's own reload): the same index stays.
    expect(await k.reload()).toEqual({ ok: true, published: true, errors: [] });
    expect(k.state.loadedAt).toBe(loadedAt);
    // A broken topics.yaml: refused as a whole, and the next reload (queued behind) publishes the fix.
    const topics = join(copy.contentDir, 'topics.yaml');
    const good = readFileSync(topics, 'utf8');
    writeFileSync(topics, '- slug: Ho Tich\n');
    const refused = k.reload();
    const fixed = refused.then(() => (writeFileSync(topics, good), k.reload()));
    expect(await refused).toMatchObject({ ok: false, published: false });
    expect(k.state.hash).toBe(hash);
    expect(await fixed).toEqual({ ok: true, published: true, errors: [] });
    expect(k.errors).toEqual([]);
  });
});
