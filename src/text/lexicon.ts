/**
 * The citizen-wording lexicon shipped with Loa (./lexicon/*.vi.yaml): general Vietnamese
 * language knowledge, not content, so it serves whatever content an office writes.
 *
 * - `abbreviations.vi.yaml`: exact equivalents ("ubnd" = "ủy ban nhân dân"). They join the
 *   content's own `synonyms.yaml` groups (the content's groups come first and win).
 * - `related.vi.yaml`: everyday wordings of an official notion ("bị chồng đánh" → "bạo lực gia
 *   đình"). They are not equivalents: a query keeps its own words, and the official term is
 *   added beside them (./analyzer.ts `expansions`, used by knowledge/search.ts) so an entry
 *   written in official words can cover a question asked in everyday ones.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { VIETNAMESE_ANALYZER_VERSION } from './analyzer.js';

/** Groups of terms; in each, the first is the canonical (official) form. */
export type TermGroups = readonly (readonly string[])[];

export interface Lexicon {
  abbreviations: TermGroups;
  related: TermGroups;
  /** English everyday wordings (related.en.yaml), for the English index. */
  relatedEn: TermGroups;
  /** Hash of both files and of the Vietnamese analysis' version (part of the index snapshot key). */
  hash: string;
  /** Hash of the English file. */
  hashEn: string;
}

const groupsSchema = z.array(z.array(z.string().trim().min(1)).min(2, 'a group needs at least two terms')).nullable();

const lexiconFile = (name: string): string => fileURLToPath(new URL(`./lexicon/${name}`, import.meta.url));

/** A group on one line, `- [a, b, c]`, with no quoting or nesting. */
const FLAT_GROUP = /^- \[([^\]["'{}#]*)\]\s*$/;

/**
 * The lexicon files are thousands of one-line groups; the YAML parser takes about half a second
 * on them, in every process and thread that searches. Lines of the plain form `- [a, b, c]` (and
 * comments) are read directly; a file with anything else goes through the YAML parser, so the
 * files stay ordinary YAML.
 */
function parseFlatGroups(text: string): unknown | undefined {
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const m = FLAT_GROUP.exec(t);
    if (!m) return undefined;
    out.push(m[1]!.split(',').map((x) => x.trim()));
  }
  return out;
}

/** Reads one lexicon file; a broken shipped file names the file and the group. */
export function readLexiconFile(path: string): string[][] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const raw = parseFlatGroups(text) ?? (parseYaml(text) as unknown);
  const parsed = groupsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`lexicon: ${path}: group ${issue.path.map((p) => (typeof p === 'number' ? p + 1 : String(p))).join('.')}: ${issue.message}`);
  }
  return (parsed.data ?? []).map((g) => g.map((t) => t.normalize('NFC').toLowerCase()));
}

let cached: Lexicon | undefined;

/** The lexicon shipped with Loa (read once). */
export function builtinLexicon(): Lexicon {
  if (!cached) {
    const files = ['abbreviations.vi.yaml', 'related.vi.yaml'].map(lexiconFile);
    const h = createHash('sha256');
    for (const f of files) if (existsSync(f)) h.update(readFileSync(f));
    // The terms an index holds depend on the analysis too: a new one rebuilds the snapshot.
    h.update(`analyzer ${VIETNAMESE_ANALYZER_VERSION}`);
    // The English file is hashed apart, so that the Vietnamese lexicon's hash (part of older
    // snapshots' keys) does not change with it: it keys the English index (search.ts).
    const en = lexiconFile('related.en.yaml');
    cached = {
      abbreviations: readLexiconFile(files[0]!),
      related: readLexiconFile(files[1]!),
      relatedEn: readLexiconFile(en),
      hash: h.digest('hex').slice(0, 16),
      hashEn: existsSync(en) ? createHash('sha256').update(readFileSync(en)).digest('hex').slice(0, 16) : '',
    };
  }
  return cached;
}

/** The content's synonym groups followed by the shipped abbreviations. */
export function withBuiltinAbbreviations(synonyms: TermGroups): TermGroups {
  return [...synonyms, ...builtinLexicon().abbreviations];
}
