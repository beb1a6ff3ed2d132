/** The search thread (knowledge/search-thread.ts): same answers as the main thread, never stale content. */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKnowledge, type Knowledge } from '../../src/knowledge/knowledge.js';
import { readCases } from '../../src/knowledge/eval.js';
import { shippedCopy } from '../support/shipped-copy.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Waits until the search thread answers (it loads the snapshot and warms up first). */
async function threadAnswering(k: Knowledge, query: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const before = k.searchCounts.onThread;
    await k.answerAsync(query);
    if (k.searchCounts.onThread > before) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the search thread never answered');
}

describe('search thread', () => {
  it('answers exactly as the main thread, follows a reload, and falls back to the main thread when closed', async () => {
    // Started from the run's snapshot of the content (a restart): the subject is what follows.
    const copy = shippedCopy();
    cleanups.push(copy.cleanup);
    const k = createKnowledge({ contentDir: copy.contentDir, dataDir: copy.dataDir, searchThreads: 1 });
    cleanups.push(() => k.close());

    // Before the thread is ready, answers come from this thread: nobody waits for it.
    const early = await k.answerAsync('bhyt tre em');
    expect(early).toEqual(k.answer('bhyt tre em'));

    await threadAnswering(k, 'bhyt tre em');
    const queries = readCases('test/fixtures/eval-cases.jsonl').map((c) => c.query).slice(0, 80);
    const onThread = k.searchCounts.onThread;
    for (const q of queries) expect(await k.answerAsync(q)).toEqual(k.answer(q));
    expect(k.searchCounts.onThread - onThread).toBe(queries.length);

    // Withdraw the entry that answers a question; right after the reload no answer may come
    // from the old content, whichever thread gives it.
    const q = 'bhyt tre em duoi 6 tuoi';
    const before = k.answer(q);
    expect(before.kind).toBe('answer');
    const id = (before as { id: string }).id;
    const file = join(copy.contentDir, 'qa', 'bao-hiem-y-te', `${id}.md`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('status: approved', 'status: draft'));
    expect((await k.reload()).ok).toBe(true);
    const after = await k.answerAsync(q);
    expect((after as { id?: string }).id).not.toBe(id);
    expect(after).toEqual(k.answer(q));
    // The thread catches up with the new content and answers again.
    await threadAnswering(k, q);
    expect(await k.answerAsync(q)).toEqual(k.answer(q));

    k.close();
    const mainBefore = k.searchCounts.onMain;
    expect(await k.answerAsync(q)).toEqual(k.answer(q));
    expect(k.searchCounts.onMain).toBe(mainBefore + 1);
  }, 60_000);

  it('is not started with an injected clock (the thread would judge expiry by the real one)', async () => {
    // The run's snapshot of the content, read only: the subject is the thread, not the build.
    const dataDir = inject('knowledgeSnapshotDir');
    const k = createKnowledge({ contentDir: 'content', dataDir, readOnlySnapshot: true, searchThreads: 1, now: () => new Date('2026-06-01T00:00:00Z') });
    cleanups.push(() => k.close());
    // Resolves at once when no thread was started; a thread started by mistake would be waited
    // for until it answers, and then answer the question below (onThread 1).
    await k.searchThreadStarted();
    await k.answerAsync('bhyt tre em');
    expect(k.searchCounts).toEqual({ onThread: 0, onMain: 1 });
  });
});
