/**
 * Content four eyes: nobody approves a version of an entry they helped make. "Helped make" means
 * changed it in any way since it was last approved: created it, edited it, saved it again
 * unchanged, attached citizens' wordings to it. Checking only the last editor let A write, B
 * re-save, and A approve A's own text.
 *
 * Where the changers come from:
 * - an approved entry's pending revision (`db/revisions.ts`) records everyone who saved it or
 *   attached questions through it, in the same transaction as the change; the revision starts
 *   after the last approval, so its list is complete. A rejected revision's authors are not
 *   counted against the next one: nothing they wrote survived the rejection;
 * - a draft (new, or edited again after being retired) has no revision: its changers are the
 *   `content.save` entries of the audit log after its last `content.approve` (a draft changes only
 *   through `content.save`; `content.revise` and `question.attach` touch approved entries, whose
 *   changes are either approved, which resets the count, or rejected).
 *
 * A file edited by hand leaves no trace in either, and anyone with the approver role may approve
 * it, as before.
 */
import type { Db } from '../db/index.js';
import { actorsSinceLast } from '../db/audit.js';
import type { Revision } from '../db/revisions.js';

/**
 * Everyone who changed the entry since it was last approved (its pending revision's editors
 * when it has one), in the order they first did.
 */
export function changersSinceApproval(db: Db, kind: 'qa' | 'article', entryId: string, revision?: Pick<Revision, 'editors'>): string[] {
  if (revision) return [...revision.editors];
  return actorsSinceLast(db, { targetType: kind, targetId: entryId, actions: ['content.save'], after: 'content.approve' });
}

/**
 * The refusal staff read when they try to approve something they changed: who changed it, and
 * what to do instead.
 */
export function selfApprovalRefusal(changers: readonly string[]): string {
  return (
    `Người soạn không tự phê duyệt: bạn đã sửa mục này kể từ lần phê duyệt gần nhất ` +
    `(người đã tạo, sửa, lưu lại hoặc gắn câu hỏi: ${changers.join(', ')}). ` +
    'Hãy nhờ một người có quyền phê duyệt khác, chưa sửa mục này, xem và phê duyệt.'
  );
}
