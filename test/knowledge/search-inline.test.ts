/**
 * Where a search runs (knowledge.ts `inlineSearchMs`, `idle`): on this thread when it is expected
 * to be cheaper than the hand-off to the search thread, or cheap while this thread is otherwise
 * idle; on the thread otherwise; the same answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createKnowledge, IDLE_STREAK, type Knowledge, type KnowledgeDeps } from '../../src/knowledge/knowledge.js';
import { readCases } from '../../src/knowledge/eval.js';
import { seededDataDir } from '../support/shipped-copy.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A knowledge base on the shipped content with a ready search thread. */
async function withThread(inlineSearchMs: number, more: Pick<KnowledgeDeps, 'idle' | 'idleInlineSearchMs'> = {}): Promise<Knowledge> {
  const data = seededDataDir();
  cleanups.push(data.cleanup);
  const k = createKnowledge({ contentDir: 'content', dataDir: data.dir, searchThreads: 1, inlineSearchMs, ...more });
  cleanups.push(() => k.close());
  await k.searchThreadStarted();
  return k;
}

const queries = readCases('test/fixtures/eval-cases.jsonl')
  .map((c) => c.query)
  .slice(0, 40);

describe('inline searches', () => {
  it('runs cheap searches here once their cost is known, with the same answers', async () => {
    // Any search of the shipped content costs far less than a second.
    const k = await withThread(1000);
    // The first search is timed on the thread (nothing is known of the cost yet).
    expect(await k.answerAsync(queries[0]!)).toEqual(k.answer(queries[0]!));
    expect(k.searchCounts).toEqual({ onThread: 1, onMain: 0 });
    for (const q of queries.slice(1)) expect(await k.answerAsync(q)).toEqual(k.answer(q));
    expect(k.searchCounts).toEqual({ onThread: 1, onMain: queries.length - 1 });
    // English questions too (two searches when the English index has no answer).
    const en = 'How do I register a birth for my child?';
    expect(await k.answerAsync(en, 'en')).toEqual(k.answer(en, 'en'));
    expect(k.searchCounts.onThread).toBe(1);
  }, 60_000);

  it('leaves searches costlier than the budget to the thread', async () => {
    // No search costs less than a nanosecond.
    const k = await withThread(1e-6);
    for (const q of queries) expect(await k.answerAsync(q)).toEqual(k.answer(q));
    expect(k.searchCounts).toEqual({ onThread: queries.length, onMain: 0 });
  }, 60_000);

  it('runs cheap searches here once the main thread has been idle for a run of searches, on the thread while it is not', async () => {
    let idle = true;
    // Any search of the shipped content costs far less than a second, even on a loaded machine.
    const k = await withThread(0, { idle: () => idle, idleInlineSearchMs: 1000 });
    // The first IDLE_STREAK go to the thread (the first is also timed there) ...
    for (const q of queries.slice(0, IDLE_STREAK)) expect(await k.answerAsync(q)).toEqual(k.answer(q));
    expect(k.searchCounts).toEqual({ onThread: IDLE_STREAK, onMain: 0 });
    // ... the next ones run here.
    for (const q of queries.slice(IDLE_STREAK, IDLE_STREAK + 10)) expect(await k.answerAsync(q)).toEqual(k.answer(q));
    expect(k.searchCounts).toEqual({ onThread: IDLE_STREAK, onMain: 10 });
    // Busy: to the thread; idle again, a new run must build up first.
    idle = false;
    await k.answerAsync(queries[30]!);
    idle = true;
    for (const q of queries.slice(0, IDLE_STREAK)) await k.answerAsync(q);
    expect(k.searchCounts).toEqual({ onThread: 2 * IDLE_STREAK + 1, onMain: 10 });
    await k.answerAsync(queries[31]!);
    expect(k.searchCounts).toEqual({ onThread: 2 * IDLE_STREAK + 1, onMain: 11 });
  }, 60_000);

  it('is not idle while a search is out on the thread', async () => {
    let idle = true;
    // Any search of the shipped content costs far less than a second, even on a loaded machine.
    const k = await withThread(0, { idle: () => idle, idleInlineSearchMs: 1000 });
    for (const q of queries.slice(0, IDLE_STREAK + 1)) await k.answerAsync(q);
    expect(k.searchCounts).toEqual({ onThread: IDLE_STREAK, onMain: 1 });
    // One question goes to the thread (busy); a second asked before it is back, idle, follows it there.
    idle = false;
    const first = k.answerAsync(queries[20]!);
    idle = true;
    const second = k.answerAsync(queries[21]!);
    expect(await first).toEqual(k.answer(queries[20]!));
    expect(await second).toEqual(k.answer(queries[21]!));
    expect(k.searchCounts).toEqual({ onThread: IDLE_STREAK + 2, onMain: 1 });
  }, 60_000);

  it('leaves searches costlier than the idle budget to the thread, idle or not', async () => {
    const k = await withThread(0, { idle: () => true, idleInlineSearchMs: 1e-6 });
    for (const q of queries.slice(0, 10)) expect(await k.answerAsync(q)).toEqual(k.answer(q));
    expect(k.searchCounts).toEqual({ onThread: 10, onMain: 0 });
  }, 60_000);

  it('sends every search to the thread by default', async () => {
    const data = seededDataDir();
    cleanups.push(data.cleanup);
    const k = createKnowledge({ contentDir: 'content', dataDir: data.dir, searchThreads: 1 });
    cleanups.push(() => k.close());
    await k.searchThreadStarted();
    for (const q of queries.slice(0, 10)) await k.answerAsync(q);
    expect(k.searchCounts).toEqual({ onThread: 10, onMain: 0 });
  }, 60_000);
});
