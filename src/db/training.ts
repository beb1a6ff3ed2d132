/**
 * Officials to be trained, their invitations and their tests (issue 17, item 2).
 *
 * An official is one row per (channel, platform user id): that is how the bot reaches them and
 * how it recognises them when they write (`officialForPerson`). An official counts as trained
 * from the first time they pass a training's test or are recorded trained in person
 * (`trained_at`), in every group they belong to: the plan's targets are shares of each group
 * ("100% cán bộ làm công tác quyền con người, … 70% cán bộ chủ chốt của các tổ chức chính trị -
 * xã hội … được cập nhật thông tin …, tập huấn …"), its groups overlap (a key official of the
 * Women's Union may also be the commune's legal reporter), and the training is the same for all.
 *
 * Where an official counts is a membership (migration 097): a group, a unit and a region from
 * one instant to another. A move to another unit or group, or off the list, closes one and may
 * open another, so coverage at a past instant (a past year's report) counts the officials as
 * they were then. `group_id`, `unit` and `region` of the official row are their first current
 * membership's, for display and the audit.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName } from '../messages.js';
import type { RegionScope } from './scope.js';
import { questionFigures, reachedByChannel, type QuestionFigures, type ReachedRow } from './reach.js';

/** One official, as imported from CSV. */
export interface OfficialInput {
  name: string;
  unit: string;
  groupId: string;
  region: string | null;
  channel: ChannelName;
  externalId: string;
}

/** An official as stored. */
export interface Official extends OfficialInput {
  id: number;
  /**
   * Every group they count in now (open memberships), `groupId` first; empty once off the list.
   */
  groupIds: string[];
  personId: number | null;
  importedAt: string;
  updatedAt: string;
  removedAt: string | null;
  trainedAt: string | null;
}

const COLUMNS = `id, name, unit, group_id AS groupId, region, channel, external_id AS externalId, person_id AS personId,
  imported_at AS importedAt, updated_at AS updatedAt, removed_at AS removedAt, trained_at AS trainedAt,
  (SELECT json_group_array(group_id) FROM (SELECT m.group_id FROM training_memberships m
     WHERE m.official_id = training_officials.id AND m.valid_to IS NULL ORDER BY m.group_id = training_officials.group_id DESC, m.id)) AS groupIds`;

type OfficialRow = Omit<Official, 'groupIds'> & { groupIds: string };
function toOfficial(r: OfficialRow): Official;
function toOfficial(r: OfficialRow | undefined): Official | undefined;
function toOfficial(r: OfficialRow | undefined): Official | undefined {
  return r ? { ...r, groupIds: JSON.parse(r.groupIds) as string[] } : undefined;
}

function scopeSql(column: string, scope: RegionScope | undefined): { sql: string; args: string[] } {
  if (!scope) return { sql: '1', args: [] };
  return { sql: `${column} IN (SELECT value FROM json_each(?))`, args: [JSON.stringify(scope)] };
}

/** What {@link importOfficials} did, counted in officials (accounts), not rows. */
export interface ImportResult {
  added: number;
  updated: number;
  /** Officials already on the list whose group or unit changed: counted the new way from now on. */
  moved: number;
  /** Officials of the import who count in two groups or more. */
  inSeveralGroups: number;
}

/**
 * Adds or updates officials in one transaction (the caller has validated every row first). The
 * rows of one account (channel and user id) are that official's groups: two rows, two groups.
 * An account already on the list is updated (and back on the list if it had been removed); its
 * memberships that the file no longer gives, or gives with another unit or region, end at
 * `from` and the new ones start then, so coverage before `from` is unchanged. `from` is now, or
 * an earlier day when staff learn of a move late (`loa training import --date`): memberships that
 * ran past it end then. Each official is linked to the person who already wrote to the bot from
 * that account, if any.
 *
 * @example importOfficials(db, [{ name: 'Nguyễn Văn A', unit: 'UBND xã X', groupId: 'quyen-con-nguoi', region: 'xa-x', channel: 'telegram', externalId: '42' }])
 */
export function importOfficials(db: Db, rows: readonly OfficialInput[], now: Date = new Date(), from: Date = now): ImportResult {
  return db.transaction(() => {
    const at = nowIso(now);
    const since = nowIso(from);
    const existing = db.prepare(`SELECT id, removed_at AS removedAt FROM training_officials WHERE channel = ? AND external_id = ?`);
    const person = db.prepare(`SELECT id FROM people WHERE channel = ? AND external_id = ?`).pluck();
    const insert = db.prepare(
      `INSERT INTO training_officials (name, unit, group_id, region, channel, external_id, person_id, imported_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const update = db.prepare(
      `UPDATE training_officials SET name = ?, unit = ?, group_id = ?, region = ?, person_id = COALESCE(person_id, ?),
              updated_at = ?, removed_at = NULL WHERE id = ?`,
    );
    // Memberships still running at `since` (open, or ended after it).
    const running = db.prepare(
      `SELECT id, group_id AS groupId, unit, region, valid_from AS validFrom, valid_to AS validTo FROM training_memberships
        WHERE official_id = ? AND (valid_to IS NULL OR valid_to > ?)`,
    );
    const end = db.prepare(`UPDATE training_memberships SET valid_to = ? WHERE id = ?`);
    const start = db.prepare(`INSERT INTO training_memberships (official_id, group_id, unit, region, valid_from) VALUES (?, ?, ?, ?, ?)`);
    const byAccount = new Map<string, OfficialInput[]>();
    for (const r of rows) {
      const key = `${r.channel}\u0000${r.externalId}`;
      byAccount.set(key, [...(byAccount.get(key) ?? []), r]);
    }
    const res: ImportResult = { added: 0, updated: 0, moved: 0, inSeveralGroups: 0 };
    for (const want of byAccount.values()) {
      const r = want[0]!;
      const personId = (person.get(r.channel, r.externalId) as number | undefined) ?? null;
      const found = existing.get(r.channel, r.externalId) as { id: number; removedAt: string | null } | undefined;
      let id: number;
      if (found === undefined) {
        id = Number(insert.run(r.name, r.unit, r.groupId, r.region, r.channel, r.externalId, personId, at, at).lastInsertRowid);
        res.added++;
      } else {
        id = found.id;
        update.run(r.name, r.unit, r.groupId, r.region, personId, at, id);
        res.updated++;
      }
      type Running = { id: number; groupId: string; unit: string; region: string | null; validFrom: string; validTo: string | null };
      const current = running.all(id, since) as Running[];
      const same = (m: Running, w: OfficialInput): boolean => m.groupId === w.groupId && m.unit === w.unit && m.region === w.region;
      // An open membership that the file gives again, and that began by `since`, goes on as it is.
      const kept = current.filter((m) => m.validTo === null && m.validFrom <= since && want.some((w) => same(m, w)));
      let changed = false;
      for (const m of current)
        if (!kept.includes(m)) {
          end.run(since, m.id);
          changed = true;
        }
      for (const w of want)
        if (!kept.some((m) => same(m, w))) {
          start.run(id, w.groupId, w.unit, w.region, since);
          if (current.length) changed = true;
        }
      if (found && !found.removedAt && changed) res.moved++;
      if (want.length > 1) res.inSeveralGroups++;
    }
    return res;
  })();
}

/** One official, or undefined. */
export function getOfficial(db: Db, id: number): Official | undefined {
  return toOfficial(db.prepare(`SELECT ${COLUMNS} FROM training_officials WHERE id = ?`).get(id) as OfficialRow | undefined);
}

/**
 * The official on the list whose account this person writes from, linking the person row on
 * first contact (an official imported before they ever wrote to the bot).
 */
export function officialForPerson(db: Db, person: { id: number; channel: string; externalId: string }): Official | undefined {
  const o = toOfficial(
    db
      .prepare(`SELECT ${COLUMNS} FROM training_officials WHERE removed_at IS NULL AND (person_id = ? OR (channel = ? AND external_id = ?)) ORDER BY id LIMIT 1`)
      .get(person.id, person.channel, person.externalId) as OfficialRow | undefined,
  );
  if (o && o.personId !== person.id) {
    db.prepare(`UPDATE training_officials SET person_id = ? WHERE id = ?`).run(person.id, o.id);
    o.personId = person.id;
  }
  return o;
}

/** Options of {@link listOfficials}. */
export interface ListOfficialsOptions {
  scope?: RegionScope;
  groupId?: string;
  unit?: string;
  /** Only those not yet trained. */
  untrained?: boolean;
  limit?: number;
  offset?: number;
}

/**
 * Officials on the list (not removed), by group, unit and name. With `groupId` (or `unit`), those
 * who count in that group (unit) now, whichever of their groups is listed first.
 */
export function listOfficials(db: Db, opts: ListOfficialsOptions = {}): Official[] {
  const s = scopeSql('region', opts.scope);
  const where = [`removed_at IS NULL`, s.sql];
  const args: (string | number)[] = [...s.args];
  if (opts.groupId || opts.unit) {
    const m = ['m.official_id = training_officials.id', 'm.valid_to IS NULL'];
    if (opts.groupId) (m.push('m.group_id = ?'), args.push(opts.groupId));
    if (opts.unit) (m.push('m.unit = ?'), args.push(opts.unit));
    where.push(`EXISTS (SELECT 1 FROM training_memberships m WHERE ${m.join(' AND ')})`);
  }
  if (opts.untrained) where.push('trained_at IS NULL');
  return (
    db
      .prepare(`SELECT ${COLUMNS} FROM training_officials WHERE ${where.join(' AND ')} ORDER BY group_id, unit, name, id LIMIT ? OFFSET ?`)
      .all(...args, opts.limit ?? 10_000, opts.offset ?? 0) as OfficialRow[]
  ).map((r) => toOfficial(r));
}

/**
 * Takes an official off the list (left the post): no longer counted, invited or reminded from
 * `leftAt` (default now; an earlier day when staff learn of it late, so past years count right).
 * Every membership that ran past `leftAt` ends then (one that started later counts nowhere).
 */
export function removeOfficial(db: Db, id: number, now: Date = new Date(), leftAt: Date = now): boolean {
  return db.transaction(() => {
    const left = nowIso(leftAt);
    if (db.prepare(`UPDATE training_officials SET removed_at = ?, updated_at = ? WHERE id = ? AND removed_at IS NULL`).run(left, nowIso(now), id).changes !== 1) return false;
    db.prepare(`UPDATE training_memberships SET valid_to = ? WHERE official_id = ? AND (valid_to IS NULL OR valid_to > ?)`).run(left, id, left);
    return true;
  })();
}

/**
 * Records that an official was trained in person (a conference, a class) on `at`: counted as
 * trained from then on, as a passed test counts; an earlier date moves the first training back.
 * The plan counts officials trained, however: before, only the bot's test could count one.
 * Returns false when nothing changed (already trained on or before that day).
 */
export function markTrainedInPerson(db: Db, id: number, at: Date): boolean {
  return (
    db
      .prepare(`UPDATE training_officials SET trained_at = ? WHERE id = ? AND (trained_at IS NULL OR trained_at > ?)`)
      .run(nowIso(at), id, nowIso(at)).changes === 1
  );
}

/**
 * Officials staff took off the list (left the post), of the scope: an import of the office's
 * usual sheet would otherwise put them back and change the figures of the years they had left.
 */
export function removedOfficials(db: Db, scope?: RegionScope): Official[] {
  const s = scopeSql('region', scope);
  return (db.prepare(`SELECT ${COLUMNS} FROM training_officials WHERE removed_at IS NOT NULL AND ${s.sql} ORDER BY id`).all(...s.args) as OfficialRow[]).map((r) =>
    toOfficial(r),
  );
}

/**
 * When the official first counted in a group (their earliest membership): the import, or the
 * earlier day an import gave with `--date`. A removal cannot be dated before it.
 */
export function listedSince(db: Db, id: number): string | undefined {
  return (db.prepare(`SELECT MIN(valid_from) FROM training_memberships WHERE official_id = ?`).pluck().get(id) as string | null) ?? undefined;
}

/** The official on the list (not removed) of this channel account, or undefined. */
export function officialByAccount(db: Db, channel: string, externalId: string): Official | undefined {
  return toOfficial(db.prepare(`SELECT ${COLUMNS} FROM training_officials WHERE channel = ? AND external_id = ? AND removed_at IS NULL`).get(channel, externalId) as OfficialRow | undefined);
}

/** Coverage of one unit within a group. */
export interface UnitCoverage {
  unit: string;
  officials: number;
  trained: number;
  /** trained / officials (0..1); null when there are no officials. */
  share: number | null;
}

/** Coverage of one target group against the plan. */
export interface GroupCoverage {
  groupId: string;
  name: string;
  /** The plan's target share (0..1). */
  target: number;
  plan: string | null;
  officials: number;
  trained: number;
  /** Of `trained`, those first trained from `since` (a report's period); 0 without `since`. */
  trainedSince: number;
  share: number | null;
  /** Whether the share reaches the target (false with no officials). */
  met: boolean;
  units: UnitCoverage[];
}

/** Options of {@link trainingCoverage}. */
export interface CoverageOptions {
  scope?: RegionScope;
  /**
   * Coverage as it stood at this instant (exclusive): the officials counting in each group and
   * unit then, trained before it. Default: now, the memberships still open.
   */
  at?: Date;
  /** Also count, per group, those first trained from this instant (the start of a report's period). */
  since?: Date;
}

/** The memberships counted at `at` (see migration 097), as SQL on `m` with its arguments. */
function validAt(at: string | null): { sql: string; args: string[] } {
  return at === null ? { sql: 'm.valid_to IS NULL', args: [] } : { sql: 'm.valid_from < ? AND (m.valid_to IS NULL OR m.valid_to >= ?)', args: [at, at] };
}

/**
 * Coverage per target group and unit: officials counting in it, how many are trained, the share
 * and whether it meets the group's target. An official in two groups counts in both (trained
 * once, trained in both). Groups come from `content/training.yaml` in their order; officials of
 * a group no longer configured are reported under their group id.
 *
 * @example trainingCoverage(db, registry.groups()).map((g) => `${g.name}: ${g.trained}/${g.officials}`)
 */
export function trainingCoverage(
  db: Db,
  groups: readonly { id: string; name: string; target: number; plan?: string | undefined }[],
  opts: CoverageOptions = {},
): GroupCoverage[] {
  const at = opts.at ? nowIso(opts.at) : null;
  const since = opts.since ? nowIso(opts.since) : null;
  const s = scopeSql('m.region', opts.scope);
  const v = validAt(at);
  const rows = db
    .prepare(
      `SELECT m.group_id AS groupId, m.unit, COUNT(*) AS officials,
              COALESCE(SUM(o.trained_at IS NOT NULL AND (? IS NULL OR o.trained_at < ?)), 0) AS trained,
              COALESCE(SUM(? IS NOT NULL AND o.trained_at >= ? AND (? IS NULL OR o.trained_at < ?)), 0) AS trainedSince
         FROM training_memberships m JOIN training_officials o ON o.id = m.official_id
        WHERE ${v.sql} AND ${s.sql}
        GROUP BY m.group_id, m.unit ORDER BY m.group_id, m.unit`,
    )
    .all(at, at, since, since, at, at, ...v.args, ...s.args) as { groupId: string; unit: string; officials: number; trained: number; trainedSince: number }[];
  const share = (t: number, n: number): number | null => (n ? t / n : null);
  const known = new Map(groups.map((g) => [g.id, g]));
  const ids = [...groups.map((g) => g.id), ...new Set(rows.map((r) => r.groupId).filter((id) => !known.has(id)))];
  return ids.map((id) => {
    const g = known.get(id);
    const mine = rows.filter((r) => r.groupId === id);
    const units = mine.map((r) => ({ unit: r.unit, officials: r.officials, trained: r.trained, share: share(r.trained, r.officials) }));
    const officials = units.reduce((a, u) => a + u.officials, 0);
    const trained = units.reduce((a, u) => a + u.trained, 0);
    const target = (g?.target ?? 100) / 100;
    const sh = share(trained, officials);
    const trainedSince = mine.reduce((a, r) => a + r.trainedSince, 0);
    return { groupId: id, name: g?.name ?? id, target, plan: g?.plan ?? null, officials, trained, trainedSince, share: sh, met: sh !== null && sh >= target - 1e-9, units };
  });
}

/** Officials counted once each, over every group (see {@link coverageTotals}). */
export interface CoverageTotals {
  /** Officials counting in at least one group. */
  officials: number;
  trained: number;
  /** Of `trained`, those first trained from `since`; 0 without it. */
  trainedSince: number;
  /** Officials counting in two groups or more (so the groups' figures add up to more). */
  inSeveralGroups: number;
}

/**
 * The officials behind {@link trainingCoverage}, each counted once: the groups' figures add up
 * to more when an official counts in two groups, and a report must not be read as that sum.
 */
export function coverageTotals(db: Db, opts: CoverageOptions = {}): CoverageTotals {
  const at = opts.at ? nowIso(opts.at) : null;
  const since = opts.since ? nowIso(opts.since) : null;
  const s = scopeSql('m.region', opts.scope);
  const v = validAt(at);
  return db
    .prepare(
      `SELECT COUNT(*) AS officials,
              COALESCE(SUM(trained_at IS NOT NULL AND (? IS NULL OR trained_at < ?)), 0) AS trained,
              COALESCE(SUM(? IS NOT NULL AND trained_at >= ? AND (? IS NULL OR trained_at < ?)), 0) AS trainedSince,
              COALESCE(SUM(groups > 1), 0) AS inSeveralGroups
         FROM (SELECT o.id, o.trained_at, COUNT(DISTINCT m.group_id) AS groups
                 FROM training_memberships m JOIN training_officials o ON o.id = m.official_id
                WHERE ${v.sql} AND ${s.sql} GROUP BY o.id)`,
    )
    .get(at, at, since, since, at, at, ...v.args, ...s.args) as CoverageTotals;
}

/**
 * Questions that officials of the training list asked the bot in [from, to), of the scope's
 * people (`db/reach.ts`: the same split as {@link officialsReached}): the yearly report's section
 * 3 counts the citizens' questions and gives the officials' on their own line.
 */
export function officialsQuestions(db: Db, from: Date, to: Date, scope: RegionScope = null): QuestionFigures['questions'] {
  return questionFigures(db, from, to, scope, 'officials').questions;
}

/** People of one channel the bot reached who are officials of the training list. */
export type OfficialsReached = ReachedRow;

/**
 * The officials among the people the bot reached in [from, to) (wrote to it, or were sent a
 * campaign message), per channel, of the scope's regions: the rule of `db/reach.ts`, which the
 * yearly report's citizens reached (`yearFigures(…, 'citizens')`) are the rest of. An official is
 * a person of an account on the training list during the period. The plan counts the citizens
 * its communication reaches; officials writing to the bot to take their training are the
 * office's own staff, reported on their own.
 */
export function officialsReached(db: Db, from: Date, to: Date, scope: RegionScope = null): OfficialsReached[] {
  return reachedByChannel(db, from, to, scope, 'officials');
}

/** Records that an invitation or a reminder was queued for an official. */
export function recordInvitation(db: Db, i: { officialId: number; trainingId: string; kind: 'invite' | 'reminder'; actor: string }, now: Date = new Date()): void {
  db.prepare(`INSERT INTO training_invitations (official_id, training_id, kind, actor, sent_at) VALUES (?, ?, ?, ?, ?)`).run(
    i.officialId,
    i.trainingId,
    i.kind,
    i.actor,
    nowIso(now),
  );
}

/** The trainings an official was invited to (or reminded of), most recent first. */
export function invitedTrainings(db: Db, officialId: number): string[] {
  return db
    .prepare(`SELECT training_id FROM training_invitations WHERE official_id = ? GROUP BY training_id ORDER BY MAX(id) DESC`)
    .pluck()
    .all(officialId) as string[];
}

/** One test taken for a training. */
export interface TrainingAttempt {
  id: number;
  officialId: number;
  trainingId: string;
  quizAttemptId: number;
  startedAt: string;
  finishedAt: string | null;
  correct: number | null;
  total: number | null;
  passed: boolean | null;
}

const ATTEMPT_COLUMNS = `id, official_id AS officialId, training_id AS trainingId, quiz_attempt_id AS quizAttemptId, started_at AS startedAt,
  finished_at AS finishedAt, correct, total, passed`;

function toAttempt(r: (Omit<TrainingAttempt, 'passed'> & { passed: number | null }) | undefined): TrainingAttempt | undefined {
  return r ? { ...r, passed: r.passed === null ? null : r.passed === 1 } : undefined;
}

/** Ties a quiz attempt to the official's training. */
export function startTrainingAttempt(db: Db, a: { officialId: number; trainingId: string; quizAttemptId: number }, now: Date = new Date()): number {
  return Number(
    db
      .prepare(`INSERT INTO training_attempts (official_id, training_id, quiz_attempt_id, started_at) VALUES (?, ?, ?, ?)`)
      .run(a.officialId, a.trainingId, a.quizAttemptId, nowIso(now)).lastInsertRowid,
  );
}

/** The training attempt of a quiz attempt, or undefined (an ordinary contest attempt). */
export function trainingAttemptOfQuiz(db: Db, quizAttemptId: number): TrainingAttempt | undefined {
  return toAttempt(db.prepare(`SELECT ${ATTEMPT_COLUMNS} FROM training_attempts WHERE quiz_attempt_id = ?`).get(quizAttemptId) as never);
}

/** The tests an official took for a training, oldest first. */
export function trainingAttemptsOf(db: Db, officialId: number, trainingId: string): TrainingAttempt[] {
  return (db.prepare(`SELECT ${ATTEMPT_COLUMNS} FROM training_attempts WHERE official_id = ? AND training_id = ? ORDER BY id`).all(officialId, trainingId) as never[]).map(
    (r) => toAttempt(r)!,
  );
}

/**
 * Records a finished test against the pass mark; a pass marks the official trained (the first
 * pass counts). Returns false when it was already recorded.
 */
export function finishTrainingAttempt(db: Db, id: number, r: { correct: number; total: number; passed: boolean }, now: Date = new Date()): boolean {
  return db.transaction(() => {
    const at = nowIso(now);
    const changed = db
      .prepare(`UPDATE training_attempts SET finished_at = ?, correct = ?, total = ?, passed = ? WHERE id = ? AND finished_at IS NULL`)
      .run(at, r.correct, r.total, r.passed ? 1 : 0, id).changes;
    if (changed && r.passed)
      db.prepare(`UPDATE training_officials SET trained_at = ? WHERE id = (SELECT official_id FROM training_attempts WHERE id = ?) AND trained_at IS NULL`).run(at, id);
    return changed === 1;
  })();
}
