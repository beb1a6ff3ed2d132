/**
 * `loa disinfo list`: the cases of suspected disinformation citizens reported (issue 17, item 3),
 * for scripts and quick checks from a terminal. The admin page "Tin giả, tin xấu độc" is where
 * staff triage them; this command only reads.
 *
 *   loa disinfo list [--json] [--status S] [--sort newest|most] [--limit N] [--as U]
 *
 * Like `loa campaign list`, it needs no `--as`: whoever can open the database file can read it
 * anyway. With `--as U` it answers as U would see the admin page: U must be allowed to view the
 * cases (`disinfo.view`), and a region-scoped U sees only the cases of their region subtree (a
 * case of no region is province-wide and hidden from them).
 *
 * `--json` prints one array; its keys are stable (scripts rely on them):
 *
 * | key | meaning |
 * | --- | --- |
 * | `id` | the case's internal id (the admin page is `/admin/disinfo/<id>`) |
 * | `number` | the case number citizens were told, `BC-<year>-<seq>` |
 * | `status` | `new`, `checking`, `confirmed_false`, `handled`, `not_false`, `out_of_scope` |
 * | `outcome` | for a handled case: `platform`, `police` or `correction`; else `null` |
 * | `reporters` | distinct people who reported the item |
 * | `firstReportAt`, `lastReportAt` | ISO 8601 instants (UTC) of the first and the last report |
 * | `platform` | where it was first said to be seen: `facebook`, `zalo`, `tiktok`, `youtube`, `website`, `other`, or `null` |
 * | `topic` | a topic slug of `topics.yaml`, `khac` (other), or `null` |
 * | `region` | the first reporter's region slug, or `null` (province-wide) |
 * | `url` | the link in its normalised form, or `null` |
 * | `text` | the reported text with phone numbers, e-mails and ID numbers masked, at most 200 characters, or `null` |
 * | `correctionId` | the linked correction (Q&A or article id), or `null` |
 * | `correctionCampaignId` | the linked correction campaign, or `null` |
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { CASE_STATUSES, listCases, type CaseStatus, type DisinfoCase } from '../db/disinfo.js';
import { getUserByName, regionAllowed } from '../db/users.js';
import { flattenRegions, loadContent } from '../knowledge/content.js';
import { can } from '../admin/roles.js';
import { CASE_OUTCOME_LABEL, CASE_STATUS_LABEL } from '../admin/disinfo.js';
import { maskedText } from '../admin/format.js';
import { PLATFORMS } from '../conversation/disinfo.js';
import { formatVietnamTime } from '../time/vietnam.js';
import { argsErrorText } from './args.js';

export const USAGE = `cách dùng:
  loa disinfo list [--json] [--status TRẠNG_THÁI] [--sort newest|most] [--limit N] [--as TÊN]
TRẠNG_THÁI: ${CASE_STATUSES.join(', ')}.
--sort newest: báo gần nhất trước (mặc định); most: nhiều người báo nhất trước.
--as TÊN: xem như tài khoản cán bộ TÊN (chỉ các vụ việc thuộc địa bàn của tài khoản đó).`;

/** One case as `--json` prints it; the keys are documented in the module comment. */
export interface CaseJson {
  id: number;
  number: string;
  status: CaseStatus;
  outcome: string | null;
  reporters: number;
  firstReportAt: string;
  lastReportAt: string;
  platform: string | null;
  topic: string | null;
  region: string | null;
  url: string | null;
  text: string | null;
  correctionId: string | null;
  correctionCampaignId: number | null;
}

/** The JSON form of a case (personal data in the reported text masked). */
export function caseJson(c: DisinfoCase): CaseJson {
  return {
    id: c.id,
    number: c.number,
    status: c.status,
    outcome: c.outcome,
    reporters: c.reporterCount,
    firstReportAt: c.firstAt,
    lastReportAt: c.lastAt,
    platform: c.platform,
    topic: c.topic,
    region: c.region,
    url: c.url,
    text: c.text ? maskedText(c.text).slice(0, 200) : null,
    correctionId: c.correctionId,
    correctionCampaignId: c.correctionCampaignId,
  };
}

class UsageError extends Error {}
/** A refusal (unknown or unauthorised account): exit code 1. */
class DisinfoCliError extends Error {}

/** Test and tool hooks. */
export interface DisinfoCliDeps {
  db?: Db;
  contentDir?: string;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

const PLATFORM_LABEL = Object.fromEntries(PLATFORMS.map((p) => [p.id, p.label])) as Record<string, string>;

/** Runs `loa disinfo …`; returns the exit code. */
export async function run(args: string[], deps: DisinfoCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => console.log(s));
  const err = deps.err ?? ((s: string) => console.error(s));
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help') {
    out(USAGE);
    return sub ? 0 : 2;
  }
  let v;
  try {
    ({ values: v } = parseArgs({
      args: rest,
      options: {
        json: { type: 'boolean' },
        status: { type: 'string' },
        sort: { type: 'string' },
        limit: { type: 'string' },
        as: { type: 'string' },
      },
    }));
  } catch (e) {
    err(`disinfo: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  try {
    if (sub !== 'list') throw new UsageError(`disinfo: không có lệnh '${sub}'\n${USAGE}`);
    const status = v.status as CaseStatus | undefined;
    if (status !== undefined && !CASE_STATUSES.includes(status))
      throw new UsageError(`disinfo: không có trạng thái '${v.status}'; dùng một trong: ${CASE_STATUSES.join(', ')}`);
    if (v.sort !== undefined && v.sort !== 'newest' && v.sort !== 'most') throw new UsageError(`disinfo: --sort là newest hoặc most, không phải '${v.sort}'`);
    const limit = v.limit === undefined ? -1 : Number(v.limit);
    if (v.limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) throw new UsageError(`disinfo: --limit cần một số nguyên dương, không phải '${v.limit}'`);

    let db = deps.db;
    let contentDir = deps.contentDir;
    if (!db || !contentDir) {
      const config = loadConfig();
      db ??= openDb(join(config.dataDir, 'loa.sqlite'));
      contentDir ??= config.contentDir;
    }
    try {
      let scope: string[] | null = null;
      if (v.as !== undefined) {
        const user = getUserByName(db, v.as);
        if (!user) throw new DisinfoCliError(`disinfo: không có tài khoản cán bộ '${v.as}'; xem 'loa user list'`);
        if (!can(user, 'disinfo.view'))
          throw new DisinfoCliError(`disinfo: tài khoản '${v.as}' không có quyền xem tin giả, tin xấu độc (cần vai trò biên tập, phê duyệt hoặc xem).`);
        if (user.region) {
          const flat = flattenRegions(loadContent(contentDir).regions);
          scope = [...flat.keys()].filter((slug) => regionAllowed(user, slug, (s) => flat.get(s)?.path));
        }
      }
      const cases = listCases(db, { order: v.sort === 'most' ? 'most' : 'newest', status, scope, limit });
      if (v.json) {
        out(JSON.stringify(cases.map(caseJson)));
        return 0;
      }
      if (cases.length === 0) {
        out(status ? `Không có vụ việc nào ở trạng thái “${CASE_STATUS_LABEL[status]}”.` : 'Chưa có vụ việc nào.');
        return 0;
      }
      const content = loadContent(contentDir);
      const topicName = (slug: string | null): string =>
        !slug ? 'chưa rõ' : slug === 'khac' ? 'Khác' : (content.topics.find((t) => t.slug === slug)?.name ?? slug);
      out(`${cases.length} vụ việc${scope ? ` (địa bàn của ${v.as})` : ''}:`);
      for (const c of cases) {
        const what = c.url ?? (c.text ? maskedText(c.text).replace(/\s+/g, ' ').slice(0, 60) : c.mediaRef ? 'ảnh chụp màn hình' : '');
        const state = `${CASE_STATUS_LABEL[c.status]}${c.outcome ? ` (${CASE_OUTCOME_LABEL[c.outcome]})` : ''}`;
        out(
          `${c.number}  ${state} · ${c.reporterCount} người báo · lần đầu ${formatVietnamTime(c.firstAt)}, lần cuối ${formatVietnamTime(c.lastAt)}` +
            ` · nơi thấy: ${c.platform ? (PLATFORM_LABEL[c.platform] ?? c.platform) : 'chưa rõ'} · chủ đề: ${topicName(c.topic)}\n    ${what}`,
        );
      }
      return 0;
    } finally {
      if (!deps.db) db.close();
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof DisinfoCliError) {
      err(e.message);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}
