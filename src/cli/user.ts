/**
 * `loa user`: manage staff accounts from the command line.
 *
 *   loa user add <name> --role R[,R] [--region slug] [--password P] [--name "Tên hiển thị"]
 *   loa user passwd <name> [--password P]
 *   loa user role <name> --role R[,R] [--region slug | --no-region]
 *   loa user disable <name> | enable <name>
 *   loa user move-region <old> <new>     (communes merged: every account of the old slug)
 *   loa user list
 *
 * Without --password a random one is generated, printed once, and must be changed at the
 * first login. Every change is written to the audit log (actor `cli`, with the operating-system
 * user who ran it). A new password ends the account's sessions and forgets its failed logins, so
 * an admin locked out by the login's wait can sign in at once with it. Disabling the last enabled
 * admin, or taking its admin role, is refused: nobody could manage accounts from the pages.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import {
  ROLES,
  ROLE_LABELS,
  accountChangeText,
  createUser,
  generatePassword,
  getUserByName,
  lastAdminRefusal,
  listUsers,
  newAccountText,
  ONE_TIME_PASSWORD_DAYS,
  oneTimePasswordExpired,
  resetPassword,
  roleSchema,
  setDisabled,
  setRoles,
  setUserRegion,
  type Role,
} from '../db/users.js';
import { recordAudit } from '../db/audit.js';
import { flattenRegions, loadContent } from '../knowledge/content.js';
import { argsErrorText } from './args.js';
import { osUserName } from './operator.js';

export const USAGE = `cách dùng:
  loa user add <tên> --role R[,R] [--region mã-địa-bàn] [--password P] [--name "Tên hiển thị"]   tạo tài khoản
  loa user passwd <tên> [--password P]                                  đặt mật khẩu mới
  loa user role <tên> --role R[,R] [--region mã-địa-bàn | --no-region]  đổi vai trò, địa bàn
  loa user disable <tên> | loa user enable <tên>                        khoá / mở khoá
  loa user move-region <mã-cũ> <mã-mới>                                 chuyển mọi tài khoản của một địa bàn (xã, phường đã sáp nhập) sang địa bàn mới
  loa user list                                                         liệt kê tài khoản
vai trò: ${ROLES.map((r) => `${r} (${ROLE_LABELS[r]})`).join(', ')}
không có --password thì một mật khẩu dùng một lần được tạo và in ra một lần
quên mật khẩu (kể cả quản trị viên duy nhất): loa user passwd <tên> rồi đăng nhập ngay bằng mật khẩu in ra`;

function parseRoles(text: string): Role[] {
  const parsed = z.array(roleSchema).safeParse(text.split(',').map((s) => s.trim()).filter(Boolean));
  if (!parsed.success || parsed.data.length === 0)
    throw new UsageError(`user: --role là các vai trò cách nhau bằng dấu phẩy, trong số: ${ROLES.join(', ')}`);
  return parsed.data;
}

class UsageError extends Error {}

/** Checks a region slug against the content's regions.yaml, so a typo does not lock a user out. */
function checkRegion(contentDir: string, slug: string): void {
  const regions = flattenRegions(loadContent(contentDir).regions);
  if (!regions.has(slug))
    throw new UsageError(`user: không có địa bàn '${slug}'; dùng một mã trong content/regions.yaml (${[...regions.keys()].slice(0, 8).join(', ')}…)`);
}

/** A region's name from the content, its slug when the content does not name it. */
function regionNamer(contentDir: string): (slug: string) => string {
  let names: Map<string, { name: string }> | undefined;
  return (slug) => {
    try {
      names ??= flattenRegions(loadContent(contentDir).regions);
    } catch {
      names = new Map();
    }
    const n = names.get(slug)?.name;
    return n ? `${n} (${slug})` : slug;
  };
}

/** Runs `loa user …`; returns the exit code. */
export async function run(args: string[], deps: { db?: Db; contentDir?: string; out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => console.log(s));
  const errOut = deps.err ?? ((s: string) => console.error(s));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        region: { type: 'string' },
        'no-region': { type: 'boolean' },
        password: { type: 'string' },
        name: { type: 'string' },
      },
    });
  } catch (err) {
    errOut(`user: ${argsErrorText(err)}\n${USAGE}`);
    return 2;
  }
  const [sub, username] = parsed.positionals;
  const o = parsed.values;
  if (!sub || (sub !== 'list' && sub !== 'move-region' && !username)) {
    errOut(sub ? `user: hãy cho biết tên đăng nhập\n${USAGE}` : USAGE);
    return 2;
  }
  let contentDir = deps.contentDir;
  let db = deps.db;
  const ownDb = !db;
  if (!db || !contentDir) {
    const config = loadConfig();
    contentDir ??= config.contentDir;
    db ??= openDb(join(config.dataDir, 'loa.sqlite'));
  }
  const origin = { osUser: osUserName() };
  try {
    switch (sub) {
      case 'add': {
        if (!o.role) throw new UsageError('user: cần --role, ví dụ --role editor');
        const roles = parseRoles(o.role);
        if (o.region) checkRegion(contentDir, o.region);
        const generated = o.password ? undefined : generatePassword();
        const u = createUser(db, {
          username: username!,
          displayName: o.name,
          roles,
          region: o.region ?? null,
          password: o.password ?? generated,
          mustChangePassword: !!generated,
          setBy: 'cli',
        });
        recordAudit(db, { actor: 'cli', action: 'user.add', targetType: 'user', targetId: u.username, details: { text: newAccountText(u, regionNamer(contentDir)), roles, region: u.region, ...origin } });
        out(`Đã tạo tài khoản '${u.username}' (${roles.join(', ')}${u.region ? `, địa bàn ${u.region}` : ''}).`);
        if (generated) out(`Mật khẩu dùng một lần: ${generated}\n(dùng được trong ${ONE_TIME_PASSWORD_DAYS} ngày; đổi mật khẩu ngay ở lần đăng nhập đầu tiên; mật khẩu này không được hiển thị lại)`);
        return 0;
      }
      case 'passwd': {
        const u = getUserByName(db, username!);
        if (!u) throw new UsageError(`user: không có tài khoản '${username}'; xem danh sách bằng 'loa user list'`);
        const generated = o.password ? undefined : generatePassword();
        resetPassword(db, u.id, o.password ?? generated!, !!generated, 'cli');
        const how = generated ? 'mật khẩu dùng một lần' : 'mật khẩu do người chạy lệnh chọn';
        const text = `Đặt lại mật khẩu trên máy chủ (${how}); các phiên đăng nhập của tài khoản đã đóng.`;
        recordAudit(db, { actor: 'cli', action: 'user.passwd', targetType: 'user', targetId: u.username, details: { text, reset: true, ...origin } });
        out(`Đã đặt mật khẩu mới cho '${u.username}'; các phiên đăng nhập cũ của tài khoản này đã đóng.`);
        if (generated) out(`Mật khẩu dùng một lần: ${generated}\n(đăng nhập ngay được, dùng được trong ${ONE_TIME_PASSWORD_DAYS} ngày, rồi phải đổi mật khẩu; mật khẩu này không được hiển thị lại)`);
        if (u.disabledAt) out(`Lưu ý: '${u.username}' đang bị khoá; mở khoá bằng: loa user enable ${u.username}`);
        return 0;
      }
      case 'role': {
        const u = getUserByName(db, username!);
        if (!u) throw new UsageError(`user: không có tài khoản '${username}'; xem danh sách bằng 'loa user list'`);
        if (!o.role && !o.region && !o['no-region']) throw new UsageError('user: hãy cho --role, --region hoặc --no-region');
        const roles = o.role ? parseRoles(o.role) : u.roles;
        if (o.region) checkRegion(contentDir, o.region);
        const region = o.region ? o.region : o['no-region'] ? null : u.region;
        const refusal = lastAdminRefusal(db, u.id, { roles });
        if (refusal) throw new UsageError(refusal);
        db.transaction(() => {
          setRoles(db!, u.id, roles);
          setUserRegion(db!, u.id, region);
        })();
        const after = getUserByName(db, u.username)!;
        const details: Record<string, unknown> = {
          text: accountChangeText(u, after, regionNamer(contentDir)),
          roles: after.roles,
          region: after.region,
          ...origin,
        };
        recordAudit(db, { actor: 'cli', action: 'user.role', targetType: 'user', targetId: u.username, details });
        out(`'${after.username}': ${after.roles.join(', ')}${after.region ? `, địa bàn ${after.region}` : ', mọi địa bàn'}`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const u = getUserByName(db, username!);
        if (!u) throw new UsageError(`user: không có tài khoản '${username}'; xem danh sách bằng 'loa user list'`);
        if (sub === 'disable') {
          const refusal = lastAdminRefusal(db, u.id, { disabled: true });
          if (refusal) throw new UsageError(refusal);
        }
        setDisabled(db, u.id, sub === 'disable');
        recordAudit(db, { actor: 'cli', action: `user.${sub}`, targetType: 'user', targetId: u.username, details: { ...origin } });
        out(`'${u.username}': ${sub === 'disable' ? 'đã khoá, các phiên đăng nhập đã đóng' : 'đã mở khoá'}`);
        return 0;
      }
      case 'move-region': {
        // Communes merged (1/7/2025): the accounts of the old commune's slug, all at once, each
        // audited as a region change; the new slug must be in regions.yaml, the old need not be.
        const [, from, to] = parsed.positionals;
        if (!from || !to) throw new UsageError(`user: cần mã địa bàn cũ và mới, ví dụ: loa user move-region hien-nam pho-hien\n${USAGE}`);
        checkRegion(contentDir, to);
        const moving = listUsers(db).filter((u) => u.region === from);
        if (!moving.length) {
          out(`Không có tài khoản nào thuộc địa bàn '${from}'.`);
          return 0;
        }
        const name = regionNamer(contentDir);
        db.transaction(() => {
          for (const u of moving) {
            setUserRegion(db!, u.id, to);
            recordAudit(db!, {
              actor: 'cli',
              action: 'user.role',
              targetType: 'user',
              targetId: u.username,
              details: { text: `${accountChangeText(u, { ...u, region: to }, name)} (chuyển địa bàn sau sáp nhập)`, roles: u.roles, region: to, ...origin },
            });
          }
        })();
        out(`Đã chuyển ${moving.length} tài khoản từ '${from}' sang ${name(to)}: ${moving.map((u) => u.username).join(', ')}.`);
        return 0;
      }
      case 'list': {
        const users = listUsers(db);
        if (!users.length) {
          out('Chưa có tài khoản nào; tạo bằng: loa user add <tên> --role admin');
          return 0;
        }
        out(`${'Tài khoản'.padEnd(20)} ${'Vai trò'.padEnd(28)} ${'Địa bàn'.padEnd(16)} Trạng thái`);
        let known: Set<string> | undefined;
        try {
          known = new Set(flattenRegions(loadContent(contentDir).regions).keys());
        } catch {
          known = undefined;
        }
        for (const u of users) {
          const state = [
            u.disabledAt ? 'đã khoá' : 'đang dùng',
            u.mustChangePassword && !u.disabledAt ? (oneTimePasswordExpired(u, new Date()) ? `mật khẩu dùng một lần đã hết hạn (đặt lại: loa user passwd ${u.username})` : 'chưa đổi mật khẩu dùng một lần') : '',
            // Communes merged: the account sees no region's data until given a new one.
            u.region && known && !known.has(u.region) ? `địa bàn '${u.region}' không còn trong regions.yaml: loa user role ${u.username} --region <mã mới>` : '',
          ].filter(Boolean).join(', ');
          out(`${u.username.padEnd(20)} ${u.roles.join(',').padEnd(28)} ${(u.region ?? 'mọi địa bàn').padEnd(16)} ${state}`);
        }
        return 0;
      }
      default:
        errOut(`user: không có lệnh '${sub}'\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      errOut(err.message);
      return 2;
    }
    if (err instanceof z.ZodError) {
      errOut(err.issues.map((i) => i.message).join('\n'));
      return 2;
    }
    if (err instanceof Error && err.message.startsWith('user:')) {
      errOut(err.message);
      return 1;
    }
    throw err;
  } finally {
    if (ownDb) db.close();
  }
}
