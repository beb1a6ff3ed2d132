/**
 * Officials to be trained, their invitations and their tests (issue 17, item 2).
 *
 * An official is one row per (channel, platform user id): that is how the bot reaches them and
 * how it recognises them when they write (`linkOfficialPerson`). An official counts as trained
 * from the first time they pass a training's test (`trained_at`); coverage is the share of the
 * officials on the list (not removed) of each target group, and of each unit within it.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName } from '../messages.js';
import type { RegionScope } from './scope.js';

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
  personId: number | null;
  importedAt: string;
  updatedAt: string;
  removedAt: string | null;
  trainedAt: string | null;
}

const COLUMNS = `id, name, unit, group_id AS groupId, region, channel, external_id AS externalId, person_id AS personId,
  imported_at AS importedAt, updated_at AS updatedAt, removed_at AS removedAt, trained_at AS trainedAt`;

function scopeSql(column: string, scope: RegionScope | undefined): { sql: string; args: string[] } {
  if (!scope) return { sql: '1', args: [] };
  return { sql: `${column} IN (SELECT value FROM json_each(?))`, args: [JSON.stringify(scope)] };
}

/**
 * Adds or updates officials in one transaction (the caller has validated every row first): a row
 * of the same channel and user id is updated (and back on the list if it had been removed). Each
 * is linked to the person who already wrote to the bot from that account, if any.
 *
 * @example importOfficials(db, [{ name: 'Nguyễn Văn A', unit: 'UBND xã X', groupId: 'quyen-con-nguoi', region: 'xa-x', channel: 'telegram', externalId: '42' }])
 */
export function importOfficials(db: Db, rows: readonly OfficialInput[], now: Date = new Date()): { added: number; updated: number } {
  return db.transaction(() => {
    const at = nowIso(now);
    const existing = db.prepare(`SELECT id FROM training_officials WHERE channel = ? AND external_id = ?`).pluck();
    const person = db.prepare(`SELECT id FROM people WHERE channel = ? AND external_id = ?`).pluck();
    const insert = db.prepare(
      `INSERT INTO training_officials (name, unit, group_id, region, channel, external_id, person_id, imported_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const update = db.prepare(
      `UPDATE training_officials SET name = ?, unit = ?, group_id = ?, region = ?, person_id = COALESCE(person_id, ?),
              updated_at = ?, removed_at = NULL WHERE id = ?`,
    );
    let added = 0;
    let updated = 0;
    for (const r of rows) {
      const id = existing.get(r.channel, r.externalId) as number | undefined;
      const personId = (person.get(r.channel, r.externalId) as number | undefined) ?? null;
      if (id === undefined) {
        insert.run(r.name, r.unit, r.groupId, r.region, r.channel, r.externalId, personId, at, at);
        added++;
      } else {
        update.run(r.name, r.unit, r.groupId, r.region, personId, at, id);
        updated++;
      }
    }
    return { added, updated };
  })();
}

/** One official, or undefined. */
export function getOfficial(db: Db, id: number): Official | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM training_officials WHERE id = ?`).get(id) as Official | undefined;
}

/**
 * The official on the list whose account this person writes from, linking the person row on
 * first contact (an official imported before they ever wrote to the bot).
 */
export function officialForPerson(db: Db, person: { id: number; channel: string; externalId: string }): Official | undefined {
  const o = db
    .prepare(`SELECT ${COLUMNS} FROM training_officials WHERE removed_at IS NULL AND (person_id = ? OR (channel = ? AND external_id = ?)) ORDER BY id LIMIT 1`)
    .get(person.id, person.channel, person.externalId) as Official | undefined;
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

/** Officials on the list (not removed), by group, unit and name. */
export function listOfficials(db: Db, opts: ListOfficialsOptions = {}): Official[] {
  const s = scopeSql('region', opts.scope);
  const where = [`removed_at IS NULL`, s.sql];
  const args: (string | number)[] = [...s.args];
  if (opts.groupId) (where.push('group_id = ?'), args.push(opts.groupId));
  if (opts.unit) (where.push('unit = ?'), args.push(opts.unit));
  if (opts.untrained) where.push('trained_at IS NULL');
  return db
    .prepare(`SELECT ${COLUMNS} FROM training_officials WHERE ${where.join(' AND ')} ORDER BY group_id, unit, name, id LIMIT ? OFFSET ?`)
    .all(...args, opts.limit ?? 10_000, opts.offset ?? 0) as Official[];
}

/**
 * Takes an official off the list (left the post): no longer counted, invited or reminded from
 * `leftAt` (default now; an earlier day when staff learn of it late, so past years count right).
 */
export function removeOfficial(db: Db, id: number, now: Date = new Date(), leftAt: Date = now): boolean {
  return db.prepare(`UPDATE training_officials SET removed_at = ?, updated_at = ? WHERE id = ? AND removed_at IS NULL`).run(nowIso(leftAt), nowIso(now), id).changes === 1;
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
  return db.prepare(`SELECT ${COLUMNS} FROM training_officials WHERE removed_at IS NOT NULL AND ${s.sql} ORDER BY id`).all(...s.args) as Official[];
}

/** The official on the list (not removed) of this channel account, or undefined. */
export function officialByAccount(db: Db, channel: string, externalId: string): Official | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM training_officials WHERE channel = ? AND external_id = ? AND removed_at IS NULL`).get(channel, externalId) as Official | undefined;
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
  share: number | null;
  /** Whether the share reaches the target (false with no officials). */
  met: boolean;
  units: UnitCoverage[];
}

/** Options of {@link trainingCoverage}. */
export interface CoverageOptions {
  scope?: RegionScope;
  /** Coverage as it stood at this instant (officials on the list then, trained before it); default now. */
  at?: Date;
}

/**
 * Coverage per target group and unit: officials on the list, how many are trained, the share
 * and whether it meets the group's target. Groups come from `content/training.yaml` in their
 * order; officials of a group no longer configured are reported under their group id.
 *
 * @example trainingCoverage(db, registry.groups()).map((g) => `${g.name}: ${g.trained}/${g.officials}`)
 */
export function trainingCoverage(
  db: Db,
  groups: readonly { id: string; name: string; target: number; plan?: string | undefined }[],
  opts: CoverageOptions = {},
): GroupCoverage[] {
  const at = opts.at ? nowIso(opts.at) : null;
  const s = scopeSql('region', opts.scope);
  const rows = db
    .prepare(
      `SELECT group_id AS groupId, unit, COUNT(*) AS officials,
              SUM(CASE WHEN trained_at IS NOT NULL AND (? IS NULL OR trained_at < ?) THEN 1 ELSE 0 END) AS trained
         FROM training_officials
        WHERE (removed_at IS NULL OR (? IS NOT NULL AND removed_at >= ?)) AND (? IS NULL OR imported_at < ?) AND ${s.sql}
        GROUP BY group_id, unit ORDER BY group_id, unit`,
    )
    .all(at, at, at, at, at, at, ...s.args) as { groupId: string; unit: string; officials: number; trained: number }[];
  const share = (t: number, n: number): number | null => (n ? t / n : null);
  const known = new Map(groups.map((g) => [g.id, g]));
  const ids = [...groups.map((g) => g.id), ...new Set(rows.map((r) => r.groupId).filter((id) => !known.has(id)))];
  return ids.map((id) => {
    const g = known.get(id);
    const units = rows.filter((r) => r.groupId === id).map((r) => ({ unit: r.unit, officials: r.officials, trained: r.trained, share: share(r.trained, r.officials) }));
    const officials = units.reduce((a, u) => a + u.officials, 0);
    const trained = units.reduce((a, u) => a + u.trained, 0);
    const target = (g?.target ?? 100) / 100;
    const sh = share(trained, officials);
    return { groupId: id, name: g?.name ?? id, target, plan: g?.plan ?? null, officials, trained, share: sh, met: sh !== null && sh >= target - 1e-9, units };
  });
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

/**
 * Officials first trained in [from, to) per group (the year's own work, beside the coverage
 * reached by its end), officials of the scope only.
 */
export function trainedBetween(db: Db, from: Date, to: Date, scope: RegionScope = null): Record<string, number> {
  const s = scopeSql('region', scope);
  const rows = db
    .prepare(
      `SELECT group_id AS groupId, COUNT(*) AS n FROM training_officials
        WHERE trained_at >= ? AND trained_at < ? AND (removed_at IS NULL OR removed_at >= ?) AND ${s.sql} GROUP BY group_id`,
    )
    .all(nowIso(from), nowIso(to), nowIso(to), ...s.args) as { groupId: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.groupId, r.n]));
}
