/**
 * Telling reporters of suspected disinformation the outcome of their case (issue 17, item 1).
 *
 * When staff close a case (handled, not false, not in scope), each reporter gets one message on
 * their own channel through the one sender (`sender/sender.ts`, `notice` kind): the channel's
 * throttle, retries and "gone" rules apply, and the web chat keeps the message held until the
 * visitor comes back, as it does for answer notices. A reporter is told each status once
 * (`disinfo_reports.notified_status`); erased reporters are skipped, people who blocked the bot
 * are marked told without a send.
 */
import type { Reply } from '../channels/channel.js';
import type { Db } from '../db/index.js';
import { getCase, markReportersTold, reportersToTell, TOLD_STATUSES, type CaseOutcome, type CaseStatus, type DisinfoCase } from '../db/disinfo.js';
import type { Sender } from '../sender/sender.js';
import type { ChannelName } from '../channels/channel.js';

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

const OUTCOME_TO_CITIZEN: Record<CaseOutcome, string> = {
  platform: 'Cơ quan chức năng đã đề nghị nền tảng gỡ bỏ tin này.',
  police: 'Vụ việc đã được chuyển cơ quan công an xem xét theo quy định.',
  correction: 'Cơ quan đã đăng thông tin chính xác để đính chính.',
};

/** The message a reporter receives when their case is closed. */
export function outcomeReply(c: Pick<DisinfoCase, 'number' | 'status' | 'outcome'>): Reply {
  const title = `Kết quả xử lý báo cáo ${c.number}`;
  if (c.status === 'handled')
    return {
      title,
      text: `Cảm ơn bạn đã báo tin. Qua kiểm tra, đây là tin giả hoặc tin xấu độc. ${c.outcome ? OUTCOME_TO_CITIZEN[c.outcome] : ''}\nBạn không nên chia sẻ tin này.`.replace(' \n', '\n'),
    };
  if (c.status === 'not_false')
    return { title, text: 'Cảm ơn bạn đã báo tin. Qua kiểm tra, cán bộ xác định tin này không phải là tin giả.' };
  return { title, text: 'Cảm ơn bạn đã báo tin. Tin này không thuộc phạm vi xử lý của cơ quan; bạn có thể báo trực tiếp cho nền tảng nơi bạn thấy tin.' };
}

/** What {@link tellReporters} needs. */
export interface TellDeps {
  db: Db;
  sender: Pick<Sender, 'enqueue'>;
}

/**
 * Queues the outcome message for every reporter of the case not yet told its current status,
 * when that status closes the case. Returns how many messages were queued.
 */
export function tellReporters(deps: TellDeps, caseId: number, now: Date = new Date()): number {
  const c = getCase(deps.db, caseId);
  if (!c || !TOLD_STATUSES.includes(c.status)) return 0;
  const reply = outcomeReply(c);
  const todo = reportersToTell(deps.db, caseId);
  let queued = 0;
  for (const r of todo) {
    if (r.personStatus !== 'active') continue;
    deps.sender.enqueue({ channel: r.channel as ChannelName, recipient: r.externalId, personId: r.personId }, [reply], { kind: 'notice' });
    queued++;
  }
  markReportersTold(deps.db, caseId, todo.map((r) => r.personId), c.status, now);
  return queued;
}
