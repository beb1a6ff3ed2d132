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
import { resetLinks, resetSentence, type PasswordSetFor } from '../db/users.js';

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

/**
 * When the changes being approved began: the revision's start, or the draft's first save since
 * its last approval (the start of time when the log has none, e.g. a file edited by hand).
 */
export function changesSince(db: Db, kind: 'qa' | 'article', entryId: string, revision?: Pick<Revision, 'createdAt'>): string {
  if (revision) return revision.createdAt;
  const at = db
    .prepare(
      `SELECT MIN(at) FROM audit WHERE target_type = ? AND target_id = ? AND action = 'content.save'
         AND id > COALESCE((SELECT MAX(id) FROM audit WHERE target_type = ? AND target_id = ? AND action = 'content.approve'), 0)`,
    )
    .pluck()
    .get(kind, entryId, kind, entryId) as string | null;
  return at ?? '';
}

/** Four eyes for one approval: the refusal (or null) and the resets staff should see. */
export interface FourEyesCheck {
  /** Why this approver may not approve, in staff's words; null when they may. */
  refusal: string | null;
  /** Password resets that bear on this approval (each changer's, the approver's), as sentences. */
  notes: string[];
}

/**
 * Four eyes with password resets counted (`resetLinks` in db/users.ts): refused when the
 * approver is one of the changers, or when one person may be behind the approver's account and
 * a changer's (an admin who reset a colleague's password could sign in as them before they did).
 * The notes name every reset involved, so the page shows them either way.
 *
 * @example checkFourEyes(db, 'quantri', ['lan'], '2026-02-01T00:00:00Z') // refused when quantri reset lan's password
 */
export function checkFourEyes(db: Db, approver: string, changers: readonly string[], since: string, now: Date = new Date()): FourEyesCheck {
  const links = resetLinks(db, approver, changers, since, now);
  const notes = links.involved.map(resetSentence);
  if (changers.some((c) => c.toLowerCase() === approver.toLowerCase())) return { refusal: selfApprovalRefusal(changers), notes };
  if (!links.conflict) return { refusal: null, notes };
  return { refusal: resetRefusal(links.conflict.changer, links.conflict.resets), notes };
}

/** The refusal of an approval that a reset may have put in one person's hands. */
export function resetRefusal(changer: string, resets: readonly PasswordSetFor[]): string {
  return (
    `Không phê duyệt được (hai người: một người soạn, một người duyệt): ${resets.map(resetSentence).join('; ')}. ` +
    `Người đặt mật khẩu biết mật khẩu dùng một lần và có thể đã đăng nhập thay, nên '${changer}' (người đã sửa mục này) và bạn có thể là cùng một người. ` +
    'Hãy nhờ một người có quyền phê duyệt khác xem và phê duyệt.'
  );
}
