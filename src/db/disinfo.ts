/**
 * Reports of suspected disinformation and the cases staff triage (issue 17, item 1).
 *
 * Why cases: the same false post reaches many people, and fifty reports of one link are one
 * piece of work for staff, not fifty. A report therefore joins the case of the same item:
 * - a link, once normalised ({@link normalizeUrl}: lower-case host, no `www.`, no tracking
 *   parameters such as `utm_*` or `fbclid`, no fragment);
 * - a text, folded ({@link textKey}: no diacritics, case, punctuation or spacing), or one whose
 *   word 3-shingles overlap an open case's by at least {@link NEAR_DUPLICATE} (a copy with a word
 *   changed or an emoji added);
 * - a screenshot, by its platform file reference.
 * The case counts distinct reporters, as far as Loa can tell them apart: a Telegram or Zalo
 * account is one, and web chat reports count once per network source (`reporter_key`, migration
 * 112; a web session id is free to make up). Reports are personal data (who reported what); the case
 * holds the item itself and anonymous counts, which the yearly report uses.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import { foldedCanonical } from '../text/vietnamese.js';
import { recordAudit } from './audit.js';
import { vietnamYear } from '../time/vietnam.js';
import type { Lang } from '../text/language.js';

/** Case statuses, in the order of the triage. */
export const CASE_STATUSES = ['new', 'checking', 'confirmed_false', 'handled', 'not_false', 'out_of_scope'] as const;
/** A case status. */
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** How a confirmed false item was handled. */
export const CASE_OUTCOMES = ['platform', 'police', 'correction'] as const;
/** A handling outcome. */
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/**
 * The steps staff may take from each status. `handled` needs a confirmed false item first; a
 * case judged "not false" or "not in scope" can be reopened (back to checking) if new facts come.
 */
export const NEXT_STATUSES: Record<CaseStatus, readonly CaseStatus[]> = {
  new: ['checking', 'confirmed_false', 'not_false', 'out_of_scope'],
  checking: ['confirmed_false', 'not_false', 'out_of_scope'],
  confirmed_false: ['handled'],
  handled: ['handled'],
  not_false: ['checking'],
  out_of_scope: ['checking'],
};

/** Statuses whose reporters are told the outcome. */
export const TOLD_STATUSES: readonly CaseStatus[] = ['handled', 'not_false', 'out_of_scope'];

/** Texts whose word 3-shingles overlap at least this much (Jaccard) are one case. */
export const NEAR_DUPLICATE = 0.8;

/** Query parameters that only track the click, never change what the page shows. */
const TRACKING = /^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|si|ref|ref_src|__tn__|__cft__.*|mibextid|zarsrc|_ga|_gl)$/i;

/**
 * The query parameters that name a Facebook post, photo or video (`story.php?story_fbid=…&id=…`,
 * `photo?fbid=…`, `watch?v=…`); every other one comes from how it was shared (`rdid`,
 * `share_url`, `sfnsn`, `set`, `eav`, `paipv`…) and differs between two people's links to one post.
 */
const FACEBOOK_KEEP = new Set(['story_fbid', 'id', 'fbid', 'v', 'multi_permalinks']);

/**
 * A YouTube video's id from any of its addresses (`youtu.be/ID`, `watch?v=ID`, `shorts/ID`,
 * `live/ID`, `embed/ID`), or null when the address is not one video.
 */
function youtubeVideo(host: string, u: URL): string | null {
  if (host === 'youtu.be') return u.pathname.split('/')[1] || null;
  if (host !== 'youtube.com' && host !== 'music.youtube.com') return null;
  if (u.pathname === '/watch') return u.searchParams.get('v');
  const m = u.pathname.match(/^\/(?:shorts|live|embed|v)\/([^/]+)/);
  return m ? m[1]! : null;
}

/**
 * A link in one canonical form, so that shares of one post compare equal: `https` for `http`,
 * lower-case host, `www.` and `m.` dropped (and Facebook's `mbasic.`, `touch.`, `web.` and
 * `fb.com`; its `l.facebook.com/l.php?u=…` wrapper gives the wrapped link), tracking parameters
 * dropped, the rest sorted, no fragment, no trailing '/'. Per site, what a share adds is dropped
 * too: a TikTok video's address has no query that matters (`_t`, `_r`, `is_from_webapp`,
 * `sender_device`…), a Facebook post keeps only the parameters that name it
 * ({@link FACEBOOK_KEEP}), and a YouTube video is `youtube.com/watch?v=ID` whichever address was
 * shared (`youtu.be`, `shorts/`, with `feature=share` or a start time). Returns null when `raw`
 * is not an http(s) URL.
 *
 * @example normalizeUrl('https://WWW.Facebook.com/post/1/?utm_source=x&fbclid=abc#top') // 'https://facebook.com/post/1'
 */
export function normalizeUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  let host = u.hostname.toLowerCase().replace(/^(www|m|mobile)\./, '');
  // Facebook wraps outgoing links (l.facebook.com/l.php?u=…): the case is the page it points to.
  const wrapped = /^lm?\.facebook\.com$/.test(host) && u.pathname === '/l.php' ? u.searchParams.get('u') : null;
  if (wrapped) return normalizeUrl(wrapped);
  // Facebook's other front ends and its short domain show the same post.
  if (/^(mbasic|touch|web)\.facebook\.com$/.test(host) || host === 'fb.com') host = 'facebook.com';
  const video = youtubeVideo(host, u);
  if (video) return `https://youtube.com/watch?v=${encodeURIComponent(video)}`;
  const keep = (k: string): boolean =>
    host === 'tiktok.com' ? false : host === 'facebook.com' ? FACEBOOK_KEEP.has(k) : !TRACKING.test(k);
  const params = [...u.searchParams].filter(([k]) => keep(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  const path = u.pathname.replace(/\/+$/, '');
  return `https://${host}${u.port ? `:${u.port}` : ''}${path}${query}`;
}

/**
 * The sites whose links people paste without `https://` (copied from an app's share text or
 * typed): such a link is still the post's link, and groups with the same link pasted in full.
 */
const BARE_LINK = /(?:^|[\s(“"'])((?:[a-z0-9-]+\.)*(?:facebook\.com|fb\.com|fb\.watch|zalo\.me|tiktok\.com|youtube\.com|youtu\.be)\/[^\s<>"“”]*)/i;

/** The first http(s) link in a text (or a bare link of a social network, as `https://…`), or null. */
export function firstUrl(text: string): string | null {
  const full = text.match(/https?:\/\/[^\s<>"“”]+/i);
  const bare = text.match(BARE_LINK);
  const trim = (s: string): string => s.replace(/[.,;:!?)\]]+$/, '');
  if (bare && (!full || bare.index! + bare[0].length - bare[1]!.length < full.index!)) return `https://${trim(bare[1]!)}`;
  return full ? trim(full[0]) : null;
}

/** The folded form two near-identical texts share: no diacritics, case, punctuation or extra spaces. */
export function textKey(text: string): string {
  return foldedCanonical(text);
}

function shingles(key: string): Set<string> {
  const w = key.split(' ').filter(Boolean);
  const out = new Set<string>();
  if (w.length < 3) {
    if (w.length) out.add(w.join(' '));
    return out;
  }
  for (let i = 0; i + 3 <= w.length; i++) out.add(`${w[i]} ${w[i + 1]} ${w[i + 2]}`);
  return out;
}

/**
 * Jaccard similarity of the word 3-shingles of two folded texts (0..1).
 *
 * @example similarity(textKey('Từ mai cấm xe máy vào nội thành'), textKey('Từ mai cấm xe máy vào nội thành!!')) // 1
 */
export function similarity(a: string, b: string): number {
  const x = shingles(a);
  const y = shingles(b);
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const s of x) if (y.has(s)) shared++;
  return shared / (x.size + y.size - shared);
}

/** One new report, as the conversation collected it. */
export interface NewReport {
  personId: number;
  channel: string;
  /** The reporter's region when known (the case takes its first reporter's). */
  region: string | null;
  text?: string | null;
  mediaRef?: string | null;
  /** The screenshot's identity across copies (`MediaRef.key`), grouped by instead of `mediaRef`. */
  mediaKey?: string | null;
  topic?: string | null;
  platform?: string | null;
  /**
   * Where a client with no account came from (`Inbound.source`: the web chat's digest of its
   * network address). A case counts reports of one source once, whatever their sessions.
   */
  source?: string | null;
}

/** A case as staff see it. */
export interface DisinfoCase {
  id: number;
  number: string;
  url: string | null;
  text: string | null;
  mediaRef: string | null;
  topic: string | null;
  platform: string | null;
  region: string | null;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  correctionId: string | null;
  correctionCampaignId: number | null;
  reporterCount: number;
  firstAt: string;
  lastAt: string;
  updatedAt: string;
  /** The case this one was merged into (the same rumour): it no longer counts. */
  mergedInto: number | null;
  /** When it was merged; null when not merged, or merged before merges could be split. */
  mergedAt: string | null;
}

const CASE_COLUMNS = `id, number, url, text, media_ref AS mediaRef, topic, platform, region, status, outcome,
  correction_id AS correctionId, correction_campaign_id AS correctionCampaignId, reporter_count AS reporterCount,
  first_at AS firstAt, last_at AS lastAt, updated_at AS updatedAt, merged_into AS mergedInto, merged_at AS mergedAt`;

/** How far back a text is compared for near-duplicates (days), and how many cases at most. */
const NEAR_WINDOW_DAYS = 90;
const NEAR_WINDOW_CASES = 500;

/** The key a report is grouped by: its link, else its screenshot, else its text. */
export function matchKeyOf(r: Pick<NewReport, 'text' | 'mediaRef' | 'mediaKey'>): { key: string; url: string | null } {
  const link = r.text ? firstUrl(r.text) : null;
  const url = link ? normalizeUrl(link) : null;
  if (url) return { key: `u:${url}`, url };
  if (r.mediaKey) return { key: `m:${r.mediaKey}`, url: null };
  if (r.mediaRef) return { key: `m:${r.mediaRef}`, url: null };
  return { key: `t:${textKey(r.text ?? '')}`, url: null };
}

/** The case a merged case's reports now go to (the end of its merges), or the case itself. */
function openCaseOf(db: Db, id: number): number {
  const next = db.prepare(`SELECT merged_into FROM disinfo_cases WHERE id = ?`).pluck();
  let at = id;
  for (let i = 0; i < 20; i++) {
    const to = next.get(at) as number | null | undefined;
    if (to === null || to === undefined) return at;
    at = to;
  }
  return at;
}

function findCase(db: Db, key: string, now: Date): number | undefined {
  const exact = db.prepare(`SELECT id FROM disinfo_cases WHERE match_key = ? ORDER BY id LIMIT 1`).pluck().get(key) as number | undefined;
  if (exact !== undefined || !key.startsWith('t:')) return exact;
  const text = key.slice(2);
  if (text.split(' ').length < 6) return undefined; // too short to call "near-identical"
  const since = new Date(now.getTime() - NEAR_WINDOW_DAYS * 86_400_000).toISOString();
  const recent = db
    .prepare(`SELECT id, match_key AS key FROM disinfo_cases WHERE match_key LIKE 't:%' AND last_at >= ? ORDER BY last_at DESC LIMIT ?`)
    .all(since, NEAR_WINDOW_CASES) as { id: number; key: string }[];
  return recent.find((c) => similarity(c.key.slice(2), text) >= NEAR_DUPLICATE)?.id;
}

/**
 * Records a report: joins the case of the same item or opens a new one (numbered
 * `BC-<year>-<seq>`), and counts the reporter once per case. Returns the case and whether it is new.
 *
 * @example recordReport(db, { personId: 7, channel: 'telegram', region: null, text: 'https://fb.com/p/1', topic: 'khac', platform: 'facebook' })
 */
export function recordReport(db: Db, r: NewReport, now: Date = new Date()): { caseId: number; number: string; created: boolean } {
  return db.transaction(() => {
    const { key, url } = matchKeyOf(r);
    const at = nowIso(now);
    const found = findCase(db, key, now);
    // A report of a merged case's item joins the case it was merged into.
    let caseId = found === undefined ? undefined : openCaseOf(db, found);
    let created = false;
    if (caseId === undefined) {
      const year = vietnamYear(now);
      const seq = ((db.prepare(`SELECT MAX(seq) FROM disinfo_cases WHERE year = ?`).pluck().get(year) as number | null) ?? 0) + 1;
      const number = `BC-${year}-${String(seq).padStart(4, '0')}`;
      caseId = Number(
        db
          .prepare(
            `INSERT INTO disinfo_cases (number, year, seq, match_key, url, text, media_ref, topic, platform, region, first_at, last_at, updated_at, opened_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(number, year, seq, key, url, r.text ?? null, r.mediaRef ?? null, r.topic ?? null, r.platform ?? null, r.region, at, at, at, at).lastInsertRowid,
      );
      created = true;
    }
    // Who the report counts as: what the person's earlier report of this case counted as (a web
    // visitor who moved to another network is still one), else their web source, else the person.
    const mine = db
      .prepare(`SELECT reporter_key FROM disinfo_reports WHERE case_id = ? AND person_id = ? AND reporter_key IS NOT NULL ORDER BY id LIMIT 1`)
      .pluck()
      .get(caseId, r.personId) as string | undefined;
    const reporterKey = mine ?? (r.source ? `w:${r.source}` : `p:${r.personId}`);
    const already = mine !== undefined || db.prepare(`SELECT 1 FROM disinfo_reports WHERE case_id = ? AND reporter_key = ?`).get(caseId, reporterKey) !== undefined;
    // One that joined through a merged case's item goes back with it if the merge is split.
    const via = found !== undefined && found !== caseId ? found : null;
    db.prepare(
      `INSERT INTO disinfo_reports (case_id, person_id, channel, url, text, media_ref, topic, platform, created_at, joined_via, reporter_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(caseId, r.personId, r.channel, url, r.text ?? null, r.mediaRef ?? null, r.topic ?? null, r.platform ?? null, at, via, reporterKey);
    db.prepare(
      `UPDATE disinfo_cases SET last_at = ?, reporter_count = reporter_count + ?, text = COALESCE(text, ?), media_ref = COALESCE(media_ref, ?) WHERE id = ?`,
    ).run(at, already ? 0 : 1, r.text ?? null, r.mediaRef ?? null, caseId);
    const number = db.prepare(`SELECT number FROM disinfo_cases WHERE id = ?`).pluck().get(caseId) as string;
    return { caseId, number, created };
  })();
}

/**
 * A reporter takes back their report of case `number` (the number they were given; a case since
 * merged is followed to the one that holds its reports): their reports there go, the case counts
 * one reporter fewer, and a step says so (no name). Returns the case, or undefined when the
 * person has no report of that number. The case stays (staff decide what it is; its number and
 * the figures do not move).
 */
export function retractReport(db: Db, personId: number, number: string, now: Date = new Date()): DisinfoCase | undefined {
  return db.transaction(() => {
    const named = db.prepare(`SELECT id FROM disinfo_cases WHERE number = ?`).pluck().get(number.trim().toUpperCase()) as number | undefined;
    if (named === undefined) return undefined;
    const caseId = openCaseOf(db, named);
    // The number of a merged case takes back only what was reported as that case (moved by the
    // merge, or joined through its item since), not the person's report of the other item.
    const mineSql =
      caseId === named
        ? `FROM disinfo_reports WHERE case_id = ? AND person_id = ?`
        : `FROM disinfo_reports WHERE case_id = ? AND person_id = ?
              AND (id IN (SELECT report_id FROM disinfo_merge_moves WHERE merged_case_id = ?) OR joined_via = ?)`;
    const args = caseId === named ? [caseId, personId] : [caseId, personId, named, named];
    // What the reports counted as: the count drops only when no report of the case counts as it any more.
    const keys = db.prepare(`SELECT DISTINCT reporter_key ${mineSql}`).pluck().all(...args) as (string | null)[];
    const gone = db.prepare(`DELETE ${mineSql}`).run(...args).changes;
    if (!gone) return undefined;
    const at = nowIso(now);
    const still = db
      .prepare(`SELECT 1 FROM disinfo_reports WHERE case_id = ? AND (person_id = ? OR reporter_key IN (SELECT value FROM json_each(?)))`)
      .get(caseId, personId, JSON.stringify(keys.filter((k) => k !== null))) !== undefined;
    db.prepare(`UPDATE disinfo_cases SET reporter_count = MAX(0, reporter_count - ?), updated_at = ? WHERE id = ?`).run(still ? 0 : 1, at, caseId);
    const c = getCase(db, caseId)!;
    db.prepare(`INSERT INTO disinfo_steps (case_id, status, outcome, note, evidence, actor, at) VALUES (?, ?, NULL, ?, NULL, 'loa', ?)`).run(
      caseId,
      c.status,
      `Một người báo tin đã rút lại báo cáo của mình; còn ${c.reporterCount} người báo tin.`,
      at,
    );
    return c;
  })();
}

/** How many reports the person sent since `since` (the per-day limit). */
export function reportsSince(db: Db, personId: number, since: Date): number {
  return db.prepare(`SELECT COUNT(*) FROM disinfo_reports WHERE person_id = ? AND created_at >= ?`).pluck().get(personId, since.toISOString()) as number;
}

/** Reports counted as web source `source` (reporter_key 'w:<source>', see recordReport) since `since`. */
export function reportsFromSourceSince(db: Db, source: string, since: Date): number {
  return db
    .prepare(`SELECT COUNT(*) FROM disinfo_reports INDEXED BY disinfo_reports_reporter_at WHERE reporter_key = ? AND created_at >= ?`)
    .pluck()
    .get(`w:${source}`, since.toISOString()) as number;
}

/** Options of {@link listCases}. */
export interface ListCasesOptions {
  /**
   * 'newest' (last report first), 'most' (most reporters first) or 'waiting' (first reported
   * earliest; without `status`, only the cases not closed yet).
   */
  order?: 'newest' | 'most' | 'waiting';
  status?: CaseStatus;
  /** Region slugs the staff member may see; null for everyone. Cases of no region are province-wide. */
  scope?: readonly string[] | null;
  limit?: number;
  offset?: number;
}

function scopeSql(scope: readonly string[] | null | undefined): { sql: string; args: string[] } {
  if (!scope) return { sql: '1', args: [] };
  return { sql: `region IN (SELECT value FROM json_each(?))`, args: [JSON.stringify(scope)] };
}

/** The triage queue. */
export function listCases(db: Db, opts: ListCasesOptions = {}): DisinfoCase[] {
  const s = scopeSql(opts.scope);
  const order = opts.order === 'most' ? 'reporter_count DESC, last_at DESC, id DESC' : opts.order === 'waiting' ? 'first_at, id' : 'last_at DESC, id DESC';
  // Waiting longest: the cases not closed yet (what the plan's "90% handled" waits on), oldest first.
  const open = opts.order === 'waiting' && !opts.status ? `AND status IN ('new', 'checking', 'confirmed_false')` : '';
  return db
    .prepare(
      `SELECT ${CASE_COLUMNS} FROM disinfo_cases WHERE ${s.sql} AND merged_into IS NULL ${opts.status ? 'AND status = ?' : ''} ${open}
        ORDER BY ${order} LIMIT ? OFFSET ?`,
    )
    .all(...s.args, ...(opts.status ? [opts.status] : []), opts.limit ?? 100, opts.offset ?? 0) as DisinfoCase[];
}

/**
 * The case a number names, as staff type it: 'BC-2026-0042', 'bc-2026-42' or '2026-42' (the
 * number a citizen reads out on the phone). Undefined when it is not a case number or names none.
 */
export function caseByNumber(db: Db, typed: string): DisinfoCase | undefined {
  const m = typed.trim().match(/^(?:BC\s*-?\s*)?(\d{4})\s*-\s*(\d{1,6})$/i);
  if (!m) return undefined;
  return db.prepare(`SELECT ${CASE_COLUMNS} FROM disinfo_cases WHERE year = ? AND seq = ?`).get(Number(m[1]), Number(m[2])) as DisinfoCase | undefined;
}

/** One case, or undefined. */
export function getCase(db: Db, id: number): DisinfoCase | undefined {
  return db.prepare(`SELECT ${CASE_COLUMNS} FROM disinfo_cases WHERE id = ?`).get(id) as DisinfoCase | undefined;
}

/** One report of a case, as staff see it (the reporter only by internal number). */
export interface CaseReport {
  id: number;
  personId: number | null;
  channel: string;
  url: string | null;
  text: string | null;
  mediaRef: string | null;
  topic: string | null;
  platform: string | null;
  createdAt: string;
  notifiedStatus: string | null;
  /** What the report counts as in the case: 'p:<person>' (an account) or 'w:<digest>' (a web chat source). */
  reporterKey: string | null;
}

/** The reports of a case, oldest first. */
export function reportsOfCase(db: Db, caseId: number): CaseReport[] {
  return db
    .prepare(
      `SELECT id, person_id AS personId, channel, url, text, media_ref AS mediaRef, topic, platform, created_at AS createdAt,
              notified_status AS notifiedStatus, reporter_key AS reporterKey
         FROM disinfo_reports WHERE case_id = ? ORDER BY created_at, id`,
    )
    .all(caseId) as CaseReport[];
}

/** How a case's web chat reports count (see {@link webReportsOf}). */
export interface WebReports {
  /** Network sources: each counts as one reporter. */
  sources: number;
  /** Web chat sessions (visitors, or one visitor's many sessions) that reported it. */
  sessions: number;
  reports: number;
}

/**
 * The web chat share of each case: how many sources its web reports came from, in how many
 * sessions. A web session costs nothing to make (a script makes hundreds), so staff see how much
 * of a count rests on unverified web sessions; cases without web reports are absent. One query.
 */
export function webReportsOf(db: Db, caseIds: readonly number[]): Map<number, WebReports> {
  if (caseIds.length === 0) return new Map();
  const rows = db
    .prepare(
      `SELECT case_id AS caseId, COUNT(DISTINCT reporter_key) AS sources, COUNT(DISTINCT person_id) AS sessions, COUNT(*) AS reports
         FROM disinfo_reports WHERE case_id IN (SELECT value FROM json_each(?)) AND reporter_key LIKE 'w:%' GROUP BY case_id`,
    )
    .all(JSON.stringify(caseIds)) as (WebReports & { caseId: number })[];
  return new Map(rows.map(({ caseId, ...w }) => [caseId, w]));
}

/** One triage step. */
export interface CaseStep {
  id: number;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  note: string | null;
  evidence: string | null;
  actor: string;
  at: string;
}

/** The steps of a case, oldest first. */
export function stepsOfCase(db: Db, caseId: number): CaseStep[] {
  return db
    .prepare(`SELECT id, status, outcome, note, evidence, actor, at FROM disinfo_steps WHERE case_id = ? ORDER BY at, id`)
    .all(caseId) as CaseStep[];
}

/** A triage step to record. */
export interface CaseStepInput {
  status: CaseStatus;
  /** Required when `status` is 'handled'. */
  outcome?: CaseOutcome | null;
  note?: string | null;
  evidence?: string | null;
  /** Staff username. */
  actor: string;
  ip?: string;
}

/** A step the rules refuse, with a message staff can act on. */
export class CaseStepError extends Error {}

/**
 * Moves a case to `status` with a note and evidence, recording the step and an audit entry
 * (`disinfo.status`) in one transaction. Throws {@link CaseStepError} for a step
 * {@link NEXT_STATUSES} does not allow, or 'handled' without an outcome.
 */
export function setCaseStatus(db: Db, caseId: number, step: CaseStepInput, now: Date = new Date()): DisinfoCase {
  return db.transaction(() => {
    const c = getCase(db, caseId);
    if (!c) throw new CaseStepError(`Không tìm thấy vụ việc số ${caseId}.`);
    if (!NEXT_STATUSES[c.status].includes(step.status))
      throw new CaseStepError(`Không thể chuyển vụ việc ${c.number} từ “${c.status}” sang “${step.status}”.`);
    const outcome = step.status === 'handled' ? (step.outcome ?? null) : null;
    if (step.status === 'handled' && !outcome) throw new CaseStepError('Hãy chọn cách xử lý: báo nền tảng, báo công an hoặc đăng tin đính chính.');
    const at = nowIso(now);
    db.prepare(
      `INSERT INTO disinfo_steps (case_id, status, outcome, note, evidence, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(caseId, step.status, outcome, step.note || null, step.evidence || null, step.actor, at);
    db.prepare(`UPDATE disinfo_cases SET status = ?, outcome = COALESCE(?, outcome), updated_at = ? WHERE id = ?`).run(step.status, outcome, at, caseId);
    recordAudit(
      db,
      {
        actor: step.actor,
        action: 'disinfo.status',
        targetType: 'disinfo_case',
        targetId: c.number,
        details: { from: c.status, to: step.status, ...(outcome ? { outcome } : {}), ...(step.note ? { note: step.note.slice(0, 500) } : {}), ...(step.evidence ? { evidence: step.evidence.slice(0, 500) } : {}) },
        ...(step.ip ? { ip: step.ip } : {}),
      },
      now,
    );
    return getCase(db, caseId)!;
  })();
}

/**
 * Merges a case into another that reports the same rumour (a second link to one post, the same
 * claim on another platform): its reports move to that case, its reporters are counted there
 * once, later reports of its item join that case, and it leaves the queue and the figures (the
 * plan's share counts rumours, not links). `into` is a case number ("BC-2026-0003") or id.
 * Recorded as a step of both cases and an audit entry (`disinfo.merge`), in one transaction.
 * Throws {@link CaseStepError} with what to do when it cannot be done.
 */
export function mergeCase(
  db: Db,
  caseId: number,
  into: string,
  who: { actor: string; ip?: string; canSee?: (region: string | null) => boolean },
  now: Date = new Date(),
): DisinfoCase {
  return db.transaction(() => {
    const c = getCase(db, caseId);
    if (!c) throw new CaseStepError('Không có vụ việc này.');
    if (c.mergedInto !== null) throw new CaseStepError(`Vụ việc ${c.number} đã được gộp vào vụ việc khác.`);
    const wanted = into.trim().toUpperCase();
    const target = (/^\d+$/.test(wanted) ? getCase(db, Number(wanted)) : (db.prepare(`SELECT ${CASE_COLUMNS} FROM disinfo_cases WHERE number = ?`).get(wanted) as DisinfoCase | undefined));
    // A staff member scoped to some communes merges only into a case they may see.
    if (!target || (who.canSee && !who.canSee(target.region)))
      throw new CaseStepError(`Không có vụ việc mã “${into.trim()}”. Hãy nhập mã như BC-${vietnamYear(now)}-0001.`);
    const to = getCase(db, openCaseOf(db, target.id))!;
    if (to.id === c.id) throw new CaseStepError('Không thể gộp một vụ việc vào chính nó.');
    const at = nowIso(now);
    // Reporters of the merged case not already reporters of the other, counted once there.
    const overlap = db
      .prepare(
        `SELECT COUNT(DISTINCT reporter_key) FROM disinfo_reports
          WHERE case_id = ? AND reporter_key IS NOT NULL AND reporter_key IN (SELECT reporter_key FROM disinfo_reports WHERE case_id = ?)`,
      )
      .pluck()
      .get(c.id, to.id) as number;
    // Reporters new to the other case have not been told its status: they are told at its next
    // step, or at once by the caller. One who reported both keeps what they were told there.
    const told = db
      .prepare(
        `SELECT person_id AS personId, notified_status AS status, notified_at AS at, notified_correction AS correction FROM disinfo_reports
          WHERE id IN (SELECT MAX(id) FROM disinfo_reports WHERE case_id = ? AND person_id IS NOT NULL GROUP BY person_id)`,
      )
      .all(to.id) as { personId: number; status: string | null; at: string | null; correction: string | null }[];
    const moved = db.prepare(`SELECT id FROM disinfo_reports WHERE case_id = ?`).pluck().all(c.id) as number[];
    // What was moved, and what its reporters had been told here: a split puts both back.
    db.prepare(
      `INSERT INTO disinfo_merge_moves (merged_case_id, report_id, notified_status, notified_at, notified_correction)
       SELECT ?, id, notified_status, notified_at, notified_correction FROM disinfo_reports WHERE case_id = ?`,
    ).run(c.id, c.id);
    db.prepare(`UPDATE disinfo_reports SET case_id = ?, notified_status = NULL, notified_at = NULL, notified_correction = NULL WHERE case_id = ?`).run(to.id, c.id);
    const keep = db.prepare(
      `UPDATE disinfo_reports SET notified_status = ?, notified_at = ?, notified_correction = ? WHERE person_id = ? AND id IN (SELECT value FROM json_each(?))`,
    );
    for (const t of told) keep.run(t.status, t.at, t.correction, t.personId, JSON.stringify(moved));
    db.prepare(
      `UPDATE disinfo_cases SET reporter_count = reporter_count + ?, first_at = MIN(first_at, ?), last_at = MAX(last_at, ?), updated_at = ? WHERE id = ?`,
    ).run(Math.max(0, c.reporterCount - overlap), c.firstAt, c.lastAt, at, to.id);
    db.prepare(`UPDATE disinfo_cases SET merged_into = ?, merged_at = ?, updated_at = ? WHERE id = ?`).run(to.id, at, at, c.id);
    const step = db.prepare(`INSERT INTO disinfo_steps (case_id, status, outcome, note, evidence, actor, at) VALUES (?, ?, NULL, ?, NULL, ?, ?)`);
    step.run(c.id, c.status, `Đã gộp vào vụ việc ${to.number} (cùng một tin).`, who.actor, at);
    step.run(to.id, to.status, `Đã gộp vụ việc ${c.number} vào đây (cùng một tin): ${c.reporterCount} người báo tin.`, who.actor, at);
    recordAudit(db, {
      actor: who.actor,
      action: 'disinfo.merge',
      targetType: 'disinfo_case',
      targetId: c.number,
      details: { into: to.number, reports: c.reporterCount },
      ...(who.ip ? { ip: who.ip } : {}),
    });
    return getCase(db, to.id)!;
  })();
}

/**
 * Undoes a merge staff got wrong (a mistyped case number, two rumours that only looked alike):
 * the merged case gets back the reports the merge moved, with what their reporters had been told
 * there, and those that joined since through its item (or the item of a case merged into it);
 * both cases' reporter counts and first/last report times are worked out again, the merged case
 * counts in the figures again, and it is back in the queue with the status it had. A reporter
 * whose data was erased stays counted in the case they reported. Recorded as a step of both
 * cases and an audit entry (`disinfo.split`), in one transaction. Returns the two cases.
 *
 * Refused (a {@link CaseStepError} saying what to do) when the case is not merged, when the case
 * it was merged into was merged in turn (split that one first), or when it was merged before
 * merges recorded what they moved.
 */
export function splitCase(
  db: Db,
  caseId: number,
  who: { actor: string; ip?: string; note?: string },
  now: Date = new Date(),
): { split: DisinfoCase; from: DisinfoCase } {
  return db.transaction(() => {
    const c = getCase(db, caseId);
    if (!c) throw new CaseStepError('Không có vụ việc này.');
    if (c.mergedInto === null) throw new CaseStepError(`Vụ việc ${c.number} chưa được gộp vào vụ việc nào.`);
    const p = getCase(db, c.mergedInto)!;
    if (p.mergedInto !== null) {
      const q = getCase(db, p.mergedInto)!;
      throw new CaseStepError(`Vụ việc ${p.number} đã được gộp tiếp vào vụ việc ${q.number}: hãy tách ${p.number} khỏi ${q.number} trước, rồi tách ${c.number}.`);
    }
    if (c.mergedAt === null)
      throw new CaseStepError(`Vụ việc ${c.number} được gộp trước khi Loa ghi lại báo cáo nào thuộc vụ việc nào, nên không tách lại được.`);
    const at = nowIso(now);
    // The merged case and the cases merged into it: reports that joined through their items go back too.
    const family = db
      .prepare(
        `WITH RECURSIVE f(id) AS (SELECT ? UNION SELECT d.id FROM disinfo_cases d JOIN f ON d.merged_into = f.id) SELECT id FROM f`,
      )
      .pluck()
      .all(c.id) as number[];
    const back = db
      .prepare(
        `SELECT id FROM disinfo_reports WHERE case_id = ?
            AND (id IN (SELECT report_id FROM disinfo_merge_moves WHERE merged_case_id = ?) OR joined_via IN (SELECT value FROM json_each(?)))`,
      )
      .pluck()
      .all(p.id, c.id, JSON.stringify(family)) as number[];
    // Reporters as a case counts them (reporter_key: an account, or a web chat source).
    const people = (sql: string, ...args: unknown[]): number => db.prepare(`SELECT COUNT(DISTINCT reporter_key) FROM disinfo_reports WHERE reporter_key IS NOT NULL AND ${sql}`).pluck().get(...args) as number;
    const backJson = JSON.stringify(back);
    // Reporters counted but no longer on any report (erased their data): those of the merged case
    // are the merged case's count at the merge less its reporters still on a moved report.
    const movedPeople = people(`id IN (SELECT report_id FROM disinfo_merge_moves WHERE merged_case_id = ?) AND case_id = ?`, c.id, p.id);
    const erasedHere = Math.max(0, c.reporterCount - movedPeople);
    const erasedThere = Math.max(0, p.reporterCount - people(`case_id = ?`, p.id) - erasedHere);
    db.prepare(`UPDATE disinfo_reports SET case_id = ?, notified_status = NULL, notified_at = NULL, notified_correction = NULL WHERE id IN (SELECT value FROM json_each(?))`).run(c.id, backJson);
    // What each had been told in the merged case; those that joined since were told only the other's.
    db.prepare(
      `UPDATE disinfo_reports SET (notified_status, notified_at, notified_correction) = (SELECT m.notified_status, m.notified_at, m.notified_correction FROM disinfo_merge_moves m WHERE m.merged_case_id = ? AND m.report_id = disinfo_reports.id)
        WHERE id IN (SELECT report_id FROM disinfo_merge_moves WHERE merged_case_id = ?) AND case_id = ?`,
    ).run(c.id, c.id, c.id);
    db.prepare(`UPDATE disinfo_reports SET joined_via = NULL WHERE case_id = ? AND joined_via = ?`).run(c.id, c.id);
    db.prepare(`DELETE FROM disinfo_merge_moves WHERE merged_case_id = ?`).run(c.id);
    const lastOf = (id: number): string | null => db.prepare(`SELECT MAX(created_at) FROM disinfo_reports WHERE case_id = ?`).pluck().get(id) as string | null;
    const backLast = lastOf(c.id);
    db.prepare(`UPDATE disinfo_cases SET merged_into = NULL, merged_at = NULL, reporter_count = ?, last_at = MAX(last_at, COALESCE(?, last_at)), updated_at = ? WHERE id = ?`).run(
      erasedHere + people(`case_id = ?`, c.id),
      backLast,
      at,
      c.id,
    );
    // The other case's first report: its own, or that of a case still merged into it.
    const first = db
      .prepare(
        `SELECT MIN(t) FROM (SELECT COALESCE(opened_at, first_at) AS t FROM disinfo_cases WHERE id = ?
                             UNION ALL SELECT first_at FROM disinfo_cases WHERE merged_into = ?
                             UNION ALL SELECT MIN(created_at) FROM disinfo_reports WHERE case_id = ?)`,
      )
      .pluck()
      .get(p.id, p.id, p.id) as string;
    db.prepare(`UPDATE disinfo_cases SET reporter_count = ?, first_at = ?, last_at = COALESCE(?, ?), updated_at = ? WHERE id = ?`).run(
      erasedThere + people(`case_id = ?`, p.id),
      first,
      lastOf(p.id),
      first,
      at,
      p.id,
    );
    const note = who.note?.trim() ? ` ${who.note.trim()}` : '';
    const step = db.prepare(`INSERT INTO disinfo_steps (case_id, status, outcome, note, evidence, actor, at) VALUES (?, ?, NULL, ?, NULL, ?, ?)`);
    step.run(c.id, c.status, `Đã tách khỏi vụ việc ${p.number} (không cùng một tin).${note}`, who.actor, at);
    step.run(p.id, p.status, `Đã tách vụ việc ${c.number} ra (không cùng một tin): ${back.length} báo cáo trở về vụ việc đó.${note}`, who.actor, at);
    recordAudit(
      db,
      {
        actor: who.actor,
        action: 'disinfo.split',
        targetType: 'disinfo_case',
        targetId: c.number,
        details: { from: p.number, reports: back.length, ...(who.note?.trim() ? { note: who.note.trim().slice(0, 500) } : {}) },
        ...(who.ip ? { ip: who.ip } : {}),
      },
      now,
    );
    return { split: getCase(db, c.id)!, from: getCase(db, p.id)! };
  })();
}

/** True when a case may be linked to a correction: it was found false (handled or not yet). */
export function canHaveCorrection(c: Pick<DisinfoCase, 'status'>): boolean {
  return c.status === 'confirmed_false' || c.status === 'handled';
}

/**
 * Links a confirmed (or handled) case to its correction: a Q&A or article id and, optionally, a
 * campaign id. A field left `undefined` keeps what the case had (a campaign composed from the
 * case links itself without touching the article); `null` clears the campaign. The callers
 * check what the ids name (the admin routes: an approved entry, or a draft written from the
 * case; a campaign composed from it). Audited as `disinfo.correction`.
 */
export function linkCorrection(
  db: Db,
  caseId: number,
  link: { correctionId?: string; campaignId?: number | null; actor: string; ip?: string },
  now: Date = new Date(),
): void {
  db.transaction(() => {
    const c = getCase(db, caseId);
    if (!c) throw new CaseStepError(`Không tìm thấy vụ việc số ${caseId}.`);
    if (!canHaveCorrection(c)) throw new CaseStepError('Chỉ vụ việc đã xác định là tin giả mới gắn được tin đính chính.');
    const correctionId = link.correctionId === undefined ? c.correctionId : link.correctionId;
    const campaignId = link.campaignId === undefined ? c.correctionCampaignId : link.campaignId;
    db.prepare(`UPDATE disinfo_cases SET correction_id = ?, correction_campaign_id = ?, updated_at = ? WHERE id = ?`).run(
      correctionId,
      campaignId,
      nowIso(now),
      caseId,
    );
    recordAudit(
      db,
      { actor: link.actor, action: 'disinfo.correction', targetType: 'disinfo_case', targetId: c.number, details: { correctionId, campaignId }, ...(link.ip ? { ip: link.ip } : {}) },
      now,
    );
  })();
}

/** A reporter to tell the outcome: the report, the person, where they are and their language. */
export interface ReporterToTell {
  reportId: number;
  personId: number;
  channel: string;
  externalId: string;
  personStatus: string;
  /** The language the person is answered in (`people.lang`). */
  lang: Lang;
}

/**
 * Reporters of a case not yet told its current status (one row per person: their latest
 * report), skipping erased people. One query, whatever the number of reporters (a case closed
 * with thousands of them read each person again, one look-up each).
 */
export function reportersToTell(db: Db, caseId: number): ReporterToTell[] {
  return db
    .prepare(
      `SELECT MAX(r.id) AS reportId, p.id AS personId, p.channel, p.external_id AS externalId, p.status AS personStatus, p.lang AS lang
         FROM disinfo_reports r JOIN disinfo_cases c ON c.id = r.case_id JOIN people p ON p.id = r.person_id
        WHERE r.case_id = ? AND (r.notified_status IS NULL OR r.notified_status <> c.status) AND p.external_id NOT LIKE 'erased:%'
        GROUP BY p.id ORDER BY MIN(r.id)`,
    )
    .all(caseId) as ReporterToTell[];
}

/**
 * Marks every report of the people in the case as told `status`, with the correction sent with
 * it (`correctionId`, a Q&A or article id; null when none was sent). One statement for all of
 * them: run it in the transaction that queues their messages, so that a reporter is marked told
 * exactly when their message is queued.
 */
export function markReportersTold(
  db: Db,
  caseId: number,
  personIds: readonly number[],
  status: CaseStatus,
  now: Date = new Date(),
  correctionId: string | null = null,
): void {
  if (personIds.length === 0) return;
  db.prepare(
    `UPDATE disinfo_reports SET notified_status = ?, notified_at = ?, notified_correction = ?
      WHERE case_id = ? AND person_id IN (SELECT value FROM json_each(?))`,
  ).run(status, nowIso(now), correctionId, caseId, JSON.stringify(personIds));
}

/**
 * Reporters of a handled case who were told its outcome without its correction `correctionId`
 * (it was approved or linked after they were told): one row per person, erased people skipped.
 */
export function reportersWithoutCorrection(db: Db, caseId: number, correctionId: string): ReporterToTell[] {
  return db
    .prepare(
      `SELECT MAX(r.id) AS reportId, p.id AS personId, p.channel, p.external_id AS externalId, p.status AS personStatus, p.lang AS lang
         FROM disinfo_reports r JOIN people p ON p.id = r.person_id
        WHERE r.case_id = ? AND r.notified_status = 'handled' AND r.notified_correction IS NOT ? AND p.external_id NOT LIKE 'erased:%'
          AND NOT EXISTS (SELECT 1 FROM disinfo_reports o WHERE o.case_id = r.case_id AND o.person_id = r.person_id AND o.notified_correction IS ?)
        GROUP BY p.id ORDER BY MIN(r.id)`,
    )
    .all(caseId, correctionId, correctionId) as ReporterToTell[];
}

/** Where a case's outcome messages are (see {@link outcomeDeliveries}). */
export interface OutcomeDeliveries {
  /** Reached the reporter's platform. */
  sent: number;
  /** Queued or being sent (the platform's rate, a retry). */
  waiting: number;
  /** Kept until the reporter writes again: a web chat visitor, a Zalo person outside its 7-day window. */
  held: number;
  /** Will not be sent: blocked the bot, erased their data, given up after the platform kept failing. */
  notSent: number;
}

/**
 * How far the outcome messages of a case (and its later corrections) have gone, from the sender's
 * rows (`sends.ref = 'disinfo:<case id>'`, admin/disinfo.ts); undefined when none was queued.
 * "Told" on a report means its message was queued, not that it arrived: this is what arrived.
 */
export function outcomeDeliveries(db: Db, caseId: number): OutcomeDeliveries | undefined {
  const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM sends WHERE ref = ? GROUP BY status`).all(`disinfo:${caseId}`) as { status: string; n: number }[];
  if (rows.length === 0) return undefined;
  const d: OutcomeDeliveries = { sent: 0, waiting: 0, held: 0, notSent: 0 };
  for (const r of rows) {
    if (r.status === 'sent') d.sent += r.n;
    else if (r.status === 'pending' || r.status === 'sending') d.waiting += r.n;
    else if (r.status === 'held') d.held += r.n;
    else d.notSent += r.n;
  }
  return d;
}

/** Handled cases, not merged, with a correction linked that some reporter was not sent. */
export function casesWithUnsentCorrection(db: Db): number[] {
  return db
    .prepare(
      `SELECT DISTINCT c.id FROM disinfo_cases c JOIN disinfo_reports r ON r.case_id = c.id
        WHERE c.status = 'handled' AND c.merged_into IS NULL AND c.correction_id IS NOT NULL
          AND r.notified_status = 'handled' AND r.notified_correction IS NOT c.correction_id AND r.person_id IS NOT NULL`,
    )
    .pluck()
    .all() as number[];
}

/** Figures for the yearly report: cases first reported in [from, to). */
export interface DisinfoFigures {
  cases: number;
  /** Distinct reporters of those cases. */
  reporters: number;
  byStatus: Record<CaseStatus, number>;
  /** Found false: confirmed false, handled or not yet. */
  foundFalse: number;
  handled: number;
  /** handled / foundFalse (the plan's "90% found and handled"); null when nothing was found false. */
  handledShare: number | null;
  byOutcome: Record<CaseOutcome, number>;
  /**
   * Per platform where the item was seen (the first reporter's answer; `null` when not given),
   * most cases first, `null` last.
   */
  byPlatform: DisinfoBreakdown<string | null>[];
  /** Per month of the first report (1–12, Vietnam time), every month of the period's year. */
  byMonth: DisinfoBreakdown<number>[];
  /**
   * How long the handled cases took: days from the first report to the first step "handled"
   * (median and longest, over `handled` cases; null when none). A merged case's reports count
   * from the earliest report of either case, as `first_at` does.
   */
  handleDays: { median: number | null; longest: number | null };
}

/** The cases of one platform or one month: received, found false, handled. */
export interface DisinfoBreakdown<K> {
  key: K;
  cases: number;
  foundFalse: number;
  handled: number;
}

/** The plan's target share of false information found and handled. */
export const HANDLED_TARGET = 0.9;

/**
 * Counts the cases first reported in [from, to) by status and outcome, and the share of those
 * found false that were handled. With `scope`, only cases of those regions.
 *
 * @example disinfoFigures(db, new Date('2025-12-31T17:00:00Z'), new Date('2026-12-31T17:00:00Z')).handledShare
 */
export function disinfoFigures(db: Db, from: Date, to: Date, scope: readonly string[] | null = null): DisinfoFigures {
  const s = scopeSql(scope);
  const rows = db
    .prepare(
      `SELECT status, outcome, COUNT(*) AS n, SUM(reporter_count) AS reporters FROM disinfo_cases
        WHERE first_at >= ? AND first_at < ? AND ${s.sql} AND merged_into IS NULL GROUP BY status, outcome`,
    )
    .all(from.toISOString(), to.toISOString(), ...s.args) as { status: CaseStatus; outcome: CaseOutcome | null; n: number; reporters: number }[];
  const byStatus = Object.fromEntries(CASE_STATUSES.map((k) => [k, 0])) as Record<CaseStatus, number>;
  const byOutcome = Object.fromEntries(CASE_OUTCOMES.map((k) => [k, 0])) as Record<CaseOutcome, number>;
  let cases = 0;
  let reporters = 0;
  for (const r of rows) {
    byStatus[r.status] += r.n;
    if (r.status === 'handled' && r.outcome) byOutcome[r.outcome] += r.n;
    cases += r.n;
    reporters += r.reporters;
  }
  const foundFalse = byStatus.confirmed_false + byStatus.handled;
  // The same three counts per platform and per month; the month in Vietnam time (UTC+7), as
  // the year's bounds are.
  const breakdown = <K>(keySql: string) =>
    db
      .prepare(
        `SELECT ${keySql} AS key, COUNT(*) AS cases,
                SUM(status IN ('confirmed_false', 'handled')) AS foundFalse, SUM(status = 'handled') AS handled
           FROM disinfo_cases WHERE first_at >= ? AND first_at < ? AND ${s.sql} AND merged_into IS NULL GROUP BY 1`,
      )
      .all(from.toISOString(), to.toISOString(), ...s.args) as DisinfoBreakdown<K>[];
  // Most cases first, "not given" last, then by id, so the order is stable.
  const byPlatform = breakdown<string | null>('platform').sort(
    (a, b) => Number(a.key === null) - Number(b.key === null) || b.cases - a.cases || String(a.key).localeCompare(String(b.key)),
  );
  const months = new Map(breakdown<number>(`CAST(strftime('%m', first_at, '+7 hours') AS INTEGER)`).map((m) => [m.key, m]));
  const byMonth = Array.from({ length: 12 }, (_, i) => months.get(i + 1) ?? { key: i + 1, cases: 0, foundFalse: 0, handled: 0 });
  const days = (
    db
      .prepare(
        `SELECT julianday((SELECT MIN(s.at) FROM disinfo_steps s WHERE s.case_id = c.id AND s.status = 'handled')) - julianday(c.first_at)
           FROM disinfo_cases c WHERE c.first_at >= ? AND c.first_at < ? AND ${s.sql.replace('region', 'c.region')} AND c.merged_into IS NULL AND c.status = 'handled'`,
      )
      .pluck()
      .all(from.toISOString(), to.toISOString(), ...s.args) as (number | null)[]
  )
    .filter((d): d is number => d !== null)
    .map((d) => Math.max(0, d))
    .sort((a, b) => a - b);
  const mid = days.length >> 1;
  const median = days.length === 0 ? null : days.length % 2 ? days[mid]! : (days[mid - 1]! + days[mid]!) / 2;
  return {
    cases,
    reporters,
    byStatus,
    foundFalse,
    handled: byStatus.handled,
    handledShare: foundFalse ? byStatus.handled / foundFalse : null,
    byOutcome,
    byPlatform,
    byMonth,
    handleDays: { median, longest: days.length ? days[days.length - 1]! : null },
  };
}

/**
 * Cases first reported in [from, to) per calendar month, Vietnam time, keyed "yyyy-mm": the
 * month table of a report over a period that is not a calendar year (e.g. 15/12 to 14/12, where
 * a month number alone would mix two Decembers). Months without cases are absent.
 */
export function disinfoMonthly(db: Db, from: Date, to: Date, scope: readonly string[] | null = null): DisinfoBreakdown<string>[] {
  const s = scopeSql(scope);
  return db
    .prepare(
      `SELECT strftime('%Y-%m', first_at, '+7 hours') AS key, COUNT(*) AS cases,
              SUM(status IN ('confirmed_false', 'handled')) AS foundFalse, SUM(status = 'handled') AS handled
         FROM disinfo_cases WHERE first_at >= ? AND first_at < ? AND ${s.sql} AND merged_into IS NULL GROUP BY 1 ORDER BY 1`,
    )
    .all(from.toISOString(), to.toISOString(), ...s.args) as DisinfoBreakdown<string>[];
}
