/**
 * The campaign lifecycle as staff drive it (CLI now, admin pages later):
 *
 *   draft → submitted → approved → scheduled → sending → done
 *                      (paused ⇄ scheduled/sending; cancelled from any state before done)
 *
 * Every action names the acting staff account; roles and region scope are checked here, once,
 * and every action is written to the audit log in the same transaction as the change. The
 * approver must be someone other than the author (four-eyes). Content is validated per
 * channel and the audience counted before approval. Sending itself is the worker's job.
 */
import type { Db } from '../db/index.js';
import {
  cancelPendingDeliveries,
  clearCampaignApproval,
  getCampaign,
  insertCampaign,
  reopenDoneCampaign,
  requeueFailed,
  requeueUnknown,
  reviseCampaign,
  transitionCampaign,
  type Campaign,
  type CampaignChannel,
  type CampaignStatus,
} from '../db/campaigns.js';
import { getUserByName, hasAnyRole, regionAllowed, resetLinks, resetSentence, type Role, type User } from '../db/users.js';
import { listAudit, recordAudit } from '../db/audit.js';
import { flattenRegions } from '../knowledge/content.js';
import { campaignContentSchema, validateContent, type CampaignContent, type ContentIssue } from './content.js';
import { countCampaignAudience, expandRegions, zaloReachableNow, type RegionTree } from './audience.js';

/** A refused action; the message (Vietnamese, for staff) says why and what to do. */
export class CampaignError extends Error {
  override name = 'CampaignError';
}

/** Who may do what. `admin` implies every role (see db/users.ts). */
const MAY: Record<string, readonly Role[]> = {
  create: ['broadcaster'],
  edit: ['broadcaster'],
  submit: ['broadcaster'],
  approve: ['approver'],
  schedule: ['broadcaster', 'approver'],
  pause: ['broadcaster', 'approver'],
  resume: ['broadcaster', 'approver'],
  cancel: ['broadcaster', 'approver'],
  resendUnknown: ['broadcaster', 'approver'],
  retryFailed: ['broadcaster', 'approver'],
  view: ['viewer', 'editor', 'broadcaster', 'approver'],
};

/** The actions as staff name them, for refusals. */
const ACTION_VI: Record<string, string> = {
  create: 'tạo chiến dịch',
  edit: 'sửa',
  submit: 'gửi duyệt',
  approve: 'duyệt',
  reject: 'trả lại',
  schedule: 'lên lịch',
  pause: 'tạm dừng',
  resume: 'tiếp tục',
  cancel: 'huỷ',
  resendUnknown: 'gửi lại tin chưa rõ',
  retryFailed: 'gửi lại tin lỗi',
  view: 'xem chiến dịch',
};

/** The roles as staff name them. */
const ROLE_VI: Record<string, string> = { broadcaster: 'người soạn tin (broadcaster)', approver: 'người duyệt (approver)', viewer: 'người xem (viewer)', editor: 'biên tập (editor)' };

/** The states as staff read them (the CLI and the refusals here). */
export const STATUS_VI: Record<CampaignStatus, string> = {
  draft: 'nháp',
  submitted: 'chờ duyệt',
  approved: 'đã duyệt',
  scheduled: 'đã lên lịch',
  sending: 'đang gửi',
  paused: 'tạm dừng',
  done: 'đã xong',
  cancelled: 'đã huỷ',
};

/** What can be done with a campaign in this state: the next step a refusal points to. */
function nextStep(c: Pick<Campaign, 'id' | 'status'>): string {
  const id = c.id;
  switch (c.status) {
    case 'draft':
      return `bản nháp phải được gửi duyệt trước: loa campaign submit ${id} --as <tên>`;
    case 'submitted':
      return `đang chờ một người duyệt (không phải người soạn): loa campaign approve ${id} --as <tên>`;
    case 'approved':
      return `đã duyệt, bước tiếp theo là lên lịch: loa campaign schedule ${id} --as <tên>`;
    case 'scheduled':
    case 'sending':
      return `xem tiến độ: loa campaign status ${id}`;
    case 'paused':
      return `đang tạm dừng; cho gửi tiếp: loa campaign resume ${id} --as <tên>`;
    default:
      return `chiến dịch đã kết thúc; cần gửi lại thì tạo chiến dịch mới (loa campaign create)`;
  }
}

/** Input of {@link CampaignService.create}. */
export interface CreateCampaignInput extends Partial<CampaignContent> {
  text: string;
  channels: CampaignChannel[];
  topics?: string[];
  regions?: string[];
  /** ISO time; omitted = send as soon as scheduled. */
  sendAt?: Date;
}

/** Input of {@link CampaignService.edit}: the fields to change; `sendAt: null` = as soon as scheduled. */
export type EditCampaignInput = Partial<Omit<CreateCampaignInput, 'sendAt'>> & { sendAt?: Date | null };

/** Dependencies of {@link createCampaignService}. */
export interface CampaignServiceDeps {
  db: Db;
  /** The region tree and topics (from the knowledge base). */
  regions: () => RegionTree;
  topics: () => string[];
  /**
   * Added to the details of every audit entry the service writes: where the action came from
   * when the acting account was not proven by an admin session, e.g. the CLI's
   * `{ via: 'cli', osUser, interactive, passwordChecked }`.
   */
  auditOrigin?: Record<string, unknown>;
  now?: () => Date;
  /** Days of Zalo OA's contact window (PLATFORMS.md: 7). */
  zaloWindowDays?: number;
}

/** The campaign lifecycle; every method takes the acting username first. */
export type CampaignService = ReturnType<typeof createCampaignService>;

/** Creates the lifecycle service. */
export function createCampaignService(deps: CampaignServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  const actor = (username: string, action: keyof typeof MAY): User => {
    const u = getUserByName(db, username);
    if (!u) throw new CampaignError(`campaign: không có tài khoản '${username}'; tạo bằng 'loa user add ${username} --role …'`);
    if (u.disabledAt) throw new CampaignError(`campaign: tài khoản '${username}' đã bị khoá`);
    if (!hasAnyRole(u, MAY[action]!))
      throw new CampaignError(
        `campaign: '${username}' không có quyền ${ACTION_VI[action] ?? action}; cần một trong các vai trò: ${MAY[action]!.map((r) => ROLE_VI[r] ?? r).join(', ')}. Nhờ quản trị viên cấp vai trò, hoặc để người có vai trò đó làm`,
      );
    return u;
  };

  const load = (id: number): Campaign => {
    const c = getCampaign(db, id);
    if (!c) throw new CampaignError(`campaign: không có chiến dịch #${id}; xem 'loa campaign list'`);
    return c;
  };

  const inScope = (u: User, c: Pick<Campaign, 'regions'> & { id?: number }): void => {
    if (!u.region) return;
    const tree = deps.regions();
    const flat = flattenRegions(tree.regions);
    const pathOf = (s: string): string[] | undefined => flat.get(s)?.path;
    if (c.regions.length === 0 || !c.regions.every((r) => regionAllowed(u, r, pathOf))) {
      // An existing campaign of another area: choosing regions is not the way out, its owner is.
      if (c.id !== undefined)
        throw new CampaignError(
          `campaign: chiến dịch #${c.id} gửi tới ${c.regions.length ? `địa bàn ${c.regions.join(', ')}` : 'cả tỉnh'}, ngoài địa bàn '${u.region}' của '${u.username}'; nhờ cán bộ phụ trách địa bàn đó hoặc cấp tỉnh thực hiện`,
        );
      throw new CampaignError(`campaign: '${u.username}' chỉ được gửi trong địa bàn '${u.region}'; dùng --regions ${u.region} hoặc địa bàn con`);
    }
  };

  const move = (
    username: string,
    c: Campaign,
    from: readonly CampaignStatus[],
    to: CampaignStatus,
    action: string,
    fields: Parameters<typeof transitionCampaign>[4] = {},
    details: Record<string, unknown> = {},
    extra?: () => void,
  ): Campaign => {
    const ok = db.transaction(() => {
      if (!transitionCampaign(db, c.id, from, to, fields, now())) return false;
      extra?.();
      recordAudit(db, { actor: username, action: `campaign.${action}`, targetType: 'campaign', targetId: c.id, details: { from: c.status, to, ...details, ...deps.auditOrigin } }, now());
      return true;
    })();
    if (!ok) {
      const cur = load(c.id);
      throw new CampaignError(
        `campaign: không thể ${ACTION_VI[action] ?? action} chiến dịch #${c.id} vì nó đang ở trạng thái '${STATUS_VI[cur.status]}' (cần: ${from.map((f) => `'${STATUS_VI[f]}'`).join(', ')}); ${nextStep(cur)}`,
      );
    }
    return load(c.id);
  };

  const contentOf = (c: Campaign): CampaignContent =>
    campaignContentSchema.parse({ title: c.title ?? undefined, text: c.text, imageUrl: c.imageUrl ?? undefined, links: c.links });

  const checkAudienceFields = (topics: string[], regions: string[]): void => {
    const known = new Set(deps.topics());
    for (const t of topics)
      if (!known.has(t)) throw new CampaignError(`campaign: không có chủ đề '${t}'; xem content/topics.yaml`);
    try {
      expandRegions(deps.regions().regions, regions);
    } catch {
      const bad = regions.find((r) => !flattenRegions(deps.regions().regions).has(r));
      throw new CampaignError(`campaign: không có địa bàn '${bad}'; xem content/regions.yaml`);
    }
  };

  return {
    /** Checks a campaign's content per channel (errors block submission and approval). */
    issues(c: Campaign): ContentIssue[] {
      return validateContent(contentOf(c), c.channels);
    },

    /**
     * The current audience count, per channel; on Zalo OA also how many are inside its 7-day
     * window now (`zaloInWindow`), since only they will be sent the message.
     */
    audience(c: Campaign): { total: number; byChannel: Partial<Record<string, number>>; zaloInWindow?: number } {
      const count = countCampaignAudience(db, c, deps.regions());
      const zalo = zaloReachableNow(db, c, deps.regions(), deps.zaloWindowDays ?? 7, now());
      return zalo ? { ...count, zaloInWindow: zalo.inWindow } : count;
    },

    /** Creates a draft; returns it. */
    create(username: string, input: CreateCampaignInput): Campaign {
      const u = actor(username, 'create');
      const parsed = campaignContentSchema.safeParse(input);
      if (!parsed.success) throw new CampaignError(`campaign: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'nội dung'}: ${i.message}`).join('; ')}`);
      const channels = [...new Set(input.channels)];
      if (channels.length === 0) throw new CampaignError('campaign: chọn ít nhất một kênh gửi (Telegram, Zalo OA hoặc Zalo Bot).');
      const topics = [...new Set(input.topics ?? [])];
      const regions = [...new Set(input.regions ?? [])];
      checkAudienceFields(topics, regions);
      inScope(u, { regions });
      const id = db.transaction(() => {
        const id = insertCampaign(
          db,
          { ...parsed.data, channels, topics, regions, sendAt: input.sendAt?.toISOString() ?? null, author: u.username },
          now(),
        );
        recordAudit(db, { actor: u.username, action: 'campaign.create', targetType: 'campaign', targetId: id, details: { channels, topics, regions, ...deps.auditOrigin } }, now());
        return id;
      })();
      return load(id);
    },

    /**
     * Changes a campaign that has not started sending (text, title, image, links, channels,
     * topics, regions, time); fields left out keep their value. A submitted, approved or
     * scheduled campaign goes back to `draft`, its approval cleared: the approver approved the
     * old text, so the new one is submitted and approved (by another person) again.
     */
    edit(username: string, id: number, changes: EditCampaignInput): Campaign {
      const u = actor(username, 'edit');
      const c = load(id);
      inScope(u, c);
      const editable: CampaignStatus[] = ['draft', 'submitted', 'approved', 'scheduled', 'paused'];
      if (!editable.includes(c.status) || c.startedAt)
        throw new CampaignError(
          `campaign: chiến dịch #${id} ${c.startedAt && c.status !== 'done' && c.status !== 'cancelled' ? 'đã bắt đầu gửi' : `đang ở trạng thái '${STATUS_VI[c.status]}'`} nên không sửa được nữa; ` +
            `nếu nội dung cần đổi, hãy huỷ (loa campaign cancel ${id}) và tạo chiến dịch mới`,
        );
      const merged = {
        title: changes.title !== undefined ? changes.title || undefined : c.title ?? undefined,
        text: changes.text ?? c.text,
        imageUrl: changes.imageUrl !== undefined ? changes.imageUrl || undefined : c.imageUrl ?? undefined,
        links: changes.links ?? c.links,
      };
      const parsed = campaignContentSchema.safeParse(merged);
      if (!parsed.success) throw new CampaignError(`campaign: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'nội dung'}: ${i.message}`).join('; ')}`);
      const channels = [...new Set(changes.channels ?? c.channels)];
      if (channels.length === 0) throw new CampaignError('campaign: chọn ít nhất một kênh gửi (Telegram, Zalo OA hoặc Zalo Bot).');
      const topics = [...new Set(changes.topics ?? c.topics)];
      const regions = [...new Set(changes.regions ?? c.regions)];
      checkAudienceFields(topics, regions);
      inScope(u, { regions });
      const sendAt = changes.sendAt === undefined ? c.sendAt : changes.sendAt === null ? null : changes.sendAt.toISOString();
      // In Vietnamese: the audit log shows the list as it is.
      const FIELD_VI: Record<string, string> = { title: 'tiêu đề', text: 'nội dung', imageUrl: 'ảnh', links: 'liên kết', channels: 'kênh', topics: 'chủ đề', regions: 'địa bàn', sendAt: 'giờ gửi' };
      const changed = [
        ...(['title', 'text', 'imageUrl', 'links'] as const).filter((k) => JSON.stringify(parsed.data[k] ?? null) !== JSON.stringify((k === 'links' ? c.links : c[k]) ?? null)),
        ...(JSON.stringify(channels) !== JSON.stringify(c.channels) ? ['channels'] : []),
        ...(JSON.stringify(topics) !== JSON.stringify(c.topics) ? ['topics'] : []),
        ...(JSON.stringify(regions) !== JSON.stringify(c.regions) ? ['regions'] : []),
        ...(sendAt !== c.sendAt ? ['sendAt'] : []),
      ].map((k) => FIELD_VI[k] ?? k);
      const ok = db.transaction(() => {
        if (!reviseCampaign(db, id, editable, { ...parsed.data, channels, topics, regions, sendAt }, now())) return false;
        const approvalCleared = c.status !== 'draft';
        recordAudit(
          db,
          {
            actor: u.username,
            action: 'campaign.edit',
            targetType: 'campaign',
            targetId: id,
            details: { from: c.status, to: 'draft', changed, ...(approvalCleared ? { approvalCleared, previousApprover: c.approver } : {}), ...deps.auditOrigin },
          },
          now(),
        );
        return true;
      })();
      if (!ok) throw new CampaignError(`campaign: chiến dịch #${id} vừa đổi trạng thái ('${STATUS_VI[load(id).status]}'); xem lại rồi sửa nếu vẫn cần`);
      return load(id);
    },

    /** Submits a draft for approval; refuses content that breaks a channel's limits. */
    submit(username: string, id: number): Campaign {
      const u = actor(username, 'submit');
      const c = load(id);
      inScope(u, c);
      const errors = validateContent(contentOf(c), c.channels).filter((i) => i.severity === 'error');
      if (errors.length) throw new CampaignError(`campaign: nội dung chưa hợp lệ: ${errors.map((e) => e.message).join('; ')}`);
      return move(u.username, c, ['draft'], 'submitted', 'submit', { submittedAt: true });
    },

    /** Approves a submitted campaign: four-eyes (not the author), approver role, valid content. */
    approve(username: string, id: number): Campaign {
      const u = actor(username, 'approve');
      const c = load(id);
      if (c.author.toLowerCase() === u.username.toLowerCase())
        throw new CampaignError(
          `campaign: người soạn (${c.author}) không được tự duyệt (hai người: một người soạn, một người duyệt); ` +
            `nhờ một người khác có vai trò người duyệt (approver) duyệt chiến dịch #${id}: trên trang của chiến dịch, hoặc 'loa campaign approve ${id} --as <tên người đó>'`,
        );
      // One person behind both accounts after a password reset (db/users.ts resetLinks): the
      // admin who reset the author's password could have written it as them, and the reverse.
      const link = resetLinks(db, u.username, [c.author], c.createdAt, now()).conflict;
      if (link)
        throw new CampaignError(
          `campaign: không duyệt được chiến dịch #${id} (hai người: một người soạn, một người duyệt): ${link.resets.map(resetSentence).join('; ')}. ` +
            `Người đặt mật khẩu có thể đã đăng nhập thay, nên người soạn (${c.author}) và bạn có thể là cùng một người; nhờ một người duyệt khác.`,
        );
      inScope(u, c);
      const errors = validateContent(contentOf(c), c.channels).filter((i) => i.severity === 'error');
      if (errors.length) throw new CampaignError(`campaign: nội dung chưa hợp lệ: ${errors.map((e) => e.message).join('; ')}`);
      const audience = countCampaignAudience(db, c, deps.regions());
      return move(u.username, c, ['submitted'], 'approved', 'approve', { approver: u.username, audienceAtApproval: audience.total, approvedAt: true }, { audience: audience.total });
    },

    /**
     * Sends a submitted or approved campaign back to its author as a draft, with the reason
     * (required: the author must know what to fix). An approval it had is cleared.
     */
    reject(username: string, id: number, reason?: string): Campaign {
      const u = actor(username, 'approve');
      const c = load(id);
      inScope(u, c);
      const why = reason?.trim();
      if (!why) throw new CampaignError(`campaign: hãy ghi lý do trả lại để người soạn biết cần sửa gì, ví dụ: loa campaign reject ${id} --as ${u.username} --reason "Sai ngày họp"`);
      return move(u.username, c, ['submitted', 'approved'], 'draft', 'reject', {}, { reason: why }, () => clearCampaignApproval(db, id));
    },

    /**
     * The last refusal of a draft (who, when, why), so its author reads what to fix; undefined
     * when the campaign is not a draft or was never refused since it was last changed.
     */
    lastRejection(c: Campaign): { by: string; at: string; reason: string } | undefined {
      if (c.status !== 'draft') return undefined;
      const [entry] = listAudit(db, { targetType: 'campaign', targetId: String(c.id), limit: 1 });
      if (!entry || entry.action !== 'campaign.reject') return undefined;
      const reason = (entry.details as { reason?: unknown } | null)?.reason;
      return { by: entry.actor, at: entry.at, reason: typeof reason === 'string' ? reason : '' };
    },

    /** Schedules an approved campaign now or at `at` (quiet hours may hold it further). */
    schedule(username: string, id: number, at?: Date): Campaign {
      const u = actor(username, 'schedule');
      const c = load(id);
      inScope(u, c);
      const sendAt = at ? at.toISOString() : c.sendAt;
      return move(u.username, c, ['approved'], 'scheduled', 'schedule', { sendAt, scheduledAt: true }, { sendAt });
    },

    /** Pauses a scheduled or sending campaign; in-flight sends finish, nothing new starts. */
    pause(username: string, id: number): Campaign {
      const u = actor(username, 'pause');
      const c = load(id);
      inScope(u, c);
      return move(u.username, c, ['scheduled', 'sending'], 'paused', 'pause');
    },

    /** Resumes a paused campaign where it stopped. */
    resume(username: string, id: number): Campaign {
      const u = actor(username, 'resume');
      const c = load(id);
      inScope(u, c);
      return move(u.username, c, ['paused'], c.startedAt ? 'sending' : 'scheduled', 'resume');
    },

    /** Cancels a campaign that has not finished; its unsent rows are marked cancelled. */
    cancel(username: string, id: number): Campaign {
      const u = actor(username, 'cancel');
      const c = load(id);
      inScope(u, c);
      return move(u.username, c, ['draft', 'submitted', 'approved', 'scheduled', 'sending', 'paused'], 'cancelled', 'cancel', { finishedAt: true }, {}, () => {
        cancelPendingDeliveries(db, c.id, now());
      });
    },

    /**
     * Re-sends the rows a crash left `unknown`. Staff choose this knowing a few people may get
     * the message twice (those whose send reached the platform just before the crash).
     */
    resendUnknown(username: string, id: number): { campaign: Campaign; requeued: number } {
      const u = actor(username, 'resendUnknown');
      const c = load(id);
      inScope(u, c);
      if (!['sending', 'paused', 'done'].includes(c.status))
        throw new CampaignError(`campaign: chiến dịch #${id} đang '${STATUS_VI[c.status]}'; chỉ gửi lại được tin chưa rõ khi chiến dịch đang gửi, tạm dừng hoặc đã xong`);
      let requeued = 0;
      db.transaction(() => {
        requeued = requeueUnknown(db, id);
        if (requeued > 0 && c.status === 'done') reopenDoneCampaign(db, id, now());
        recordAudit(db, { actor: u.username, action: 'campaign.resend_unknown', targetType: 'campaign', targetId: id, details: { requeued, ...deps.auditOrigin } }, now());
      })();
      return { campaign: load(id), requeued };
    },

    /**
     * Tries the `failed` rows of a campaign again, and only those (after the cause was fixed: a
     * platform outage, a channel configured since). People who blocked the bot, opted out or are
     * outside Zalo's window are not failures and are not re-sent; nobody already sent is sent
     * twice. A finished campaign goes back to sending until they are done.
     */
    retryFailed(username: string, id: number): { campaign: Campaign; requeued: number } {
      const u = actor(username, 'retryFailed');
      const c = load(id);
      inScope(u, c);
      if (!['sending', 'paused', 'done'].includes(c.status))
        throw new CampaignError(`campaign: chiến dịch #${id} đang '${STATUS_VI[c.status]}'; chỉ gửi lại được tin lỗi khi chiến dịch đang gửi, tạm dừng hoặc đã xong`);
      let requeued = 0;
      db.transaction(() => {
        requeued = requeueFailed(db, id);
        if (requeued > 0 && c.status === 'done') reopenDoneCampaign(db, id, now());
        recordAudit(db, { actor: u.username, action: 'campaign.retry_failed', targetType: 'campaign', targetId: id, details: { requeued, ...deps.auditOrigin } }, now());
      })();
      return { campaign: load(id), requeued };
    },

    /** Throws unless the account may view campaigns. */
    checkViewer(username: string): void {
      actor(username, 'view');
    },

    /**
     * Who cancelled a cancelled campaign and when (the audit's `campaign.cancel`, else the
     * finish time alone), so staff read "đã huỷ" rather than the time it would have gone out.
     * Undefined when the campaign is not cancelled.
     */
    cancellation(c: Campaign): { by: string | null; at: string | null } | undefined {
      if (c.status !== 'cancelled') return undefined;
      const [entry] = listAudit(db, { action: 'campaign.cancel', targetType: 'campaign', targetId: String(c.id), limit: 1 });
      return { by: entry?.actor ?? null, at: entry?.at ?? c.finishedAt };
    },

    /** Loads a campaign for someone allowed to view it. */
    get(username: string, id: number): Campaign {
      actor(username, 'view');
      return load(id);
    },
  };
}
