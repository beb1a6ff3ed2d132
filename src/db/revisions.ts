/**
 * Pending revisions of approved content (migration 061). The approved file keeps serving while a
 * revision waits; `admin/content-files.ts` writes the revision's text over the file only when
 * another person approves it. At most one open revision per entry (a partial unique index).
 */
import { z } from 'zod';
import type { Db } from './index.js';
import { nowIso } from './index.js';

export const revisionStatusSchema = z.enum(['pending', 'approved', 'rejected']);

/** A revision as stored. */
export const revisionSchema = z.object({
  id: z.number(),
  kind: z.enum(['qa', 'article']),
  entryId: z.string(),
  file: z.string(),
  baseHash: z.string(),
  text: z.string(),
  status: revisionStatusSchema,
  /** Everyone who changed it; four eyes: none of them may approve it. */
  editors: z.array(z.string()),
  /** Unanswered questions attached through it (answered when it is approved). */
  questionIds: z.array(z.number()),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  note: z.string().nullable(),
});
export type Revision = z.infer<typeof revisionSchema>;

function toRevision(r: Record<string, unknown>): Revision {
  return revisionSchema.parse({
    id: r.id,
    kind: r.kind,
    entryId: r.entry_id,
    file: r.file,
    baseHash: r.base_hash,
    text: r.text,
    status: r.status,
    editors: JSON.parse(r.editors as string),
    questionIds: JSON.parse(r.question_ids as string),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    note: r.note,
  });
}

/** The open (pending) revision of an entry, if any. */
export function openRevision(db: Db, kind: 'qa' | 'article', entryId: string): Revision | undefined {
  const r = db
    .prepare(`SELECT * FROM content_revisions WHERE kind = ? AND entry_id = ? AND status = 'pending'`)
    .get(kind, entryId) as Record<string, unknown> | undefined;
  return r ? toRevision(r) : undefined;
}

/** Every open revision (the content list marks their entries). */
export function openRevisions(db: Db): Revision[] {
  return (db.prepare(`SELECT * FROM content_revisions WHERE status = 'pending' ORDER BY id`).all() as Record<string, unknown>[]).map(
    toRevision,
  );
}

/** The last revisions of an entry, newest first (history on the entry's page). */
export function listRevisions(db: Db, kind: 'qa' | 'article', entryId: string, limit = 10): Revision[] {
  return (
    db
      .prepare(`SELECT * FROM content_revisions WHERE kind = ? AND entry_id = ? ORDER BY id DESC LIMIT ?`)
      .all(kind, entryId, limit) as Record<string, unknown>[]
  ).map(toRevision);
}

/**
 * Saves the proposed text of an entry: updates its open revision (adding `editor` and the
 * questions) or starts one against `baseHash`. Returns the revision id.
 */
export function saveRevision(
  db: Db,
  r: { kind: 'qa' | 'article'; entryId: string; file: string; baseHash: string; text: string; editor: string; questionIds?: number[] },
  now: Date = new Date(),
): number {
  return db.transaction(() => {
    const at = nowIso(now);
    const open = openRevision(db, r.kind, r.entryId);
    if (open) {
      const editors = [...new Set([...open.editors, r.editor])];
      const questions = [...new Set([...open.questionIds, ...(r.questionIds ?? [])])];
      db.prepare(`UPDATE content_revisions SET text = ?, editors = ?, question_ids = ?, updated_at = ? WHERE id = ?`).run(
        r.text,
        JSON.stringify(editors),
        JSON.stringify(questions),
        at,
        open.id,
      );
      return open.id;
    }
    const res = db
      .prepare(
        `INSERT INTO content_revisions (kind, entry_id, file, base_hash, text, editors, question_ids, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.kind, r.entryId, r.file, r.baseHash, r.text, JSON.stringify([r.editor]), JSON.stringify(r.questionIds ?? []), r.editor, at, at);
    return Number(res.lastInsertRowid);
  })();
}

/**
 * Closes an open revision as approved or rejected. Returns false when it was no longer open
 * (someone else decided first).
 */
export function decideRevision(
  db: Db,
  id: number,
  decision: 'approved' | 'rejected',
  by: string,
  note: string | null,
  now: Date = new Date(),
): boolean {
  return (
    db
      .prepare(`UPDATE content_revisions SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ? AND status = 'pending'`)
      .run(decision, by, nowIso(now), note, id).changes === 1
  );
}

/**
 * Unlinks unanswered questions from an entry (its change was rejected): they are open again in
 * the queue, without the "already has a draft" mark.
 */
export function unlinkUnanswered(db: Db, ids: readonly number[], entryId: string): number {
  if (ids.length === 0) return 0;
  return db
    .prepare(`DELETE FROM unanswered_drafts WHERE qa_id = ? AND unanswered_id IN (${ids.map(() => '?').join(',')})`)
    .run(entryId, ...ids).changes;
}

/**
 * Takes questions out of an open revision (attached by mistake): its text becomes `text` (the
 * wordings they brought taken out) and they leave its question list. The links are the caller's
 * ({@link unlinkUnanswered}). Returns false when the revision is no longer open.
 */
export function dropRevisionQuestions(db: Db, id: number, ids: readonly number[], text: string, now: Date = new Date()): boolean {
  return db.transaction(() => {
    const r = db.prepare(`SELECT question_ids FROM content_revisions WHERE id = ? AND status = 'pending'`).get(id) as { question_ids: string } | undefined;
    if (!r) return false;
    const drop = new Set(ids);
    const left = (JSON.parse(r.question_ids) as number[]).filter((q) => !drop.has(q));
    db.prepare(`UPDATE content_revisions SET text = ?, question_ids = ?, updated_at = ? WHERE id = ?`).run(text, JSON.stringify(left), nowIso(now), id);
    return true;
  })();
}
