/**
 * Backups and restores (src/db/backup.ts, `loa backup`, `loa restore`): a copy taken while the
 * database is written, a round trip, the refusals, the daily pruning, and a backup taken in the
 * middle of a campaign that is restored into a fresh data directory and resumes without
 * sending anyone the campaign twice.
 */
import { once } from 'node:events';
import { chownSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { createUser } from '../../src/db/users.js';
import { deliveryCounts, getCampaign } from '../../src/db/campaigns.js';
import { backupDatabase, checkLoaDatabase, defaultBackupPath, DB_FILE, pruneDailyBackups, SERVICE_MARKER } from '../../src/db/backup.js';
import { nextVietnamTime } from '../../src/time/vietnam.js';
import { backupErrorText, run as backupCli } from '../../src/cli/backup.js';
import { run as restoreCli } from '../../src/cli/restore.js';
import { createApp } from '../../src/app.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { startTestApp, tempDir, testConfig } from '../support/app.js';
import { rememberedCalibrate } from '../support/calibration-memo.js';
import { startFakeTelegram } from '../support/fake-telegram.js';
import { addSubscriber } from '../campaigns/helpers.js';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

function temp(): string {
  const t = tempDir('loa-backup-');
  cleanup.push(t.cleanup);
  return t.dir;
}

/** Captures a CLI's output lines. */
function io() {
  const lines: string[] = [];
  return { lines, out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
}

describe('backup and restore', () => {
  it('copies a database that is being written, including commits still in the WAL, and restores it', async () => {
    const dataDir = temp();
    const db = openDb(join(dataDir, DB_FILE));
    cleanup.push(() => {
      db.close();
    });
    db.pragma('wal_autocheckpoint = 0'); // the rows below stay in the WAL, as between checkpoints
    for (let i = 0; i < 200; i++) upsertPerson(db, 'telegram', String(1000 + i), `Người ${i}`);
    expect(existsSync(join(dataDir, `${DB_FILE}-wal`))).toBe(true);

    const file = join(temp(), 'copy.sqlite');
    // Writes go on while the copy is taken: the copy is one instant, whole.
    const writing = setInterval(() => upsertPerson(db, 'zalo', String(Math.random()).slice(2), 'x'), 1);
    const r = await backupDatabase(join(dataDir, DB_FILE), file);
    clearInterval(writing);
    expect(r.file).toBe(file);
    expect(existsSync(`${file}.partial`)).toBe(false);
    const check = checkLoaDatabase(file);
    expect(check).toMatchObject({ ok: true, problems: [] });
    expect(check.counts!.people).toBeGreaterThanOrEqual(200);
    // One self-contained file: no WAL is needed beside it.
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect((copy.prepare(`SELECT COUNT(*) AS n FROM people WHERE channel = 'telegram'`).get() as { n: number }).n).toBe(200);
    copy.close();

    // Into another data directory that has a database of its own.
    const target = temp();
    const other = openDb(join(target, DB_FILE));
    upsertPerson(other, 'telegram', 'only-in-the-old-one');
    other.close();
    writeFileSync(join(target, `${DB_FILE}-shm`), 'stale');
    const c = io();
    const config = testConfig({ LOA_DATA_DIR: target });
    cleanup.push(config.cleanup);
    expect(await restoreCli([file], { config, ...c, now: () => new Date('2026-11-25T01:00:00Z') })).toBe(0);
    expect(c.lines.join('\n')).toContain(`Đã khôi phục ${file}`);
    expect(c.lines.join('\n')).toContain('loa.sqlite.before-restore-2026-11-25-0800');
    expect(readdirSync(target).filter((f) => f.startsWith(DB_FILE)).sort()).toEqual([DB_FILE, `${DB_FILE}.before-restore-2026-11-25-0800`]);
    const restored = openDb(join(target, DB_FILE));
    expect((restored.prepare(`SELECT COUNT(*) AS n FROM people WHERE channel = 'telegram'`).get() as { n: number }).n).toBe(200);
    restored.close();
    const kept = new Database(join(target, `${DB_FILE}.before-restore-2026-11-25-0800`), { readonly: true });
    expect(kept.prepare(`SELECT external_id FROM people`).all()).toEqual([{ external_id: 'only-in-the-old-one' }]);
    kept.close();
  });

  it('`loa backup` writes backups/loa-<Vietnam time>.sqlite by default and never overwrites', async () => {
    const dataDir = temp();
    openDb(join(dataDir, DB_FILE)).close();
    const config = testConfig({ LOA_DATA_DIR: dataDir });
    cleanup.push(config.cleanup);
    const now = () => new Date('2026-11-24T19:30:00Z');
    const c = io();
    expect(await backupCli([], { config, ...c, now })).toBe(0);
    expect(await backupCli([], { config, ...c, now })).toBe(0);
    expect(readdirSync(join(dataDir, 'backups')).sort()).toEqual(['loa-2026-11-25-0230-2.sqlite', 'loa-2026-11-25-0230.sqlite']);
    expect(c.lines[0]).toMatch(/^Đã sao lưu cơ sở dữ liệu vào .*loa-2026-11-25-0230\.sqlite/);
    const out = join(dataDir, 'backups', 'loa-2026-11-25-0230.sqlite');
    expect(await backupCli(['--out', out], { config, ...c })).toBe(1);
    expect(c.lines.at(-1)).toContain('đã có: chọn tên khác cho --out');
    // A path through a file (ops trial: 'loa backup: EACCES: permission denied, mkdir …', Node's English).
    writeFileSync(join(dataDir, 'a-file'), 'x');
    expect(await backupCli(['--out', join(dataDir, 'a-file', 'x', 'b.sqlite')], { config, ...c })).toBe(1);
    expect(c.lines.at(-1)).toBe(`loa backup: không tạo được ${join(dataDir, 'a-file', 'x', 'b.sqlite')}: ${join(dataDir, 'a-file', 'x')} không phải là thư mục (ENOTDIR). Kiểm tra đường dẫn của --out`);
    const empty = testConfig({ LOA_DATA_DIR: temp() });
    cleanup.push(empty.cleanup);
    expect(await backupCli([], { config: empty, ...c })).toBe(1);
    expect(c.lines.at(-1)).toContain('Chưa có cơ sở dữ liệu');
  });

  it('a backup is not readable by every account on the machine, whatever the umask (ops trial: 0644 under sudo)', async () => {
    const dataDir = temp();
    openDb(join(dataDir, DB_FILE)).close();
    const previous = process.umask(0o022);
    try {
      const r = await backupDatabase(join(dataDir, DB_FILE), join(temp(), 'b.sqlite'));
      expect(statSync(r.file).mode & 0o777).toBe(0o640);
    } finally {
      process.umask(previous);
    }
  });

  it('a backup on a full disk says so in Vietnamese (ops trial, a 4 MB tmpfs: "database or disk is full")', () => {
    expect(backupErrorText(new Error('Không sao lưu được: database or disk is full'), '/srv/loa/data/backups/b.sqlite')).toBe(
      'ổ đĩa chứa /srv/loa/data/backups đã đầy, bản sao lưu chưa được ghi. Giải phóng chỗ (xoá các bản sao lưu cũ đã chép ra ngoài máy) hoặc ghi sang ổ khác: loa backup --out /đường/dẫn/khác/loa.sqlite',
    );
  });

  // Ops trial: 'sudo loa restore' (as root) left a root-owned loa.sqlite the service could not write.
  it.runIf(process.getuid?.() === 0)('a restore run as root gives the database to the owner of the data folder', async () => {
    const source = temp();
    openDb(join(source, DB_FILE)).close();
    const file = join(temp(), 'b.sqlite');
    await backupDatabase(join(source, DB_FILE), file);
    const dataDir = temp();
    chownSync(dataDir, 12345, 12346);
    const config = testConfig({ LOA_DATA_DIR: dataDir });
    cleanup.push(config.cleanup);
    expect(await restoreCli([file], { config, ...io() })).toBe(0);
    const st = statSync(join(dataDir, DB_FILE));
    expect([st.uid, st.gid]).toEqual([12345, 12346]);
  });

  it('refuses files that are not a sound Loa database, and leaves the current one alone', async () => {
    const dataDir = temp();
    const db = openDb(join(dataDir, DB_FILE));
    upsertPerson(db, 'telegram', 'keep-me');
    db.close();
    const config = testConfig({ LOA_DATA_DIR: dataDir });
    cleanup.push(config.cleanup);
    const dir = temp();
    const notSqlite = join(dir, 'notes.sqlite');
    writeFileSync(notSqlite, 'đây không phải cơ sở dữ liệu '.repeat(100));
    const otherApp = join(dir, 'other.sqlite');
    const o = new Database(otherApp);
    o.exec('CREATE TABLE things (id INTEGER)');
    o.close();
    const newer = join(dir, 'newer.sqlite');
    const n = openDb(newer);
    n.prepare(`INSERT INTO schema_migrations VALUES (999, '999_future.sql', '2030-01-01')`).run();
    n.close();

    // A backup still compressed for its trip off the machine (ops trial: the refusal named
    // data/loa.sqlite.restoring, the working copy, with SQLite's 'file is not a database').
    const gzipped = join(dir, 'loa-2026-11-25-0230.sqlite.gz');
    writeFileSync(gzipped, gzipSync(readFileSync(newer)));

    for (const [file, expected] of [
      [notSqlite, `${notSqlite} không phải là tệp cơ sở dữ liệu SQLite`],
      [gzipped, `Không khôi phục: ${gzipped} không phải là tệp cơ sở dữ liệu SQLite: có thể là tệp khác, hoặc bản sao lưu còn nén hay mã hoá`],
      [otherApp, 'không phải là cơ sở dữ liệu của Loa: thiếu bảng schema_migrations, people'],
      [newer, 'phiên bản Loa mới hơn'],
      [join(dir, 'missing.sqlite'), 'Không tìm thấy tệp'],
    ] as const) {
      const c = io();
      expect(await restoreCli([file], { config, ...c }), file).toBe(1);
      expect(c.lines.join('\n')).toContain(expected);
    }
    expect(readdirSync(dataDir).filter((f) => f.startsWith(DB_FILE + '.'))).toEqual([]);
    const still = openDb(join(dataDir, DB_FILE));
    expect(still.prepare('SELECT external_id FROM people').all()).toEqual([{ external_id: 'keep-me' }]);
    still.close();
  });

  it('refuses to restore while the service runs on the data directory, and allows it once stopped', async () => {
    const { app, url, config, close } = await startTestApp();
    let closed = false;
    cleanup.push(async () => {
      if (!closed) await close();
    });
    expect(existsSync(join(config.dataDir, SERVICE_MARKER))).toBe(true);
    const file = join(temp(), 'b.sqlite');
    const c = io();
    expect(await backupCli(['--out', file], { config, ...c })).toBe(0);
    expect(await restoreCli([file], { config, ...c })).toBe(1);
    expect(c.lines.at(-1)).toMatch(/Loa đang chạy trên thư mục dữ liệu .* Hãy dừng dịch vụ trước/);
    expect(existsSync(join(config.dataDir, `${DB_FILE}.restoring`))).toBe(false);
    expect(app.db.open).toBe(true);

    // Found by the HTTP port too, when the marker is gone (removed by hand, an older Loa).
    const port = Number(new URL(url).port);
    const { rmSync } = await import('node:fs');
    rmSync(join(config.dataDir, SERVICE_MARKER));
    const byPort = { ...config, http: { ...config.http, port } };
    expect(await restoreCli([file], { config: byPort, ...c })).toBe(1);
    expect(c.lines.at(-1)).toContain('/healthz đang trả lời');

    // A trial restore into a new folder beside the running service (docs/deploy.md), with the
    // service's port in the settings: no service uses a folder without a database (ops trial:
    // refused because the service's /healthz answered).
    const trial = temp();
    expect(await restoreCli([file], { config: { ...byPort, dataDir: trial }, ...c })).toBe(0);
    expect(existsSync(join(trial, DB_FILE))).toBe(true);

    // Stopped: the marker is removed and the restore goes ahead. A marker left by a crashed
    // process (a dead pid on this host) does not block it.
    await app.inbox.drain();
    await app.stop();
    closed = true;
    cleanup.push(() => rmSync(config.dataDir, { recursive: true, force: true }));
    writeFileSync(join(config.dataDir, SERVICE_MARKER), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), startedAt: '' }));
    expect(await restoreCli([file], { config, ...c })).toBe(0);
  });

  it('keeps the newest daily backups only, and schedules them at the Vietnam time of day', () => {
    const dir = temp();
    const names = ['loa-daily-2026-11-20-0230.sqlite', 'loa-daily-2026-11-21-0230.sqlite', 'loa-daily-2026-11-22-0230.sqlite', 'loa-daily-2026-11-23-0230.sqlite', 'loa-2026-11-01-0900.sqlite'];
    names.forEach((n, i) => {
      writeFileSync(join(dir, n), '');
      utimesSync(join(dir, n), 1_700_000_000 + i * 86_400, 1_700_000_000 + i * 86_400);
    });
    utimesSync(join(dir, names[4]!), 1, 1); // a manual backup, older than all: never pruned
    expect(pruneDailyBackups(dir, 2)).toEqual(['loa-daily-2026-11-20-0230.sqlite', 'loa-daily-2026-11-21-0230.sqlite']);
    expect(readdirSync(dir).sort()).toEqual(['loa-2026-11-01-0900.sqlite', 'loa-daily-2026-11-22-0230.sqlite', 'loa-daily-2026-11-23-0230.sqlite']);
    // 22:00 in Hà Nội on the 23rd: the next 02:30 is on the 24th; at 02:30 exactly, the day after.
    expect(nextVietnamTime(new Date('2026-11-23T15:00:00Z'), 2, 30).toISOString()).toBe('2026-11-23T19:30:00.000Z');
    expect(nextVietnamTime(new Date('2026-11-23T19:30:00Z'), 2, 30).toISOString()).toBe('2026-11-24T19:30:00.000Z');
    expect(defaultBackupPath('data', new Date('2026-11-23T19:30:00Z'), 'daily')).toBe(join('data', 'backups', 'loa-daily-2026-11-24-0230.sqlite'));
  });

  it('daily backups taken while the clock ran ahead (dated later than now) are pruned first, not kept as the newest', () => {
    // Three nights with the clock a year ahead (a wrong year at boot), then NTP set it right.
    // Ordered by their dates, they stayed the "newest" for a year: each pruning removed the real
    // newest backups instead, leaving keep - 3 of them.
    const dir = temp();
    const now = Date.parse('2026-12-08T00:00:00Z');
    const day = 86_400_000;
    const files: [string, number][] = [
      ['loa-daily-2027-12-01-0230.sqlite', now + 358 * day],
      ['loa-daily-2027-12-02-0230.sqlite', now + 359 * day],
      ['loa-daily-2027-12-03-0230.sqlite', now + 360 * day],
      ['loa-daily-2026-12-05-0230.sqlite', now - 3 * day],
      ['loa-daily-2026-12-06-0230.sqlite', now - 2 * day],
      ['loa-daily-2026-12-07-0230.sqlite', now - day],
    ];
    for (const [f, t] of files) {
      writeFileSync(join(dir, f), '');
      utimesSync(join(dir, f), t / 1000, t / 1000);
    }
    expect(pruneDailyBackups(dir, 3, now)).toEqual(['loa-daily-2027-12-01-0230.sqlite', 'loa-daily-2027-12-02-0230.sqlite', 'loa-daily-2027-12-03-0230.sqlite']);
    expect(readdirSync(dir).sort()).toEqual(['loa-daily-2026-12-05-0230.sqlite', 'loa-daily-2026-12-06-0230.sqlite', 'loa-daily-2026-12-07-0230.sqlite']);
  });

  it('a backup taken mid-campaign, restored into a fresh data dir, resumes the campaign without duplicates', async () => {
    // World A: the campaign is under way when the backup is taken.
    const tg1 = await startFakeTelegram();
    cleanup.push(() => tg1.close());
    const a = await startTestApp(
      // Slow enough that only one or two sends are in flight while the backup is taken.
      { TELEGRAM_BOT_TOKEN: tg1.token, TELEGRAM_API_ROOT: tg1.apiRoot, TELEGRAM_RATE_GLOBAL: '5' },
      { bot: { quiet_hours: { start: '00:00', end: '00:00' } } },
    );
    let aClosed = false;
    cleanup.push(async () => {
      if (!aClosed) await a.close();
    });
    const db = a.app.db;
    createUser(db, { username: 'lan', roles: ['broadcaster'] });
    createUser(db, { username: 'minh', roles: ['approver', 'broadcaster'] });
    const chats = Array.from({ length: 30 }, (_, i) => 9100 + i);
    for (const chat of chats) addSubscriber(db, { id: String(chat) });
    const s = createCampaignService({ db, regions: () => ({ regions: a.app.knowledge.state.regions, root: 'hung-yen' }), topics: () => a.app.knowledge.state.topics.map((t) => t.slug) });
    const c = s.create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['telegram'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    const isCampaign = (call: { method: string; params: Record<string, unknown> }) => call.method === 'sendMessage' && String(call.params.text).startsWith('Tuần lễ');
    s.schedule('minh', c.id);

    // Three delivered; then Telegram stops answering, so the next send is in flight.
    await tg1.waitForCall((call) => isCampaign(call) && call.status === 200, { count: 3 });
    const release = tg1.hold('sendMessage');
    cleanup.push(release);
    const before = tg1.calls.length;
    await tg1.waitForCall(isCampaign, { after: before, arrived: true });
    const file = join(temp(), 'mid-campaign.sqlite');
    const out = io();
    expect(await backupCli(['--out', file], { config: a.config, ...out })).toBe(0);

    // What the backup recorded: sent, and in flight.
    const b = new Database(file, { readonly: true });
    const rows = b.prepare(`SELECT p.external_id AS chat, d.status FROM deliveries d JOIN people p ON p.id = d.person_id WHERE d.campaign_id = ?`).all(c.id) as { chat: string; status: string }[];
    b.close();
    const sentBefore = new Set(rows.filter((r) => r.status === 'sent').map((r) => r.chat));
    const inFlight = new Set(rows.filter((r) => r.status === 'sending').map((r) => r.chat));
    expect(rows).toHaveLength(chats.length);
    expect(sentBefore.size).toBeGreaterThanOrEqual(3);
    expect(inFlight.size).toBeGreaterThanOrEqual(1);
    expect(sentBefore.size + inFlight.size).toBeLessThan(chats.length);

    // World A ends (its in-flight sends are answered: they did reach Telegram).
    release();
    await a.close();
    aClosed = true;

    // World B: the backup restored into a fresh data dir, the app started there.
    const tg2 = await startFakeTelegram({ token: tg1.token });
    cleanup.push(() => tg2.close());
    const config = testConfig({ TELEGRAM_BOT_TOKEN: tg2.token, TELEGRAM_API_ROOT: tg2.apiRoot, TELEGRAM_RATE_GLOBAL: '20' }, { quiet_hours: { start: '00:00', end: '00:00' } });
    cleanup.push(config.cleanup);
    const restoreOut = io();
    expect(await restoreCli([file], { config, ...restoreOut })).toBe(0);
    expect(restoreOut.lines.join('\n')).toContain('đang gửi dở lúc sao lưu sẽ được đánh dấu "không rõ"');
    // Started as startTestApp starts its apps (reloads on this thread, remembered fits).
    const appB = await createApp(config, { logger: pino({ level: 'silent' }), watchContent: false, buildThread: false, calibrate: rememberedCalibrate });
    const done = once(appB.campaigns.outbox.events, 'done');
    await appB.start();
    cleanup.push(async () => {
      await appB.inbox.drain();
      await appB.stop();
    });
    await done;

    // Every subscriber has exactly one message: world A's for those recorded sent or in
    // flight in the backup, world B's for the rest; none of the former is sent again.
    const perChat = new Map<string, number>();
    const count = (chat: string) => perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
    for (const call of tg1.calls.filter(isCampaign)) {
      const chat = String(call.params.chat_id);
      if (sentBefore.has(chat) || inFlight.has(chat)) count(chat);
    }
    const resent = tg2.calls.filter(isCampaign).map((call) => String(call.params.chat_id));
    for (const chat of resent) count(chat);
    expect(resent.filter((chat) => sentBefore.has(chat) || inFlight.has(chat))).toEqual([]);
    expect(Object.fromEntries(perChat)).toEqual(Object.fromEntries(chats.map((chat) => [String(chat), 1])));

    expect(getCampaign(appB.db, c.id)?.status).toBe('done');
    expect(deliveryCounts(appB.db, c.id)).toMatchObject({ targeted: chats.length, sent: chats.length - inFlight.size, unknown: inFlight.size, failed: 0 });
  });
});
