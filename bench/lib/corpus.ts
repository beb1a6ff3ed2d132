/**
 * Realistic generated Vietnamese text for benchmarks: an order-2 Markov chain over syllables,
 * trained on the shipped content and the source plans in ../shared/seeds. The text has the
 * vocabulary, word frequencies and phrase structure of real administrative Vietnamese (random
 * words from a tiny vocabulary would make every term match everything and flatter every
 * engine). Deterministic: the same seed gives the same corpus.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadContent } from '../../src/knowledge/content.js';
import { seeded as rng } from '../../test/quiz/support.js';

function trainingSentences(contentDir: string): string[][] {
  const texts: string[] = [];
  const c = loadContent(contentDir);
  for (const q of c.qa) texts.push(q.question, q.answer);
  for (const a of c.articles) for (const p of a.passages) texts.push(p.text);
  const seeds = join(contentDir, '..', '..', 'shared', 'seeds');
  const seedDir = existsSync(seeds) ? seeds : '/work/shared/seeds';
  if (existsSync(seedDir))
    for (const f of readdirSync(seedDir)) if (f.endsWith('.txt')) texts.push(readFileSync(join(seedDir, f), 'utf8'));
  const sentences: string[][] = [];
  for (const t of texts)
    for (const s of t.normalize('NFC').split(/[.!?;:\n]+/)) {
      const words = s.match(/[\p{L}\p{N}]+/gu);
      if (words && words.length >= 4) sentences.push(words);
    }
  return sentences;
}

/** A generator of sentences and passages. */
export interface TextGenerator {
  sentence(min?: number, max?: number): string;
  passage(sentences: number): string;
  title(): string;
}

/** Trains the chain on the content dir (and the seeds beside the project). */
export function createGenerator(contentDir: string, seed = 1079): TextGenerator {
  const next = new Map<string, string[]>();
  const starts: [string, string][] = [];
  const END = '\u0000';
  for (const s of trainingSentences(contentDir)) {
    starts.push([s[0]!, s[1]!]);
    for (let i = 0; i + 2 <= s.length; i++) {
      const key = `${s[i]} ${s[i + 1]}`;
      const n = s[i + 2] ?? END;
      let list = next.get(key);
      if (!list) next.set(key, (list = []));
      list.push(n);
    }
  }
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const sentence = (min = 8, max = 28): string => {
    let [a, b] = pick(starts);
    const out = [a, b];
    while (out.length < max) {
      const n = next.get(`${a} ${b}`);
      const w = n ? pick(n) : END;
      if (w === END) {
        if (out.length >= min) break;
        [a, b] = pick(starts);
        out.push(a, b);
        continue;
      }
      out.push(w);
      a = b;
      b = w;
    }
    const text = out.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1) + '.';
  };
  return {
    sentence,
    passage: (n) => Array.from({ length: n }, () => sentence()).join(' '),
    title: () => sentence(5, 12).replace(/\.$/, ''),
  };
}
