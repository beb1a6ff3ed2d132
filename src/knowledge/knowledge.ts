/**
 * The knowledge base: loaded content, its search index and snapshot, reloads on change.
 *
 * Start-up only stats the content files (and reads them to hash them when one changed since the
 * last start, content-hash.ts); when `data/` holds a snapshot with the same content hash and
 * index-options hash, the entries and index come from it (fast start).
 * Otherwise the content is parsed, validated and indexed, and a new snapshot written.
 *
 * One broken entry file must not freeze publishing (staff would approve entries that never go
 * live). When only Q&A or article files are invalid, a (re)load serves every valid entry and,
 * for each broken file, the entries it held in the last good index (its last good version; none
 * for a new file); the errors stay in `errors` for the admin pages. When a shared file is
 * invalid (topics, regions, synonyms), every entry depends on it: the last good index keeps
 * serving as a whole. Such a partial index is snapshotted under the content hash plus
 * {@link PARTIAL_SUFFIX}, so a restart (or the search thread) loads it again and still reports
 * the errors. Documented in docs/admin.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  flattenRegions,
  formatContentErrors,
  hashContent,
  isServable,
  loadContent,
  type ArticleEntry,
  type Content,
  type ContentError,
  type Passage,
  type QaEntry,
  type Region,
  type Topic,
} from './content.js';
import {
  buildSearchIndex,
  defaultSearchOptions,
  loadSearchIndex,
  optionsHash,
  searchIndexToSnapshot,
  toSearchDocs,
  type Candidates,
  type Decision,
  type SearchIndex,
  type SearchIndexHeader,
  type SearchOptions,
  type Suggestion,
} from './search.js';
import { canonical } from '../text/vietnamese.js';
import { startSearchThread, type SearchThread } from './search-thread.js';
import { hashContentCached } from './content-hash.js';
import { createTextTable, lazyTextTable, readSnapshotFile, readSnapshotFileAsync, writeSnapshotFile, type SharedSnapshot, type SnapshotFile, type TextRef } from './snapshot-file.js';
import { calibrate, defaultCalibrationOptions, readNegatives, type CalibrationOptions } from './calibrate.js';
import { createBuildThread, type BuildThread } from './build-thread.js';
import type { DecisionModel } from './decision.js';
import { align8 } from './postings.js';
import type { Lang } from '../text/language.js';

/** What `answer()` returns: the decision, with the entry resolved. */
export type Answer =
  | {
      kind: 'answer';
      id: string;
      confidence: number;
      score: number;
      qa?: QaEntry;
      article?: ArticleEntry;
      passage?: Passage;
      alternatives: Suggestion[];
      /** The language of the entry (absent: Vietnamese). */
      lang?: Lang;
      /**
       * An English question answered from Vietnamese content (no English entry matched and no
       * English translation exists): the reply says so in one line.
       */
      fallback?: boolean;
    }
  | {
      kind: 'none';
      reason: 'empty' | 'no-match' | 'low-confidence' | 'vague';
      confidence: number;
      suggestions: Suggestion[];
      lang?: Lang;
    };

/** The served content (only approved entries are answered, but all are listed for staff). */
export interface KnowledgeState {
  qa: QaEntry[];
  articles: ArticleEntry[];
  topics: Topic[];
  regions: Region[];
  synonyms: string[][];
  hash: string;
  loadedAt: Date;
  fromSnapshot: boolean;
}

/** The knowledge base used by the conversation, eval and admin. */
export interface Knowledge {
  /**
   * Answers a question from approved, unexpired content, or says it cannot. A Vietnamese
   * question (the default) is searched in the Vietnamese entries only. An English one is
   * searched in the English entries; when none answers, the Vietnamese entries are searched
   * too, and a confident match is given as its English translation when there is one, else as
   * it is (`fallback`); else the English no-answer with English suggestions.
   */
  answer(query: string, lang?: Lang): Answer;
  /**
   * The same answer, searched on the search thread when there is one (search-thread.ts), so the
   * event loop stays free; on this thread otherwise.
   */
  answerAsync(query: string, lang?: Lang): Promise<Answer>;
  /** The search's decision in one language's index before its entry is resolved (what the search thread computes). */
  decide(query: string, lang?: Lang): Decision;
  /**
   * Resolves when the search thread is ready (or failed, or there is none). Nothing needs to
   * wait for it (until then this thread searches itself); tests and benchmarks that measure the
   * thread await it.
   */
  searchThreadStarted(): Promise<void>;
  /** How many `answerAsync` calls the search thread answered, and how many this thread did. */
  readonly searchCounts: { onThread: number; onMain: number };
  getQa(id: string): QaEntry | undefined;
  getArticle(id: string): ArticleEntry | undefined;
  getPassage(id: string): { article: ArticleEntry; passage: Passage } | undefined;
  /** Approved Q&A filed under a topic, in one language (default Vietnamese). */
  qaByTopic(topic: string, lang?: Lang): QaEntry[];
  /** The approved English translation of a Vietnamese entry (Q&A id or passage id), if any. */
  translationOf(id: string): string | undefined;
  readonly state: KnowledgeState;
  /** The candidates of a query with the evidence the decision weighs (diagnostics, calibration). */
  explain(query: string): Candidates;
  /** The answer decision fitted to the served content (calibrate.ts), with what it measured. */
  readonly decisionModel: DecisionModel;
  /** The English index's decision, when the content has English entries. */
  readonly decisionModelEn: DecisionModel | undefined;
  /** Region slug -> name, parent and path from the root. */
  regionInfo(slug: string): { name: string; parent: string | null; path: string[] } | undefined;
  /** Errors of the last load or reload (empty when the content is valid). */
  readonly errors: ContentError[];
  /**
   * The broken files (of {@link errors}) with no last good version being served: a new file
   * never valid yet, or any broken file when no earlier index or snapshot could give one (a
   * first start, or a snapshot of a format this version does not read). Their entries are not
   * answered until they are fixed; staff must not be told a previous version serves.
   */
  readonly lastGoodMissing: string[];
  /**
   * Reloads from disk. `ok` is false when some file is invalid; `published` says whether the
   * valid entries went live anyway (only entry files broken: each keeps its last good version)
   * or the last good index keeps serving as a whole (a shared file such as topics.yaml broken).
   * With a snapshot kept, the work runs on the build thread (build-thread.ts) while the old
   * index keeps serving; reloads asked for meanwhile run after it, in order.
   */
  reload(): Promise<ReloadResult>;
  /** Watches the content dir and reloads on change (debounced). */
  watch(): void;
  close(): void;
}

/** Dependencies of {@link createKnowledge}. */
export interface KnowledgeDeps {
  contentDir: string;
  /** Where the snapshot is kept; no snapshot when omitted. */
  dataDir?: string;
  logger?: Logger;
  options?: SearchOptions;
  /** Clock for expiry checks. A given clock keeps every search on this thread. */
  now?: () => Date;
  /** Search threads to start (0 or 1; default 0). See search-thread.ts. */
  searchThreads?: number;
  /**
   * With a search thread: a search expected to cost at most this (ms) runs on this thread
   * instead (default 0: every search goes to the thread). See {@link INLINE_SEARCH_MS}.
   */
  inlineSearchMs?: number;
  /**
   * With a search thread: whether this thread has no other message in hand (the app passes the
   * inbox's count of turns in progress and the HTTP server's requests in flight). Once it has
   * held, with no other search out on the thread, for more than {@link IDLE_STREAK} searches in
   * a row, a search expected to cost at most {@link IDLE_INLINE_SEARCH_MS} runs here: nobody
   * waits behind it, and the hand-off would cost the asker more than the search. Default: never.
   */
  idle?: () => boolean;
  /** The bound of {@link KnowledgeDeps.idle}'s searches here (ms; default {@link IDLE_INLINE_SEARCH_MS}). */
  idleInlineSearchMs?: number;
  /**
   * The snapshot file of `dataDir` as the caller already read it, for the first load (the app
   * reads it with `readSnapshotFileAsync`, which is quicker); read here when omitted. It is
   * served only if it matches the content and options, as a snapshot read here would be.
   */
  snapshot?: SnapshotFile;
  /** The content's hash, computed by the caller just before (openKnowledge, while the snapshot is read); computed here when omitted. */
  contentHash?: string;
  /** Read the snapshot but never write it (the search thread, beside the main thread's). */
  readOnlySnapshot?: boolean;
  /**
   * Keep at most this many variants per Q&A (`loa eval --strip-variants N`): measures how the
   * bot does on content written the way offices write it, one question and rarely a second.
   */
  maxVariants?: number;
  /** Build the English index when the content has English entries (default true; `loa eval` on Vietnamese cases only skips it). */
  english?: boolean;
  /**
   * Rebuild on the build thread when reloading (default: whenever a snapshot is written, which
   * is how the worker hands the index over). False keeps reloads on this thread.
   */
  buildThread?: boolean;
  /**
   * Measure the calibration's estimates on the practice questions (default true). The build
   * thread's reloads fit only the threshold (calibrate.ts `estimate`), which is all the answers
   * depend on; `loa index` and a start without a snapshot measure them.
   */
  calibrationEstimates?: boolean;
  /**
   * Fits the answer decision to the content (default: calibrate.ts `calibrate`). The fit is
   * deterministic; tests pass one that remembers its results, since their apps refit the same
   * content again and again (saving a draft leaves what is served unchanged).
   */
  calibrate?: typeof calibrate;
}

/**
 * The server's `inlineSearchMs`: searches expected to cost at most this run on the main thread.
 *
 * Handing a search to the thread and back is two wake-ups of a sleeping thread, a structured
 * clone each way and a turn of the event loop for the answer. For the shipped content's long
 * questions (about 0.25 ms of search) it cost more than the search: paired over HTTP against
 * the thread at load 12–24 on 2 cores, the server's CPU per answer fell by a fifth to a quarter
 * (7.0 -> 5.6 ms, threads included) and the main thread slept once per answer instead of twice.
 * For the 2,000 long passages (0.7–0.9 ms of search on a quiet machine) the evidence is split:
 * on a quiet machine the main thread alone answered faster than with the thread, one at a time
 * and 4 at a time (docs/BENCHMARKS.md, LOA_SEARCH_THREADS=0); on the loaded machine, 4 at a
 * time, the main thread became the bottleneck (p50 21.7 -> 53.5 ms), while one at a time was
 * even. 1 ms puts such searches here on a quiet machine and on the thread when timings
 * lengthen under load; longer questions and larger contents (several ms at 10,000 passages)
 * always go to the thread.
 *
 * **Off (0) for now.** The Telegram webhook bench on a quiet machine (2026-12-07) showed the
 * other side: at 1 ms, questions arriving at 500/s had p99 53.9 ms (500/s 24.4, 750/s 47.9 with
 * 0), the highest rate sustained fell from 750/s to 250/s: under a stream of updates the main
 * thread, which also parses, stores and replies, became the bottleneck while the thread's core
 * idled. What works instead is searching here only while the main thread has nothing else to
 * do: {@link IDLE_INLINE_SEARCH_MS} and `KnowledgeDeps.idle`.
 */
export const INLINE_SEARCH_MS = 0;

/**
 * The longest search (expected, ms) that runs on the main thread while it is otherwise idle
 * (`KnowledgeDeps.idle`). A lone visitor's question is then answered without the hand-off:
 * timed inside the server answering the long sample questions one at a time at load 6-10 on
 * 2 cores, the trip to the thread and back took 0.93 ms median and 6.3 ms at p90, the search
 * itself 0.5-0.65 ms median and 0.9-1.0 ms at p90 on either thread. In three paired runs
 * (idle rule off/on, same load) the server's CPU per answer went 3.2/4.3/4.5 -> 2.8/2.6/3.2 ms
 * and the visitor's p99 58.6/47.9/47.7 -> 12.8/14.8/35.8 ms. Under a stream of updates, or
 * several visitors at once, another turn or request is nearly always in progress, so the
 * searches go to the thread and the main thread keeps its time for parsing, storing and
 * replying (why {@link INLINE_SEARCH_MS} is 0). The bound keeps what a message arriving
 * meanwhile waits for short: searches of larger contents (several ms at 10,000 passages)
 * always go to the thread.
 */
export const IDLE_INLINE_SEARCH_MS = 2;

/**
 * Searches in a row that found the main thread idle before the next one runs there. A search
 * that runs here only now and then costs more than on the thread, which searches all the time
 * (its code and the index's data stay hot): with 4 visitors at a time, a search here whenever
 * one happened to be alone (about 1 in 7) raised the server's CPU per answer by about 0.5 ms
 * (2.64-2.91 -> 3.06-4.54 ms in four pairs at load 4.5-5). A lone visitor, or updates arriving
 * one by one, make such a run at once; several at a time almost never do.
 */
export const IDLE_STREAK = 8;

/** What a reload did (see {@link Knowledge.reload}). */
export interface ReloadResult {
  ok: boolean;
  published: boolean;
  errors: ContentError[];
}

/** The snapshot's file name in the data dir (./snapshot-file.ts). */
export const SNAPSHOT_FILE = 'index-snapshot.bin';

/** The content hash's stat cache in the data dir (./content-hash.ts). */
export const CONTENT_HASH_FILE = 'content-hash.json';

/**
 * The content as kept in the snapshot's header: passages' texts and Q&A answers are in the
 * snapshot's text (snapshot-file.ts `createTextTable`), the header holds where.
 */
interface SnapshotContent extends Omit<KnowledgeState, 'loadedAt' | 'fromSnapshot' | 'qa' | 'articles'> {
  qa: (Omit<QaEntry, 'answer'> & { answer: TextRef })[];
  articles: (Omit<ArticleEntry, 'passages'> & { passages: (Omit<Passage, 'text'> & { text: TextRef })[] })[];
}

/** The snapshot's header; the texts follow it in the same file, then the index's postings. */
interface SnapshotHeader {
  format: 4;
  contentHash: string;
  optionsHash: string;
  content: SnapshotContent;
  index: SearchIndexHeader;
  /** The English index, when the content has English entries: its sections follow the Vietnamese ones from byte `offset`. */
  en?: { index: SearchIndexHeader; offset: number };
  /** What the indexes were built and fitted from ({@link Loaded.servedHash}); absent in older snapshots. */
  servedHash?: string;
}

interface Loaded {
  state: KnowledgeState;
  index: SearchIndex;
  /** The English index (docs/search.md), when the content has English entries. */
  en?: SearchIndex;
  /** Vietnamese entry id -> its English translation's id. */
  translations: Map<string, string>;
  qa: Map<string, QaEntry>;
  articles: Map<string, ArticleEntry>;
  regions: ReturnType<typeof flattenRegions>;
  /**
   * A hash of everything the indexes were built and their decisions fitted from: the documents
   * served in each language, the synonyms, the search options and the negatives. Content whose
   * hash is the same is served by the same indexes (a saved draft, a refused approval).
   */
  servedHash?: string;
  /**
   * The bytes of the snapshot this was read from, until they are handed to the search thread
   * (which then reads neither the file nor a second copy of the sections): see `reloadThread`.
   */
  shared?: SharedSnapshot;
}

function assemble(state: KnowledgeState, index: SearchIndex, en?: SearchIndex, servedHash?: string): Loaded {
  const translations = new Map<string, string>();
  for (const e of [...state.qa, ...state.articles]) if (e.translationOf) translations.set(e.translationOf, e.id);
  return {
    state,
    index,
    ...(en ? { en } : {}),
    ...(servedHash ? { servedHash } : {}),
    translations,
    qa: new Map(state.qa.map((q) => [q.id, q])),
    articles: new Map(state.articles.map((a) => [a.id, a])),
    regions: flattenRegions(state.regions),
  };
}

/** Appended to the content hash of an index that keeps broken files' last good versions. */
export const PARTIAL_SUFFIX = '+partial';

/** True for a Q&A or article file: an error there affects only the entries of that file. */
export function isEntryFile(file: string): boolean {
  return /^(qa|articles)[\\/]/.test(file);
}

/**
 * The content to serve when only entry files are broken: every valid entry, plus the entries
 * each broken file held in `lastGood` (unless their id is now used by a valid file). The hash
 * is marked partial, so it never equals a clean load's.
 */
function withLastGood(content: Content, lastGood: Pick<KnowledgeState, 'qa' | 'articles'> | undefined): Content {
  const broken = new Set(content.errors.map((e) => e.file));
  const qaIds = new Set(content.qa.map((q) => q.id));
  const articleIds = new Set(content.articles.map((a) => a.id));
  return {
    ...content,
    qa: [...content.qa, ...(lastGood?.qa ?? []).filter((q) => broken.has(q.file) && !qaIds.has(q.id))],
    articles: [...content.articles, ...(lastGood?.articles ?? []).filter((a) => broken.has(a.file) && !articleIds.has(a.id))],
    hash: `${content.hash}${PARTIAL_SUFFIX}`,
  };
}

/**
 * A snapshot's content with its texts (answers, passages) read back from the snapshot's text.
 * Each text is read from the snapshot's bytes when it is used (snapshot-file.ts
 * `SnapshotText`): a start reads none of them, a search only its candidates'.
 */
function decodeContent(snap: SnapshotHeader, file: SnapshotFile): Omit<KnowledgeState, 'loadedAt' | 'fromSnapshot'> {
  const text = lazyTextTable(file.text);
  return {
    ...snap.content,
    qa: snap.content.qa.map(({ answer, ...q }): QaEntry => withText(q, 'answer', text(answer))),
    articles: snap.content.articles.map((a) => ({ ...a, passages: a.passages.map(({ text: ref, ...p }): Passage => withText(p, 'text', text(ref))) })),
  };
}

/** `o` with `key` read by `read` whenever it is read (enumerable: spreads and JSON copy it). */
function withText<T extends object, K extends string>(o: T, key: K, read: () => string): T & Record<K, string> {
  return Object.defineProperty(o, key, { get: read, enumerable: true, configurable: true }) as T & Record<K, string>;
}

/** The content's hash: from the stat cache beside the snapshot when no content file changed (content-hash.ts). */
function contentHashOf(deps: KnowledgeDeps): string {
  return deps.dataDir
    ? hashContentCached(deps.contentDir, join(deps.dataDir, CONTENT_HASH_FILE), { write: !deps.readOnlySnapshot })
    : hashContent(deps.contentDir);
}

/**
 * {@link createKnowledge} for a start-up that can wait (the server's): the snapshot is read off
 * this thread (snapshot-file.ts `readSnapshotFileAsync`), and the content hashed while it is.
 * At 10,000 passages, loading from the snapshot took 0.91 s with createKnowledge and 0.73-0.77 s
 * with this (medians of 6-7 fresh processes each, load 1.7-2.6; hashing meanwhile rather than
 * after saved 60 ms of it).
 *
 * @example
 * const knowledge = await openKnowledge({ contentDir: 'content', dataDir: 'data' });
 */
export async function openKnowledge(deps: KnowledgeDeps): Promise<Knowledge> {
  if (!deps.dataDir || deps.snapshot) return createKnowledge(deps);
  let contentHash: string | undefined;
  const hash = (): void => {
    try {
      contentHash = contentHashOf(deps);
    } catch {
      // Hashed again, and any error reported, by createKnowledge.
    }
  };
  // None or unreadable: read again, and reported, by createKnowledge.
  const snapshot = await readSnapshotFileAsync(join(deps.dataDir, SNAPSHOT_FILE), { whileReading: hash }).catch(() => undefined);
  return createKnowledge({ ...deps, ...(snapshot ? { snapshot } : {}), ...(contentHash !== undefined ? { contentHash } : {}) });
}

/** Unreadable-snapshot reasons already logged by this process (each is logged once). */
const snapshotWarned = new Set<string>();

/**
 * Creates the knowledge base and loads it (snapshot first). Never throws for content errors:
 * they are logged and exposed in `errors`; valid files are served.
 */
export function createKnowledge(depsIn: KnowledgeDeps): Knowledge {
  // The snapshot given for the first load is not kept in `deps`, which lives as long as the
  // knowledge does: at 10,000 passages it is about 100 MB.
  let given: { snapshot?: SnapshotFile; contentHash?: string } | undefined = { snapshot: depsIn.snapshot, contentHash: depsIn.contentHash };
  const { snapshot: _snapshot, contentHash: _contentHash, ...deps } = depsIn;
  const options = deps.options ?? defaultSearchOptions;
  const log = deps.logger;
  const now = deps.now ?? (() => new Date());
  const fitDecision = deps.calibrate ?? calibrate;
  const snapshotFile = deps.dataDir ? join(deps.dataDir, SNAPSHOT_FILE) : undefined;
  let errors: ContentError[] = [];
  /** The hash of content served with a shared file broken and no last good index (see lastGoodMissing). */
  let servedBroken: string | undefined;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  // The calibration's negatives (calibrate.ts) are part of what a snapshot was made from.
  const negatives = (): string[] => readNegatives(deps.contentDir);
  const englishNegatives = (): string[] => readNegatives(deps.contentDir, 'en');
  const snapshotKey = (synonyms: string[][]): string => optionsHash(options, synonyms, negatives(), { negatives: englishNegatives() });
  /** The search documents of one language; English ones are filed under the topics' English names. */
  const docsIn = (lang: Lang, qa: QaEntry[], articles: ArticleEntry[], topics: Topic[]) =>
    toSearchDocs(
      qa.filter((q) => q.lang === lang),
      articles.filter((a) => a.lang === lang),
      lang === 'en' ? topics.map((t) => ({ ...t, name: t.name_en ?? '' })) : topics,
    );

  /**
   * Builds the index and fits the decision; `estimate` measures the calibration's estimates too.
   * When `prior` gives, for this content's served hash, what was built from the same served
   * documents, synonyms, options and negatives (only drafts, pending changes, retired entries or
   * review notes differ), its indexes and fitted
   * decisions serve the new content as they are: building and fitting them again would give the
   * same (the fit is deterministic) and takes seconds to minutes on a large office's content.
   */
  const fromContent = (loaded: Content, estimate = deps.calibrationEstimates !== false, prior?: (served: string) => Loaded | undefined): Loaded => {
    const calibration: CalibrationOptions = { ...defaultCalibrationOptions, estimate };
    const content =
      deps.maxVariants === undefined
        ? loaded
        : { ...loaded, qa: loaded.qa.map((q) => ({ ...q, variants: q.variants.slice(0, deps.maxVariants) })) };
    // Index only what may be served; drafts and retired entries stay listed for staff.
    const today = now().toISOString().slice(0, 10);
    const qa = content.qa.filter((q) => isServable(q, today));
    const articles = content.articles.filter((a) => isServable(a, today));
    const docs = docsIn('vi', qa, articles, content.topics);
    const enDocs = deps.english === false ? [] : docsIn('en', qa, articles, content.topics);
    const served = createHash('sha256').update(JSON.stringify([docs, enDocs, content.synonyms, snapshotKey(content.synonyms)])).digest('hex');
    const state: KnowledgeState = {
      qa: content.qa,
      articles: content.articles,
      topics: content.topics,
      regions: content.regions,
      synonyms: content.synonyms,
      hash: content.hash,
      loadedAt: new Date(),
      fromSnapshot: false,
    };
    const same = prior?.(served);
    if (same?.servedHash === served) {
      log?.info('knowledge: what is served is unchanged; the index and its decision are kept');
      return assemble(state, same.index, same.en, served);
    }
    const index = buildSearchIndex(docs, content.synonyms, options);
    // The decision is fitted to this content (calibrate.ts) and kept in the snapshot.
    const model = fitDecision(index, docs, content.synonyms, options, negatives(), calibration);
    index.setModel(model);
    const i = model.info;
    // A reload while serving fits the threshold only (estimate: false): no estimates to log.
    const est = i.estimated === false ? {} : { estRecall: Number(i.estRecall.toFixed(3)), estPrecision: Number(i.estPrecision.toFixed(3)) };
    log?.info(
      { source: i.source, positives: i.positives, negatives: i.negatives, threshold: Number(model.threshold.toFixed(3)), ...est, ms: Math.round(i.ms) },
      'knowledge: answer decision calibrated',
    );
    for (const w of i.warnings) log?.warn(`knowledge: ${w}`);
    // English entries get an index of their own, with the English analyzer, calibrated the same
    // way on English practice questions and English negatives (out-of-scope/en/).
    let en: SearchIndex | undefined;
    if (enDocs.length > 0) {
      en = buildSearchIndex(enDocs, [], options, 'en');
      const enModel = fitDecision(en, enDocs, [], options, englishNegatives(), calibration, 'en');
      en.setModel(enModel);
      const e = enModel.info;
      log?.info(
        { source: e.source, positives: e.positives, negatives: e.negatives, threshold: Number(enModel.threshold.toFixed(3)), estRecall: Number(e.estRecall.toFixed(3)), estPrecision: Number(e.estPrecision.toFixed(3)) },
        'knowledge: English answer decision calibrated',
      );
      for (const w of e.warnings) log?.warn(`knowledge (English): ${w}`);
    }
    return assemble(state, index, en, served);
  };

  const writeSnapshot = (l: Loaded): void => {
    if (!snapshotFile || deps.readOnlySnapshot) return;
    const index = searchIndexToSnapshot(l.index);
    const en = l.en ? searchIndexToSnapshot(l.en) : undefined;
    let enOffset = 0;
    for (const s of index.sections) enOffset += align8(s.byteLength);
    const texts = createTextTable();
    const header: SnapshotHeader = {
      format: 4,
      contentHash: l.state.hash,
      optionsHash: snapshotKey(l.state.synonyms),
      content: {
        qa: l.state.qa.map((q) => ({ ...q, answer: texts.add(q.answer) })),
        articles: l.state.articles.map((a) => ({ ...a, passages: a.passages.map((p) => ({ ...p, text: texts.add(p.text) })) })),
        topics: l.state.topics,
        regions: l.state.regions,
        synonyms: l.state.synonyms,
        hash: l.state.hash,
      },
      index: index.header,
      ...(en ? { en: { index: en.header, offset: enOffset } } : {}),
      ...(l.servedHash ? { servedHash: l.servedHash } : {}),
    };
    try {
      mkdirSync(deps.dataDir!, { recursive: true });
      writeSnapshotFile(snapshotFile, header, [...index.sections, ...(en?.sections ?? [])], texts.text());
      // The JSON snapshot of earlier versions is never read again.
      rmSync(join(deps.dataDir!, 'index-snapshot.json'), { force: true });
    } catch (err) {
      log?.warn({ err }, 'knowledge: could not write the index snapshot; start-up will rebuild');
    }
  };

  /** The snapshot file, read (undefined when there is none or it cannot be read). */
  const openSnapshot = (): SnapshotFile | undefined => {
    if (!snapshotFile || !existsSync(snapshotFile)) return undefined;
    try {
      return readSnapshotFile(snapshotFile);
    } catch (err) {
      // Expected after an update (an older format) or a crash mid-write: it is rebuilt. Said once
      // per process and without a stack (the ops trial read it three times, each with a trace).
      const reason = err instanceof Error ? err.message : String(err);
      if (!snapshotWarned.has(reason)) {
        snapshotWarned.add(reason);
        log?.warn({ reason }, 'knowledge: ignoring an unreadable index snapshot; it will be rebuilt');
      }
      return undefined;
    }
  };
  /** The snapshot's index when it was made from content of `hash` (null: any content) with these options. */
  const readSnapshot = (hash: string | null, file = openSnapshot()): Loaded | undefined => {
    if (!file) return undefined;
    try {
      const snap = file.header as SnapshotHeader;
      if (snap.format !== 4) return undefined;
      if (hash !== null && snap.contentHash !== hash) return undefined;
      if (snap.optionsHash !== snapshotKey(snap.content.synonyms)) return undefined;
      const c = decodeContent(snap, file);
      // Every entry's document (drafts included, they are never returned: only indexed ones
      // match) gives the text that coverage is checked on.
      const docs = docsIn('vi', c.qa, c.articles, c.topics);
      const index = loadSearchIndex(snap.index, file.body, docs, c.synonyms, options);
      const en = snap.en
        ? loadSearchIndex(snap.en.index, file.body.subarray(snap.en.offset), docsIn('en', c.qa, c.articles, c.topics), [], options, 'en')
        : undefined;
      const l = assemble({ ...c, loadedAt: new Date(), fromSnapshot: true }, index, en, snap.servedHash);
      // Handed on once: whoever gave the file (deps.snapshot) does not keep the header's bytes alive.
      l.shared = file.shared;
      file.shared = undefined;
      return l;
    } catch (err) {
      log?.warn({ err }, 'knowledge: ignoring an unreadable index snapshot');
      return undefined;
    }
  };

  /**
   * The content a snapshot holds (entries with their texts, topics, regions, synonyms), whatever
   * content or options it was made with: where the last good versions of broken files come
   * from. A snapshot of other options (a Loa upgrade changes them) cannot serve its index, but
   * its entries are still the last good ones an office wrote.
   */
  const snapshotContent = (file: SnapshotFile | undefined): Content | undefined => {
    if (!file) return undefined;
    try {
      const snap = file.header as SnapshotHeader;
      if (snap.format !== 4) return undefined;
      const c = decodeContent(snap, file);
      return { dir: deps.contentDir, topics: c.topics, regions: c.regions, synonyms: c.synonyms, hash: c.hash, errors: [], qa: c.qa, articles: c.articles };
    } catch {
      return undefined;
    }
  };

  const initial = (): Loaded => {
    const hash = given?.contentHash ?? contentHashOf(deps);
    // Read once: it may be asked for this content, a partial index of it, or the last good one.
    const file = given?.snapshot ?? openSnapshot();
    const snap = readSnapshot(hash, file);
    if (snap) {
      log?.info({ entries: snap.state.qa.length, articles: snap.state.articles.length }, 'knowledge: loaded from snapshot');
      return snap;
    }
    // An index made while entry files were broken: serve it again, and report the errors again.
    const partial = readSnapshot(`${hash}${PARTIAL_SUFFIX}`, file);
    if (partial) {
      errors = loadContent(deps.contentDir).errors;
      log?.warn({ errors: errors.length }, `knowledge: loaded from snapshot; these files are broken, their last good versions are served:\n${formatContentErrors(errors)}`);
      return partial;
    }
    const content = loadContent(deps.contentDir);
    errors = content.errors;
    if (errors.length > 0 && errors.every((e) => isEntryFile(e.file))) {
      log?.error({ errors: errors.length }, `knowledge: content has errors; the valid entries are served, and the broken files' last good versions:\n${formatContentErrors(errors)}`);
      const l = fromContent(withLastGood(content, snapshotContent(file)));
      writeSnapshot(l);
      return l;
    }
    if (errors.length > 0) {
      log?.error({ errors: errors.length }, `knowledge: content has errors:\n${formatContentErrors(errors)}`);
      // Prefer the last good index (a snapshot of other content) over a partial one.
      const lastGood = readSnapshot(null, file);
      if (lastGood) {
        log?.warn('knowledge: serving the last good index until the content errors are fixed');
        return lastGood;
      }
      // A snapshot made with other options (an upgrade) still holds the last good content: indexed again.
      const lastGoodContent = snapshotContent(file);
      if (lastGoodContent) {
        log?.warn('knowledge: serving the last good content (indexed again: the snapshot was made with other options) until the content errors are fixed');
        // Kept as the snapshot (under the last good content's hash and today's options): the
        // search thread and the next start load it instead of building it again.
        const l = fromContent(lastGoodContent);
        writeSnapshot(l);
        return l;
      }
      log?.error('knowledge: no last good index or snapshot to serve: serving what the broken content gives until it is fixed');
      servedBroken = content.hash;
    }
    // The snapshot of other content still serves when only unserved entries changed (the build
    // thread's reload after a draft is saved); its index is loaded only then.
    const served = (file?.header as SnapshotHeader | undefined)?.servedHash;
    const l = fromContent(content, undefined, (h) => (errors.length === 0 && h === served ? readSnapshot(null, file) : undefined));
    if (errors.length === 0) writeSnapshot(l);
    log?.info({ entries: l.state.qa.length, articles: l.state.articles.length }, 'knowledge: content indexed');
    return l;
  };

  // The worker's clock is the real one: with an injected clock (tests) every search stays here.
  // It is started first, so that it boots (starts its isolate, compiles its modules) while this
  // thread loads; it loads the snapshot once this thread has checked or rewritten it (below).
  // Nothing waits for it: until it reports ready, this thread searches itself; the log says when
  // it took over (ms: since it was asked to load this content).
  let threadAskedAt = performance.now();
  const thread =
    (deps.searchThreads ?? 0) > 0 && !deps.now
      ? startSearchThread({ contentDir: deps.contentDir, ...(deps.dataDir ? { dataDir: deps.dataDir } : {}), ...(deps.options ? { options: deps.options } : {}) }, (err) => log?.error({ err }, 'knowledge: the search thread failed; searching on the main thread'),
          (hash) => log?.info({ hash: hash.slice(0, 12), ms: Math.round(performance.now() - threadAskedAt) }, 'knowledge: the search thread is ready'),
        )
      : undefined;

  /**
   * Has the search thread load what this thread serves: the bytes of the snapshot it was read
   * from (shared memory, neither read nor copied again), else the snapshot just written. This
   * thread searches itself until the search thread is ready again.
   */
  const reloadThread = (): void => {
    threadAskedAt = performance.now();
    const shared = current.shared;
    // Not kept here: once the search thread has parsed them, the header's bytes are freed.
    current.shared = undefined;
    thread?.reload(shared);
  };
  let current = initial();
  // A snapshot given and not served (other content) keeps nothing alive either.
  if (given?.snapshot) given.snapshot.shared = undefined;
  given = undefined;
  reloadThread();

  // Today's date, computed once per query rather than once per candidate.
  let today = '';
  const servable = (id: string): boolean => {
    const hashAt = id.indexOf('#');
    const e = hashAt >= 0 ? current.articles.get(id.slice(0, hashAt)) : current.qa.get(id);
    return !!e && isServable(e, today);
  };

  const resolve = (d: Decision): Answer => {
    if (d.kind === 'none') return d;
    const hashAt = d.id.indexOf('#');
    if (hashAt >= 0) {
      const article = current.articles.get(d.id.slice(0, hashAt));
      const passage = article?.passages.find((p) => p.id === d.id);
      return { ...d, article, passage };
    }
    return { ...d, qa: current.qa.get(d.id) };
  };

  const noEnglish: Decision = { kind: 'none', reason: 'no-match', confidence: 0, suggestions: [] };
  const decide = (query: string, lang: Lang = 'vi'): Decision => {
    today = now().toISOString().slice(0, 10);
    if (lang === 'en') return current.en ? current.en.search(query, servable) : noEnglish;
    return current.index.search(query, servable);
  };

  /** The English translation of a Vietnamese entry or passage, when it is served today. */
  const translationOf = (id: string): string | undefined => {
    const hashAt = id.indexOf('#');
    const base = hashAt >= 0 ? id.slice(0, hashAt) : id;
    const t = current.translations.get(base);
    if (!t) return undefined;
    today = now().toISOString().slice(0, 10);
    const tid = hashAt >= 0 ? `${t}${id.slice(hashAt)}` : t;
    if (servable(tid)) return tid;
    // A passage the translation does not have: its introduction.
    return hashAt >= 0 && servable(`${t}#0`) ? `${t}#0` : undefined;
  };

  /**
   * An English question's answer from its decision in the English index and (asked only when
   * that one has no answer) in the Vietnamese index: see {@link Knowledge.answer}.
   */
  const englishAnswer = (en: Decision, vi: Decision | undefined): Answer => {
    if (en.kind === 'answer') return { ...resolve(en), lang: 'en' };
    if (vi?.kind === 'answer') {
      const t = translationOf(vi.id);
      const a = resolve({ ...vi, id: t ?? vi.id, alternatives: [] });
      if (a.kind === 'answer') return t ? { ...a, lang: 'en' } : { ...a, lang: 'vi', fallback: true };
    }
    return { ...en, lang: 'en' };
  };

  const searchCounts = { onThread: 0, onMain: 0 };
  // What a search costs per character of the query (ms), from the searches timed on either
  // thread (the same index, the same code): a question costs about in proportion to its length
  // (its terms' postings are read). The estimate follows the lower quartile of the timings, not
  // their mean: a timing is only ever lengthened by what is not the search (the thread waiting
  // for a core on a busy machine, a garbage collection), and the rule below is about the
  // search's own cost. It steps 7.5 % down or 2.5 % up per timing, so it settles where a quarter
  // of the timings fall below it, and follows a reload to ten times larger content within
  // about a hundred questions. Undefined until a search is timed.
  const inlineMs = thread ? (deps.inlineSearchMs ?? 0) : 0;
  const idle = thread ? deps.idle : undefined;
  const idleMs = deps.idleInlineSearchMs ?? IDLE_INLINE_SEARCH_MS;
  const timed = inlineMs > 0 || idle !== undefined;
  // Decisions asked of the thread and not yet back: while one is out, this thread is not idle.
  let onThreadNow = 0;
  // Searches in a row that found this thread idle (see IDLE_STREAK).
  let aloneStreak = 0;
  let msPerChar: number | undefined;
  const measured = (ms: number, query: string): void => {
    const x = ms / Math.max(1, query.length);
    msPerChar = msPerChar === undefined ? x : msPerChar * (x < msPerChar ? 0.925 : 1.025);
  };
  /**
   * One decision: here when it is expected to cost at most `inlineSearchMs` (handing it to the
   * thread and back costs more than that), or at most {@link IDLE_INLINE_SEARCH_MS} while this
   * thread has been otherwise idle for {@link IDLE_STREAK} searches; else on the search thread
   * when it serves this content, else here.
   */
  const decideAsync = async (query: string, lang: Lang): Promise<Decision> => {
    const hash = current.state.hash;
    const expected = msPerChar === undefined ? undefined : msPerChar * Math.max(1, query.length);
    aloneStreak = idle !== undefined && onThreadNow === 0 && idle() ? aloneStreak + 1 : 0;
    const here = !thread || (expected !== undefined && (expected <= inlineMs || (expected <= idleMs && aloneStreak > IDLE_STREAK)));
    let made: Awaited<ReturnType<SearchThread['decide']>>;
    if (!here && thread) {
      onThreadNow++;
      try {
        made = await thread.decide(query, hash, lang);
      } finally {
        onThreadNow--;
      }
    }
    // Resolved only against the content the decision was made on.
    if (made && current.state.hash === hash) {
      if (timed) measured(made.ms, query);
      searchCounts.onThread++;
      return made.decision;
    }
    searchCounts.onMain++;
    if (!timed) return decide(query, lang);
    const t = performance.now();
    const d = decide(query, lang);
    measured(performance.now() - t, query);

    return d;
  };
  /** A reload on this thread (no snapshot kept, or the build thread failed). */
  const reloadHere = (): ReloadResult => {
    const content = loadContent(deps.contentDir);
    errors = content.errors;
    if (content.errors.length > 0 && content.errors.every((e) => isEntryFile(e.file))) {
      current = fromContent(withLastGood(content, current.state), false);
      writeSnapshot(current);
      reloadThread();
      log?.error(
        { errors: content.errors.length, entries: current.state.qa.length },
        `knowledge: content reloaded; these files are broken and their last good versions keep serving:\n${formatContentErrors(content.errors)}`,
      );
      return { ok: false, published: true, errors: content.errors };
    }
    if (content.errors.length > 0) {
      log?.error(
        { errors: content.errors.length },
        `knowledge: reload refused, the last good index keeps serving:\n${formatContentErrors(content.errors)}`,
      );
      return { ok: false, published: false, errors: content.errors };
    }
    // Unchanged (the watcher's reload after the admin's own, a touched file): nothing to rebuild.
    if (content.hash === current.state.hash) return { ok: true, published: true, errors: [] };
    // While serving, only the threshold is fitted (the answers depend on nothing else).
    const before = current;
    current = fromContent(content, false, () => before);
    writeSnapshot(current);
    reloadThread();
    log?.info({ entries: current.state.qa.length }, 'knowledge: content reloaded');
    return { ok: true, published: true, errors: [] };
  };

  /** A reload built on the build thread: this thread reads the snapshot it wrote and swaps it in. */
  const reloadOnThread = async (b: BuildThread): Promise<ReloadResult> => {
    const started = performance.now();
    let built: { hash: string; errors: ContentError[] };
    try {
      built = await b.build(now());
    } catch (err) {
      log?.error({ err }, 'knowledge: the build thread failed; reloading on the main thread');
      return reloadHere();
    }
    errors = built.errors;
    if (errors.length > 0 && !errors.every((e) => isEntryFile(e.file))) {
      log?.error({ errors: errors.length }, `knowledge: reload refused, the last good index keeps serving:\n${formatContentErrors(errors)}`);
      return { ok: false, published: false, errors };
    }
    if (built.hash !== current.state.hash) {
      // Read off this thread, as at start-up: at 10,000 passages a synchronous read held answers ~0.3 s.
      const next = readSnapshot(built.hash, await readSnapshotFileAsync(snapshotFile!).catch(() => undefined));
      // The worker could not write it (a read-only data dir): build here instead.
      if (!next) return reloadHere();
      current = next;
      reloadThread();
      const m = current.index.model;
      log?.info(
        { entries: current.state.qa.length, ms: Math.round(performance.now() - started), threshold: Number(m.threshold.toFixed(3)), ...(m.info.estimated === false ? {} : { estRecall: Number(m.info.estRecall.toFixed(3)) }) },
        'knowledge: content reloaded (built on the build thread)',
      );
      for (const w of m.info.warnings) log?.warn(`knowledge: ${w}`);
    }
    if (errors.length > 0)
      log?.error({ errors: errors.length }, `knowledge: these files are broken and their last good versions keep serving:\n${formatContentErrors(errors)}`);
    return { ok: errors.length === 0, published: true, errors };
  };

  const builder =
    snapshotFile && !deps.readOnlySnapshot && deps.buildThread !== false
      ? createBuildThread({ contentDir: deps.contentDir, dataDir: deps.dataDir!, ...(deps.options ? { options: deps.options } : {}), ...(deps.maxVariants !== undefined ? { maxVariants: deps.maxVariants } : {}) })
      : undefined;
  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, published: true, errors: [] });

  const knowledge: Knowledge = {
    answer(query, lang = 'vi') {
      if (lang === 'vi') return resolve(decide(query));
      const en = decide(query, 'en');
      return englishAnswer(en, en.kind === 'answer' ? undefined : decide(query, 'vi'));
    },
    async answerAsync(query, lang = 'vi') {
      if (lang === 'vi') return resolve(await decideAsync(query, 'vi'));
      const en = await decideAsync(query, 'en');
      return englishAnswer(en, en.kind === 'answer' ? undefined : await decideAsync(query, 'vi'));
    },
    decide,
    translationOf,
    searchThreadStarted: () => thread?.started ?? Promise.resolve(),
    searchCounts,
    getQa: (id) => current.qa.get(id),
    getArticle: (id) => current.articles.get(id),
    getPassage(id) {
      const article = current.articles.get(id.split('#')[0] ?? '');
      const passage = article?.passages.find((p) => p.id === id);
      return article && passage ? { article, passage } : undefined;
    },
    qaByTopic(topic, lang = 'vi') {
      const today = now().toISOString().slice(0, 10);
      return current.state.qa.filter((q) => q.lang === lang && q.topics.includes(topic) && isServable(q, today));
    },
    get state() {
      return current.state;
    },
    explain(query) {
      today = now().toISOString().slice(0, 10);
      return current.index.candidates(query, servable);
    },
    get decisionModel() {
      return current.index.model;
    },
    get decisionModelEn() {
      return current.en?.model;
    },
    regionInfo: (slug) => current.regions.get(slug),
    get errors() {
      return errors;
    },
    get lastGoodMissing() {
      const files = [...new Set(errors.map((e) => e.file))];
      if (files.length === 0) return [];
      const served = new Set<string>();
      for (const q of current.state.qa) served.add(q.file);
      for (const a of current.state.articles) served.add(a.file);
      return files.filter((f) => (isEntryFile(f) ? !served.has(f) : current.state.hash === servedBroken));
    },
    reload() {
      const run = (): Promise<ReloadResult> => (builder ? reloadOnThread(builder) : Promise.resolve(reloadHere()));
      reloading = reloading.then(run, run);
      return reloading;
    },
    watch() {
      if (watcher) return;
      const start = (): void => {
        try {
          watcher = watch(deps.contentDir, { recursive: true }, () => {
            clearTimeout(timer);
            timer = setTimeout(() => {
              // Watched again before each reload: on Linux (Node 20) a recursive watcher does not
              // see changes inside a folder created after it started (a new topic folder under
              // qa/), so the next edit of a file there would never reload. What changed between
              // the event and this new watcher is read by the reload below.
              watcher?.close();
              watcher = undefined;
              start();
              void knowledge.reload();
            }, 300);
          });
          watcher.on('error', (err) => log?.warn({ err }, 'knowledge: content watcher failed'));
        } catch (err) {
          log?.warn({ err }, 'knowledge: cannot watch the content directory; reload by restarting');
        }
      };
      start();
    },
    close() {
      void thread?.close();
      void builder?.close();
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
  return knowledge;
}

/** Canonical form of a question, stored with unanswered questions so staff can group them. */
export function normalizeQuestion(q: string): string {
  return canonical(q);
}
