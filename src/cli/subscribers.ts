/**
 * `loa subscribers`: bring subscribers in from elsewhere.
 *
 *   loa subscribers import FILE.csv   columns: channel,external_id,display_name,topics,region,consented_at
 *                                     (topics separated by ';' or '|'; UTF-8, a BOM is accepted)
 *   loa subscribers sync-zalo         pulls the OA's followers, 50 a page
 *
 * An import never resubscribes someone who opted out after the consent it carries, and the
 * whole file is checked first: one bad row and nothing is written, with every problem listed
 * by line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { importSubscribers, recordZaloFollowers, type ImportedSubscriber } from '../db/subscribers.js';
import { recordAudit } from '../db/audit.js';
import { flattenRegions, loadContent } from '../knowledge/content.js';
import { createZaloClient, createZaloOAuth, type ZaloClient } from '../channels/zalo/client.js';
import { createZaloTokenStore } from '../channels/zalo/token-store.js';
import { parseCsv } from '../text/csv.js';

const USAGE = `usage:
  loa subscribers import FILE.csv    (columns: channel,external_id,display_name,topics,region,consented_at)
  loa subscribers sync-zalo`;

const COLUMNS = ['channel', 'external_id', 'display_name', 'topics', 'region', 'consented_at'] as const;

const rowSchema = z.object({
  channel: z.enum(['telegram', 'zalo'], 'channel must be telegram or zalo'),
  external_id: z.string().trim().regex(/^-?[0-9A-Za-z_]+$/, 'external_id must be the platform id (digits; never a number in Excel format)'),
  display_name: z.string().trim().transform((s) => (s ? s.normalize('NFC') : undefined)),
  topics: z.string().transform((s) =>
    s
      .split(/[;|]/)
      .map((t) => t.trim())
      .filter(Boolean),
  ),
  region: z.string().trim().transform((s) => s || null),
  consented_at: z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'consented_at must be a date/time (ISO 8601), the day the person agreed')
    .transform((s) => new Date(s).toISOString()),
});

/** Reads and validates a CSV export; returns the rows or every problem by line. */
export function readSubscriberCsv(
  text: string,
  known: { topics: Set<string>; regions: Set<string> },
): { rows: ImportedSubscriber[]; problems: string[] } {
  let table: string[][];
  try {
    table = parseCsv(text);
  } catch (err) {
    return { rows: [], problems: [(err as Error).message] };
  }
  const problems: string[] = [];
  const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
  if (COLUMNS.some((c, i) => header[i] !== c))
    return { rows: [], problems: [`line 1: the header must be exactly: ${COLUMNS.join(',')}`] };
  const rows: ImportedSubscriber[] = [];
  table.slice(1).forEach((cells, i) => {
    const line = i + 2;
    const p = rowSchema.safeParse(Object.fromEntries(COLUMNS.map((c, j) => [c, cells[j] ?? ''])));
    if (!p.success) {
      for (const issue of p.error.issues) problems.push(`line ${line}: ${issue.path.join('.')}: ${issue.message}`);
      return;
    }
    const r = p.data;
    for (const t of r.topics) if (!known.topics.has(t)) problems.push(`line ${line}: topics: unknown topic '${t}' (see content/topics.yaml)`);
    if (r.region && !known.regions.has(r.region)) problems.push(`line ${line}: region: unknown region '${r.region}' (see content/regions.yaml)`);
    rows.push({ channel: r.channel, externalId: r.external_id, displayName: r.display_name, topics: r.topics, region: r.region, consentedAt: r.consented_at });
  });
  return { rows, problems };
}

/** Pulls every follower page; returns the user ids. */
export async function fetchAllFollowers(client: Pick<ZaloClient, 'getFollowers'>, onPage?: (n: number, total: number) => void): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; ) {
    const page = await client.getFollowers(offset, 50);
    ids.push(...page.users.map((u) => u.user_id));
    offset += page.users.length;
    onPage?.(offset, page.total);
    if (page.users.length === 0 || offset >= page.total) break;
  }
  return ids;
}

/** Test hooks. */
export interface SubscribersCliDeps {
  db?: Db;
  config?: Config;
  zalo?: Pick<ZaloClient, 'getFollowers'>;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

/** Runs `loa subscribers …`; returns the exit code. */
export async function run(args: string[], deps: SubscribersCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => console.log(s));
  const err = deps.err ?? ((s: string) => console.error(s));
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help') {
    out(USAGE);
    return sub ? 0 : 2;
  }
  const config = deps.config ?? loadConfig();
  const db = deps.db ?? openDb(join(config.dataDir, 'loa.sqlite'));
  try {
    if (sub === 'import') {
      const file = rest[0];
      if (!file) {
        err(`subscribers: give the CSV file\n${USAGE}`);
        return 2;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        err(`subscribers: cannot read ${file}`);
        return 1;
      }
      const content = loadContent(config.contentDir);
      const { rows, problems } = readSubscriberCsv(text, {
        topics: new Set(content.topics.map((t) => t.slug)),
        regions: new Set(flattenRegions(content.regions).keys()),
      });
      if (problems.length) {
        err(`subscribers: ${file}: nothing imported; fix these and run again:\n${problems.map((p) => `  ${p}`).join('\n')}`);
        return 1;
      }
      const res = importSubscribers(db, rows);
      recordAudit(db, { actor: 'cli', action: 'subscribers.import', details: { file, rows: rows.length, ...res } });
      out(`Đã nhập ${res.imported} người đăng ký${res.keptOptedOut ? `; ${res.keptOptedOut} người đã huỷ đăng ký sau đó nên được giữ nguyên` : ''}.`);
      return 0;
    }
    if (sub === 'sync-zalo') {
      let client = deps.zalo;
      if (!client) {
        const cfg = config.zalo;
        if (!cfg) {
          err('subscribers: Zalo is not configured; set ZALO_APP_ID, ZALO_APP_SECRET and ZALO_OA_SECRET_KEY');
          return 78;
        }
        const http = { apiBase: cfg.apiBase, oauthBase: cfg.oauthBase, appId: cfg.appId, appSecret: cfg.appSecret };
        const tokens = createZaloTokenStore({ db, appId: cfg.appId, oauth: createZaloOAuth(http), seed: { accessToken: cfg.accessToken, refreshToken: cfg.refreshToken } });
        client = createZaloClient({ ...http, tokens });
      }
      const ids = await fetchAllFollowers(client, (n, total) => {
        if (process.stderr.isTTY) process.stderr.write(`\r${n}/${total}`);
      });
      const n = recordZaloFollowers(db, ids);
      recordAudit(db, { actor: 'cli', action: 'subscribers.sync_zalo', details: { followers: ids.length } });
      out(`Đã đồng bộ ${n} người theo dõi Zalo OA.`);
      return 0;
    }
    err(`subscribers: unknown action '${sub}'\n${USAGE}`);
    return 2;
  } finally {
    if (!deps.db) db.close();
  }
}
