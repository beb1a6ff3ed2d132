/**
 * `loa user`: manage staff accounts from the command line.
 *
 *   loa user add <name> --role R[,R] [--region slug] [--password P] [--name "Tên hiển thị"]
 *   loa user passwd <name> [--password P]
 *   loa user role <name> --role R[,R] [--region slug | --no-region]
 *   loa user disable <name> | enable <name>
 *   loa user list
 *
 * Without --password a random one is generated, printed once, and must be changed at the
 * first login. Every change is written to the audit log (actor `cli`).
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import {
  ROLES,
  createUser,
  generatePassword,
  getUserByName,
  listUsers,
  roleSchema,
  setDisabled,
  setPassword,
  setRoles,
  setUserRegion,
  type Role,
} from '../db/users.js';
import { recordAudit } from '../db/audit.js';
import { flattenRegions, loadContent } from '../knowledge/content.js';
import { argsErrorText } from './args.js';

export const USAGE = `cách dùng:
  loa user add <tên> --role R[,R] [--region mã-địa-bàn] [--password P] [--name "Tên hiển thị"]   tạo tài khoản
  loa user passwd <tên> [--password P]                                  đặt mật khẩu mới
  loa user role <tên> --role R[,R] [--region mã-địa-bàn | --no-region]  đổi vai trò, địa bàn
  loa user disable <tên> | loa user enable <tên>                        khoá / mở khoá
  loa user list                                                         liệt kê tài khoản
vai trò: ${ROLES.join(', ')}
không có --password thì một mật khẩu dùng một lần được tạo và in ra một lần`;

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
  if (!sub || (sub !== 'list' && !username)) {
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
        });
        recordAudit(db, { actor: 'cli', action: 'user.add', targetType: 'user', targetId: u.username, details: { roles, region: u.region } });
        out(`Đã tạo tài khoản '${u.username}' (${roles.join(', ')}${u.region ? `, địa bàn ${u.region}` : ''}).`);
        if (generated) out(`Mật khẩu dùng một lần: ${generated}\n(đổi mật khẩu ngay ở lần đăng nhập đầu tiên; mật khẩu này không được hiển thị lại)`);
        return 0;
      }
      case 'passwd': {
        const u = getUserByName(db, username!);
        if (!u) throw new UsageError(`user: không có tài khoản '${username}'; xem danh sách bằng 'loa user list'`);
        const generated = o.password ? undefined : generatePassword();
        setPassword(db, u.id, o.password ?? generated!, !!generated);
        recordAudit(db, { actor: 'cli', action: 'user.passwd', targetType: 'user', targetId: u.username });
        out(`Đã đặt mật khẩu mới cho '${u.username}'.`);
        if (generated) out(`Mật khẩu dùng một lần: ${generated}`);
        return 0;
      }
      case 'role': {
        const u = getUserByName(db, username!);
        if (!u) throw new UsageError(`user: không có tài khoản '${username}'; xem danh sách bằng 'loa user list'`);
        if (!o.role && !o.region && !o['no-region']) throw new UsageError('user: hãy cho --role, --region hoặc --no-region');
        const details: Record<string, unknown> = {};
        if (o.role) {
          const roles = parseRoles(o.role);
          setRoles(db, u.id, roles);
          details.roles = roles;
        }
        if (o.region) {
          checkRegion(contentDir, o.region);
          setUserRegion(db, u.id, o.region);
          details.region = o.region;
        } else if (o['no-region']) {
          setUserRegion(db, u.id, null);
          details.region = null;
        }
        recordAudit(db, { actor: 'cli', action: 'user.role', targetType: 'user', targetId: u.username, details });
        const after = getUserByName(db, u.username)!;
        out(`'${after.username}': ${after.roles.join(', ')}${after.region ? `, địa bàn ${after.region}` : ', mọi địa bàn'}`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const u = getUserByName(db, username!);
        if (!u) throw new UsageError(`user: không có tài khoản '${username}'; xem danh sách bằng 'loa user list'`);
        setDisabled(db, u.id, sub === 'disable');
        recordAudit(db, { actor: 'cli', action: `user.${sub}`, targetType: 'user', targetId: u.username });
        out(`'${u.username}': ${sub === 'disable' ? 'đã khoá' : 'đã mở khoá'}`);
        return 0;
      }
      case 'list': {
        for (const u of listUsers(db))
          out(
            `${u.username.padEnd(20)} ${u.roles.join(',').padEnd(28)} ${(u.region ?? '*').padEnd(16)} ${u.disabledAt ? 'khoá' : ''}`,
          );
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
