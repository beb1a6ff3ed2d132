/**
 * Telling reporters of suspected disinformation the outcome of their case (issue 17, item 1).
 *
 * When staff close a case (handled, not false, not in scope), each reporter gets one message on
 * their own channel, with the approved correction's text when one is linked, through the one
 * sender (`sender/sender.ts`, `notice` kind): the channel's throttle, retries and "gone" rules
 * apply, and the web chat keeps the message held until the visitor comes back, as it does for
 * answer notices. A reporter is told each status once
 * (`disinfo_reports.notified_status`); erased reporters are skipped, people who blocked the bot
 * are marked told without a send.
 */
import type { Db } from '../db/index.js';
import { casesWithUnsentCorrection, getCase, markReportersTold, reportersToTell, reportersWithoutCorrection, TOLD_STATUSES, type CaseOutcome, type CaseStatus } from '../db/disinfo.js';
import type { Sender } from '../sender/sender.js';
import type { ChannelName, Reply } from '../messages.js';
import { getPerson } from '../db/people.js';
import type { Lang } from '../text/language.js';
import { correctionOf, laterCorrectionReply, outcomeReply, PLATFORMS } from '../conversation/disinfo.js';
import type { Knowledge } from '../knowledge/knowledge.js';

/** Staff-facing labels of case statuses. */
export const CASE_STATUS_LABEL: Record<CaseStatus, string> = {
  new: 'Mới',
  checking: 'Đang kiểm tra',
  confirmed_false: 'Xác định là tin giả/xấu độc',
  handled: 'Đã xử lý',
  not_false: 'Không phải tin giả',
  out_of_scope: 'Không thuộc phạm vi',
};

/** Staff-facing labels of handling outcomes. */
export const CASE_OUTCOME_LABEL: Record<CaseOutcome, string> = {
  platform: 'Đã báo cáo nền tảng gỡ bỏ',
  police: 'Đã chuyển cơ quan công an',
  correction: 'Đã đăng tin đính chính',
};

/** Staff-facing names of the places an item was seen (the reporter's answer); 'Chưa rõ' when not given. */
export function platformLabel(platform: string | null): string {
  if (!platform) return 'Chưa rõ';
  return PLATFORMS.find((p) => p.id === platform)?.label ?? platform;
}

/** What {@link tellReporters} needs. */
export interface TellDeps {
  db: Db;
  sender: Pick<Sender, 'enqueue'>;
  /** Where an approved correction linked to the case (and its English translation) is read, to send it with the outcome. */
  knowledge?: Pick<Knowledge, 'getQa' | 'getArticle'> & Partial<Pick<Knowledge, 'translationOf'>>;
}

/**
 * Queues the outcome message for every reporter of the case not yet told its current status,
 * when that status closes the case. Returns how many messages were queued.
 */
export function tellReporters(deps: TellDeps, caseId: number, now: Date = new Date()): number {
  const c = getCase(deps.db, caseId);
  if (!c || !TOLD_STATUSES.includes(c.status)) return 0;
  // Each reporter is told in their own language (people.lang), with the correction in it when it is translated.
  const replies = new Map<Lang, Reply>();
  const replyIn = (lang: Lang): Reply => {
    let r = replies.get(lang);
    if (!r) replies.set(lang, (r = outcomeReply(c, deps.knowledge ? correctionOf(deps.knowledge, c.correctionId, lang) : undefined, lang)));
    return r;
  };
  // The approved correction goes with "handled"; the id is kept with the told status.
  const correctionId = c.status === 'handled' && c.correctionId && deps.knowledge && correctionOf(deps.knowledge, c.correctionId) ? c.correctionId : null;
  const todo = reportersToTell(deps.db, caseId);
  let queued = 0;
  for (const r of todo) {
    if (r.personStatus !== 'active') continue;
    const reply = replyIn(getPerson(deps.db, r.personId)?.lang ?? 'vi');
    deps.sender.enqueue({ channel: r.channel as ChannelName, recipient: r.externalId, personId: r.personId }, [reply], { kind: 'notice' });
    queued++;
  }
  markReportersTold(deps.db, caseId, todo.map((r) => r.personId), c.status, now, correctionId);
  // Reporters told "handled" before its correction was approved or linked get the correction now,
  // once: the plan's point is that they can pass on the right information.
  if (correctionId) {
    const later = reportersWithoutCorrection(deps.db, caseId, correctionId);
    for (const r of later) {
      if (r.personStatus !== 'active') continue;
      const lang = getPerson(deps.db, r.personId)?.lang ?? 'vi';
      const correction = correctionOf(deps.knowledge!, correctionId, lang);
      if (!correction) continue;
      deps.sender.enqueue({ channel: r.channel as ChannelName, recipient: r.externalId, personId: r.personId }, [laterCorrectionReply(c, correction, lang)], { kind: 'notice' });
      queued++;
    }
    markReportersTold(deps.db, caseId, later.map((r) => r.personId), 'handled', now, correctionId);
  }
  return queued;
}

/**
 * After content was approved (or a correction linked): sends each handled case's newly approved
 * correction to its reporters told the outcome without it. Returns how many messages were queued.
 */
export function tellLateCorrections(deps: TellDeps, now: Date = new Date()): number {
  let queued = 0;
  for (const id of casesWithUnsentCorrection(deps.db)) queued += tellReporters(deps, id, now);
  return queued;
}
