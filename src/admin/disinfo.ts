/**
 * Telling reporters of suspected disinformation the outcome of their case (issue 17, item 1).
 *
 * When staff close a case (handled, not false, not in scope), each reporter gets one message on
 * their own channel, with the approved correction's text when one is linked, through the one
 * sender (`sender/sender.ts`, `notice` rows): the channel's throttle (in the campaign lane's
 * turn, after replies), retries and "gone" rules apply, and the web chat keeps the message held
 * until the visitor comes back, as it does for answer notices. A reporter is told each status once
 * (`disinfo_reports.notified_status`); erased reporters are skipped, people who blocked the bot
 * are marked told without a send.
 */
import type { Db } from '../db/index.js';
import {
  casesWithUnsentCorrection,
  getCase,
  markReportersTold,
  reportersToTell,
  reportersWithoutCorrection,
  TOLD_STATUSES,
  type CaseOutcome,
  type CaseStatus,
  type ReporterToTell,
} from '../db/disinfo.js';
import { HELD_TTL_MS, type Sender } from '../sender/sender.js';
import { insertSends, type NewSend } from '../db/sends.js';
import type { Capabilities, ChannelName, Reply } from '../messages.js';
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

/** How long an outcome message waits for its platform (a 429, a 5xx, a channel down) before it is given up. */
export const OUTCOME_TTL_MS = 24 * 3_600_000;

/** What {@link tellReporters} needs. */
export interface TellDeps {
  db: Db;
  /** The one sender: the outcome rows join its queue, and its pass is run at once to pick them up. */
  sender: Pick<Sender, 'poll'>;
  /**
   * The channels, for what each can do: a channel that cannot be pushed to (the web chat) keeps
   * the message held until the visitor comes back. A channel not in the map (not configured right
   * now) keeps it pending: it is sent if the channel is configured again before it expires.
   */
  channels: ReadonlyMap<string, { capabilities: Pick<Capabilities, 'canPush'> }>;
  /** Where an approved correction linked to the case (and its English translation) is read, to send it with the outcome. */
  knowledge?: Pick<Knowledge, 'getQa' | 'getArticle'> & Partial<Pick<Knowledge, 'translationOf'>>;
}

/**
 * Queues the outcome message for every reporter of the case not yet told its current status,
 * when that status closes the case. Returns how many messages were queued.
 *
 * Why one transaction and no per-person `enqueue`: a case thousands reported was closed one
 * reporter at a time (a row commit each, and a commit per "told" mark, outside any transaction),
 * which held the staff member's request for seconds and, if the process stopped half-way, left
 * reporters marked told whose message was never stored. Now the rows (`sends`, kind `notice`)
 * and the "told" marks are written together in one commit, so each reporter gets exactly one;
 * the sender picks the rows up in its pass (`poll`, run once here, then every second) and sends
 * them through the channel's throttle in the campaign lane's turn, after citizens' replies
 * (`sender/sender.ts`), so a large case closed does not hold up the answers of people writing.
 */
export function tellReporters(deps: TellDeps, caseId: number, now: Date = new Date()): number {
  const queued = deps.db.transaction(() => queueOutcomes(deps, caseId, now))();
  if (queued > 0) deps.sender.poll();
  return queued;
}

function queueOutcomes(deps: TellDeps, caseId: number, now: Date): number {
  const c = getCase(deps.db, caseId);
  if (!c || !TOLD_STATUSES.includes(c.status)) return 0;
  // Each reporter is told in their own language (people.lang), with the correction in it when it is translated.
  const replies = new Map<Lang, Reply>();
  const replyIn = (lang: Lang): Reply => {
    let r = replies.get(lang);
    if (!r) replies.set(lang, (r = outcomeReply(c, deps.knowledge ? correctionOf(deps.knowledge, c.correctionId, lang) : undefined, lang)));
    return r;
  };
  const rowOf = (r: ReporterToTell, reply: Reply): NewSend => {
    const canPush = deps.channels.get(r.channel)?.capabilities.canPush !== false;
    return {
      channel: r.channel as ChannelName,
      personId: r.personId,
      recipient: r.externalId,
      kind: 'notice',
      reply,
      status: canPush ? 'pending' : 'held',
      // What the case page counts its delivery by (outcomeDeliveries).
      ref: `disinfo:${caseId}`,
      expiresAt: new Date(now.getTime() + (canPush ? OUTCOME_TTL_MS : HELD_TTL_MS)),
    };
  };
  // The approved correction goes with "handled"; the id is kept with the told status.
  const correctionId = c.status === 'handled' && c.correctionId && deps.knowledge && correctionOf(deps.knowledge, c.correctionId) ? c.correctionId : null;
  const todo = reportersToTell(deps.db, caseId);
  // People who blocked the bot are marked told without a message.
  const rows = todo.filter((r) => r.personStatus === 'active').map((r) => rowOf(r, replyIn(r.lang)));
  insertSends(deps.db, rows, now);
  markReportersTold(deps.db, caseId, todo.map((r) => r.personId), c.status, now, correctionId);
  let queued = rows.length;
  // Reporters told "handled" before its correction was approved or linked get the correction now,
  // once: the plan's point is that they can pass on the right information.
  if (correctionId) {
    const later = reportersWithoutCorrection(deps.db, caseId, correctionId);
    const laterRows: NewSend[] = [];
    for (const r of later) {
      if (r.personStatus !== 'active') continue;
      const correction = correctionOf(deps.knowledge!, correctionId, r.lang);
      if (correction) laterRows.push(rowOf(r, laterCorrectionReply(c, correction, r.lang)));
    }
    insertSends(deps.db, laterRows, now);
    markReportersTold(deps.db, caseId, later.map((r) => r.personId), 'handled', now, correctionId);
    queued += laterRows.length;
  }
  return queued;
}

/**
 * After content was approved (or a correction linked): sends each handled case's newly approved
 * correction to its reporters told the outcome without it. Returns how many messages were queued.
 */
export function tellLateCorrections(deps: TellDeps, now: Date = new Date()): number {
  const queued = deps.db.transaction(() => casesWithUnsentCorrection(deps.db).reduce((n, id) => n + queueOutcomes(deps, id, now), 0))();
  if (queued > 0) deps.sender.poll();
  return queued;
}
