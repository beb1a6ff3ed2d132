/**
 * A long-passage corpus for the benchmarks, shaped like law articles and built from real
 * Vietnamese text (issue 13, item 5): the law texts in bench/corpus/laws/, the shipped content
 * (Q&A answers and articles) and the source plans in ../shared/seeds.
 *
 * Why this shape: an office that installs Loa often pastes whole legal articles as content, so
 * the answer path must stay fast and right on passages of 300–600 syllables ("## Điều N. …" and
 * numbered clauses), not only on our short Q&A. Generated text alone would flatter or punish
 * the index in ways real text does not, so real text comes first:
 * - *real passages*: each source document (a law, a topic's Q&A, an article, a plan) is cut into
 *   runs of consecutive articles or sections of 300–600 syllables, in their order. A short
 *   article is followed by the next ones in the same passage ("Điều 13. …" lines inside it), as
 *   a chapter reads; a long one is cut between clauses and continues in the next passage
 *   ("(tiếp theo)"). A document's last run, if short, is topped up with recombined sentences
 *   of the same document (counted as recombined syllables).
 * - *recombined passages*, once the real text runs out: a real heading of one document, then
 *   numbered clauses made of real sentences (70 % from the same document, the rest from any),
 *   some spliced at a comma with another real sentence. The sentences of `protect`ed passages
 *   (those the benchmark questions expect) are never reused, so each question keeps one right
 *   passage.
 *
 * Deterministic: the same options give the same files, passage ids and stats.
 * `node bin/run-ts.js bench/lib/law-corpus.ts --list` prints the real passages (to write cases).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadContent } from '../../src/knowledge/content.js';
import { seeded } from '../../src/text/random.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the real text is read from, and how many passages to make. */
export interface LawCorpusOptions {
  /** Passages in all (real first, then recombined). */
  passages: number;
  /** PRNG seed. */
  seed?: number;
  /** The shipped content (its Q&A and articles are sources; its topics.yaml is copied). */
  contentDir?: string;
  /** The source plans (`*.txt`); skipped when missing. */
  seedsDir?: string;
  /** Law texts (`*.txt`, format in bench/corpus/laws/README.md). */
  lawsDir?: string;
  /** Passage ids whose sentences must not be recombined elsewhere (the cases' expected passages). */
  protect?: Iterable<string>;
}

/** One passage as written. */
export interface CorpusPassage {
  id: string;
  heading: string;
  text: string;
  syllables: number;
  /** Syllables of real text in their original order (the rest is recombined). */
  realSyllables: number;
}

/** One article file of the corpus. */
export interface CorpusDoc {
  id: string;
  title: string;
  source: string;
  topics: string[];
  kind: 'law' | 'content' | 'plan' | 'recombined';
  passages: CorpusPassage[];
}

/** What was built, for the benchmark's notes. */
export interface LawCorpusStats {
  passages: number;
  /** Passages made of real text in order only. */
  realPassages: number;
  /** Real text topped up with some recombined sentences (a document's last run). */
  toppedUpPassages: number;
  recombinedPassages: number;
  syllables: number;
  realSyllables: number;
  /** Real passages per source kind. */
  realByKind: Record<string, number>;
  minSyllables: number;
  maxSyllables: number;
}

interface Unit {
  /** Article number as published (laws), or a running number (other sources). */
  n: string;
  heading: string;
  clauses: string[];
}

interface SourceDoc {
  id: string;
  title: string;
  source: string;
  topics: string[];
  kind: CorpusDoc['kind'];
  units: Unit[];
}


const MIN = 300;
const MAX = 600;

/** Syllables of a text: its runs of letters and digits. */
export function syllables(s: string): number {
  return (s.match(/[\p{L}\p{N}]+/gu) ?? []).length;
}

/** Markdown to plain text (bold, links, list markers, block quotes). */
function plain(md: string): string {
  return md
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/^\s*(?:[-+>]|\d+\))\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Paragraphs of a Markdown body, as clauses. */
function paragraphs(body: string): string[] {
  return body
    .split(/\n/)
    .map(plain)
    .filter((p) => syllables(p) >= 3 && !/^#/.test(p));
}

function readLaws(dir: string): SourceDoc[] {
  const docs: SourceDoc[] = [];
  if (!existsSync(dir)) return docs;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.txt')).sort()) {
    const base = f.replace(/\.txt$/, '');
    const topics = base.startsWith('hien-phap') ? ['hien-phap-2013', 'quyen-con-nguoi'] : ['quyen-tre-em'];
    let doc: SourceDoc | undefined;
    let unit: Unit | undefined;
    for (const raw of readFileSync(join(dir, f), 'utf8').normalize('NFC').split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      if (line.startsWith('#')) {
        const title = line.replace(/^#+\s*/, '');
        doc = { id: docs.some((d) => d.id === base) ? `${base}-${docs.filter((d) => d.id.startsWith(base)).length + 1}` : base, title, source: title, topics, kind: 'law', units: [] };
        docs.push(doc);
        unit = undefined;
        continue;
      }
      const m = line.match(/^Điều\s+(\d+[a-z]?)\.\s*(.*)$/u);
      if (m && doc) {
        unit = { n: m[1]!, heading: m[2]!.trim(), clauses: [] };
        doc.units.push(unit);
      } else if (unit) unit.clauses.push(line);
    }
  }
  return docs;
}

function readContentDocs(contentDir: string): SourceDoc[] {
  const c = loadContent(contentDir);
  const docs: SourceDoc[] = [];
  const byTopic = new Map<string, Unit[]>();
  for (const q of c.qa) {
    const t = q.topics[0]!;
    let list = byTopic.get(t);
    if (!list) byTopic.set(t, (list = []));
    list.push({ n: String(list.length + 1), heading: plain(q.question), clauses: paragraphs(q.answer) });
  }
  for (const [t, units] of [...byTopic].sort(([a], [b]) => a.localeCompare(b)))
    docs.push({ id: `hoi-dap-${t}`.slice(0, 56), title: `Hỏi đáp: ${c.topics.find((x) => x.slug === t)?.name ?? t}`, source: 'Nội dung mẫu của Loa (content/qa)', topics: [t], kind: 'content', units });
  for (const a of c.articles)
    docs.push({
      id: `bai-${a.id}`.slice(0, 56).replace(/-$/, ''),
      title: a.title,
      source: a.source.title,
      topics: a.topics,
      kind: 'content',
      units: a.passages.map((p, i) => ({ n: String(i + 1), heading: plain(p.heading), clauses: paragraphs(p.text) })),
    });
  return docs;
}

function readPlans(dir: string): SourceDoc[] {
  const docs: SourceDoc[] = [];
  if (!existsSync(dir)) return docs;
  const numbered = /^(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s+(?=\S)/u;
  readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .forEach((f, i) => {
      const units: Unit[] = [];
      let unit: Unit | undefined;
      for (const raw of readFileSync(join(dir, f), 'utf8').normalize('NFC').split('\n')) {
        const marked = /^\s*#/.test(raw);
        const line = plain(raw.replace(/^\s*#+\s*/, ''));
        const n = syllables(line);
        // Headings: Markdown headings, or short numbered lines that do not end a sentence.
        const isHeading = n >= 2 && n <= 20 && !/[.;:,]$/.test(line) && (marked || numbered.test(line));
        if (isHeading) {
          unit = { n: String(units.length + 1), heading: line.replace(numbered, '').trim(), clauses: [] };
          units.push(unit);
        } else if (n >= 8) {
          // Pages without headings (news items): their first real line is the heading.
          if (!unit) {
            unit = { n: String(units.length + 1), heading: line, clauses: [] };
            units.push(unit);
          } else unit.clauses.push(line);
        }
      }
      docs.push({ id: `ke-hoach-${i + 1}`, title: 'Kế hoạch triển khai Đề án truyền thông về quyền con người', source: 'Kế hoạch của địa phương (../shared/seeds)', topics: ['de-an-1079'], kind: 'plan', units: units.filter((u) => u.clauses.length) });
    });
  return docs;
}

/** Splits text into sentences (at . ! ? ; followed by a space), dropping very short ones. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?;])\s+/u)
    .map((s) => s.trim())
    .filter((s) => syllables(s) >= 6);
}

interface Item {
  unit: number;
  clause: string;
  syl: number;
}

/** Lays a document's units out as passages of 300–600 syllables (the last may be short). */
function layout(doc: SourceDoc, rand: () => number): { parts: Item[][] } {
  const items: Item[] = [];
  doc.units.forEach((u, ui) => {
    for (const c of u.clauses) {
      // A clause longer than a passage is cut between its sentences.
      if (syllables(c) <= 250) items.push({ unit: ui, clause: c, syl: syllables(c) });
      else {
        let buf = '';
        for (const s of c.split(/(?<=[.;])\s+/u)) {
          if (buf && syllables(buf) + syllables(s) > 250) {
            items.push({ unit: ui, clause: buf, syl: syllables(buf) });
            buf = '';
          }
          buf = buf ? `${buf} ${s}` : s;
        }
        if (buf) items.push({ unit: ui, clause: buf, syl: syllables(buf) });
      }
    }
  });
  const headSyl = (ui: number) => syllables(`Điều ${doc.units[ui]!.n}. ${doc.units[ui]!.heading}`);
  const parts: Item[][] = [];
  let cur: Item[] = [];
  let total = 0;
  let target = MIN + 30 + Math.floor(rand() * 230);
  for (const it of items) {
    const cost = it.syl + (cur.length === 0 || cur[cur.length - 1]!.unit !== it.unit ? headSyl(it.unit) : 0);
    const newUnit = cur.length > 0 && cur[cur.length - 1]!.unit !== it.unit;
    if (cur.length && (total + cost > MAX || total >= target || (newUnit && total >= MIN && total + cost > target + 40))) {
      parts.push(cur);
      cur = [];
      total = 0;
      target = MIN + 30 + Math.floor(rand() * 230);
    }
    cur.push(it);
    total += it.syl + (cur.length === 1 || newUnit ? headSyl(it.unit) : 0);
  }
  if (cur.length) parts.push(cur);
  // Headings count too: move trailing clauses on while a rendered passage is over the limit.
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    while (p.length > 1 && syllables(Object.values(render(doc, p, true)).join(' ')) > MAX) {
      const it = p.pop()!;
      if (i + 1 < parts.length) parts[i + 1]!.unshift(it);
      else parts.push([it]);
    }
  }
  // A short last run joins the one before when both fit in one passage.
  if (parts.length >= 2) {
    const size = (p: Item[]) => {
      const r = render(doc, p, false);
      return syllables(r.heading) + syllables(r.text) + 2;
    };
    const last = parts[parts.length - 1]!;
    const before = parts[parts.length - 2]!;
    if (size(last) < MIN && size([...before, ...last]) <= MAX) {
      parts.pop();
      before.push(...last);
    }
  }
  return { parts };
}

/** Renders a run of items as a passage heading and text. */
function render(doc: SourceDoc, part: Item[], continued: boolean): { heading: string; text: string } {
  const head = (ui: number) => {
    const u = doc.units[ui]!;
    return u.heading ? `Điều ${u.n}. ${u.heading}` : `Điều ${u.n}.`;
  };
  const lines: string[] = [];
  let prev = -1;
  let k = 0;
  for (const it of part) {
    const u = doc.units[it.unit]!;
    if (it.unit !== prev) {
      if (prev !== -1) lines.push(head(it.unit));
      prev = it.unit;
      k = u.clauses.indexOf(it.clause);
      if (k < 0) k = 0;
    }
    // Clauses keep their published numbers; unnumbered clauses of a several-clause article are numbered.
    const numbered = /^\d+[a-zđ]?\.\s/u.test(it.clause) || u.clauses.length < 2 ? it.clause : `${k + 1}. ${it.clause}`;
    lines.push(numbered);
    k++;
  }
  const heading = head(part[0]!.unit) + (continued ? ' (tiếp theo)' : '');
  return { heading, text: lines.join('\n') };
}

/**
 * Builds the corpus in memory: the article files' contents and the stats. `writeLawCorpus`
 * writes them as a content directory.
 */
export function buildLawCorpus(opts: LawCorpusOptions): { docs: CorpusDoc[]; stats: LawCorpusStats } {
  const contentDir = opts.contentDir ?? 'content';
  const seedsDir = opts.seedsDir ?? (existsSync(join(contentDir, '..', '..', 'shared', 'seeds')) ? join(contentDir, '..', '..', 'shared', 'seeds') : '/work/shared/seeds');
  const lawsDir = opts.lawsDir ?? join(here, '..', 'corpus', 'laws');
  const rand = seeded(opts.seed ?? 2013);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const protect = new Set(opts.protect ?? []);

  const sources = [...readLaws(lawsDir), ...readContentDocs(contentDir), ...readPlans(seedsDir)].filter((d) => d.units.length);
  const docs: CorpusDoc[] = [];
  const pools = new Map<string, string[]>();
  const short: { doc: CorpusDoc; src: SourceDoc; p: CorpusPassage }[] = [];

  // 1. Real passages, in each document's order.
  for (const src of sources) {
    const { parts } = layout(src, rand);
    const doc: CorpusDoc = { id: src.id, title: src.title, source: src.source, topics: src.topics, kind: src.kind, passages: [] };
    const pool: string[] = [];
    parts.forEach((part, i) => {
      const continued = i > 0 && parts[i - 1]![parts[i - 1]!.length - 1]!.unit === part[0]!.unit;
      const { heading, text } = render(src, part, continued);
      const id = `${src.id}#${i + 1}`;
      const syl = syllables(heading) + syllables(text);
      const p: CorpusPassage = { id, heading, text, syllables: syl, realSyllables: syl };
      doc.passages.push(p);
      if (!protect.has(id)) for (const it of part) pool.push(...sentences(it.clause));
      if (syl < MIN) short.push({ doc, src, p });
    });
    pools.set(src.id, pool);
    docs.push(doc);
  }
  const all = [...pools.values()].flat();
  if (all.length === 0) throw new Error('law-corpus: no real text found: check bench/corpus/laws and the content dir');
  const pooled = sources.filter((s) => (pools.get(s.id) ?? []).length > 0);

  /** A real sentence, or two real sentences spliced at a comma. */
  const sentence = (docId: string): string => {
    const own = pools.get(docId) ?? [];
    const from = own.length && rand() < 0.7 ? own : all;
    const a = pick(from);
    if (rand() < 0.35) {
      const b = pick(from);
      const ca = a.indexOf(', ');
      const cb = b.indexOf(', ');
      if (ca > 0 && cb > 0 && cb < b.length - 2) return `${a.slice(0, ca)}, ${b.slice(cb + 2)}`;
    }
    return a;
  };
  const clauses = (docId: string, target: number, start: number): string[] => {
    const out: string[] = [];
    let n = start;
    while (n < target) {
      const k = 1 + Math.floor(rand() * 3);
      const c = Array.from({ length: k }, () => sentence(docId)).join(' ');
      out.push(c);
      n += syllables(c) + 1;
    }
    return out;
  };

  // 2. Top up each document's short last run with its own recombined sentences.
  for (const { src, p } of short) {
    const extra = clauses(src.id, MIN + 20, p.syllables);
    const n0 = (p.text.match(/^(\d+)\.\s/gmu) ?? []).length;
    p.text += '\n' + extra.map((c, i) => `${n0 + i + 1}. ${c}`).join('\n');
    p.syllables = syllables(p.heading) + syllables(p.text);
  }

  // 3. Recombined passages until there are enough.
  let real = docs.reduce((n, d) => n + d.passages.length, 0);
  if (real > opts.passages) {
    // Fewer passages than real text: keep whole documents in order, then cut.
    let left = opts.passages;
    for (const d of docs) {
      d.passages = d.passages.slice(0, Math.max(0, left));
      left -= d.passages.length;
    }
    real = opts.passages;
  }
  const weights = pooled.map((s) => (pools.get(s.id) ?? []).length);
  const wsum = weights.reduce((a, b) => a + b, 0);
  const pickSource = (): SourceDoc => {
    let r = rand() * wsum;
    for (let i = 0; i < pooled.length; i++) if ((r -= weights[i]!) < 0) return pooled[i]!;
    return pooled[pooled.length - 1]!;
  };
  const PER_FILE = 8;
  for (let made = 0, f = 0; made < opts.passages - real; f++) {
    const n = Math.min(PER_FILE, opts.passages - real - made);
    const lead = pickSource();
    const doc: CorpusDoc = { id: `tong-hop-${f + 1}`, title: `${lead.title} (văn bản tổng hợp ${f + 1})`, source: `Câu văn thật của "${lead.title}" và các nguồn khác, ghép lại cho đo hiệu năng`, topics: lead.topics, kind: 'recombined', passages: [] };
    for (let i = 0; i < n; i++) {
      const src = rand() < 0.6 ? lead : pickSource();
      const u = pick(src.units);
      const num = String(1 + Math.floor(rand() * 120));
      const heading = u.heading ? `Điều ${num}. ${u.heading}` : `Điều ${num}.`;
      const target = MIN + 30 + Math.floor(rand() * 230);
      const cs = clauses(src.id, target, syllables(heading));
      // Keep under MAX: drop the last clause while too long (but keep one).
      let text = cs.map((c, k) => `${k + 1}. ${c}`).join('\n');
      while (cs.length > 1 && syllables(heading) + syllables(text) > MAX) {
        cs.pop();
        text = cs.map((c, k) => `${k + 1}. ${c}`).join('\n');
      }
      const syl = syllables(heading) + syllables(text);
      doc.passages.push({ id: `${doc.id}#${i + 1}`, heading, text, syllables: syl, realSyllables: 0 });
    }
    docs.push(doc);
    made += n;
  }

  const ps = docs.flatMap((d) => d.passages.map((p) => ({ d, p })));
  const realByKind: Record<string, number> = {};
  for (const { d, p } of ps) if (p.realSyllables > 0) realByKind[d.kind] = (realByKind[d.kind] ?? 0) + 1;
  const stats: LawCorpusStats = {
    passages: ps.length,
    realPassages: ps.filter(({ p }) => p.realSyllables > 0 && p.realSyllables === p.syllables).length,
    toppedUpPassages: ps.filter(({ p }) => p.realSyllables > 0 && p.realSyllables < p.syllables).length,
    recombinedPassages: ps.filter(({ p }) => p.realSyllables === 0).length,
    syllables: ps.reduce((n, { p }) => n + p.syllables, 0),
    realSyllables: ps.reduce((n, { p }) => n + p.realSyllables, 0),
    realByKind,
    minSyllables: Math.min(...ps.map(({ p }) => p.syllables)),
    maxSyllables: Math.max(...ps.map(({ p }) => p.syllables)),
  };
  return { docs: docs.filter((d) => d.passages.length), stats };
}

/**
 * Writes the corpus as a content directory (articles only, with the shipped topics, regions
 * and synonyms) and returns its stats.
 * @example
 *   const stats = writeLawCorpus('/tmp/corpus', { passages: 2000, protect: cases.map((c) => c.expect) });
 */
export function writeLawCorpus(outDir: string, opts: LawCorpusOptions): LawCorpusStats {
  const contentDir = opts.contentDir ?? 'content';
  const { docs, stats } = buildLawCorpus(opts);
  const dir = join(outDir, 'articles');
  mkdirSync(dir, { recursive: true });
  for (const f of ['topics.yaml', 'regions.yaml', 'synonyms.yaml']) if (existsSync(join(contentDir, f))) cpSync(join(contentDir, f), join(outDir, f));
  for (const d of docs) {
    const body = d.passages.map((p) => `## ${p.heading}\n${p.text}`).join('\n\n');
    writeFileSync(
      join(dir, `${d.id}.md`),
      `---\nid: ${d.id}\ntitle: ${JSON.stringify(d.title)}\npublished: 2026-01-01\nsource: ${JSON.stringify(d.source)}\ntopics: [${d.topics.join(', ')}]\nstatus: approved\n---\n${body}\n`,
    );
  }
  return stats;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { docs, stats } = buildLawCorpus({ passages: Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 2000) });
  if (process.argv.includes('--list'))
    for (const d of docs.filter((x) => x.kind !== 'recombined'))
      for (const p of d.passages) console.log(`${p.id}\t${p.syllables}\t${p.heading}\t${p.text.replace(/\n/g, ' / ').slice(0, 400)}`);
  console.error(JSON.stringify(stats));
}
