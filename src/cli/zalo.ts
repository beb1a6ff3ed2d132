/**
 * `loa zalo`: connect the office's Official Account and check on its tokens.
 *
 *   loa zalo connect [--redirect-uri URL] [--code REDIRECTED_URL]
 *   loa zalo status
 *
 * `connect` prints the OA permission URL (PKCE + state). An OA admin opens it and agrees; Zalo
 * redirects to the callback URL. If Loa is running at that URL, its callback route stores the
 * tokens and this command notices; otherwise paste the redirected URL (or run again with
 * `--code`). See docs/zalo.md.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig, type Config, type ZaloConfig } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import { getZaloTokens, zaloTokenLog } from '../db/zalo.js';
import { createZaloClient, createZaloOAuth, type ZaloOaInfo } from '../channels/zalo/client.js';
import { createZaloTokenStore, type ZaloTokenStore } from '../channels/zalo/token-store.js';
import { CONNECT_STATE_TTL_MS, ZALO_CALLBACK_PATH, finishZaloConnect, parseConnectInput, startZaloConnect } from '../channels/zalo/oauth.js';
import { ZALO_WEBHOOK_PATH } from '../channels/zalo/webhook.js';
import { formatVietnamTime } from '../time/vietnam.js';

export const USAGE = `cách dùng:
  loa zalo connect [--redirect-uri URL] [--code ĐỊA_CHỈ_CHUYỂN_TỚI]   cấp quyền cho Loa dùng OA (in ra đường dẫn cấp quyền)
  loa zalo status                                                     xem tình trạng cặp mã truy cập (token) đã lưu`;

/** Input/output of the command, replaceable in tests. */
export interface ZaloCliIo {
  config: Config;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Lines the admin types (the redirected URL). */
  lines?: AsyncIterable<string>;
  /** How often to look for a connection finished by the server's callback route. */
  pollMs?: number;
  /** How long to wait for it once nothing can be pasted (default: the link's 30 minutes). */
  waitMs?: number;
}

export async function run(args: string[]): Promise<number> {
  const config = loadConfig();
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    return await runZalo(args, { config, out: (s) => console.log(s), err: (s) => console.error(s), lines: rl });
  } finally {
    rl.close();
  }
}

function requireZalo(config: Config, io: ZaloCliIo): ZaloConfig | null {
  if (config.zalo) return config.zalo;
  io.err('Zalo: chưa cấu hình. Hãy đặt ZALO_APP_ID, ZALO_APP_SECRET và ZALO_OA_SECRET_KEY (xem docs/zalo.md).');
  return null;
}

/** Runs `loa zalo <sub>` with the given io; returns the exit code. */
export async function runZalo(args: string[], io: ZaloCliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'connect') return connect(rest, io);
  if (sub === 'status') return status(io);
  io.err(USAGE);
  return 2;
}

async function connect(args: string[], io: ZaloCliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { 'redirect-uri': { type: 'string' }, code: { type: 'string' } } });
  const cfg = requireZalo(io.config, io);
  if (!cfg) return 78;
  const db = openDb(join(io.config.dataDir, 'loa.sqlite'));
  try {
    const oauth = createZaloOAuth({ apiBase: cfg.apiBase, oauthBase: cfg.oauthBase, appId: cfg.appId, appSecret: cfg.appSecret });
    const tokens = createZaloTokenStore({ db, appId: cfg.appId, oauth });
    const deps = { db, oauth, tokens };

    if (values.code) {
      const input = parseConnectInput(values.code);
      if (!input?.state) {
        io.err('Zalo: --code cần cả địa chỉ Zalo chuyển tới (có chứa state), ví dụ --code "https://…/zalo/oauth/callback?code=…&state=…"');
        return 2;
      }
      await finishZaloConnect(deps, input.code, input.state);
      return await connected(db, cfg, io, tokens, input.oaId);
    }

    const redirectUri = values['redirect-uri'] ?? (io.config.http.publicUrl ? `${io.config.http.publicUrl.replace(/\/+$/, '')}${ZALO_CALLBACK_PATH}` : undefined);
    if (!redirectUri) {
      io.err(`Zalo: chưa có địa chỉ nhận kết quả (callback). Hãy đặt LOA_PUBLIC_URL (địa chỉ là LOA_PUBLIC_URL${ZALO_CALLBACK_PATH}) hoặc dùng --redirect-uri; địa chỉ này phải trùng với "Callback URL" trong phần cài đặt ứng dụng Zalo.`);
      return 2;
    }
    const before = getZaloTokens(db, cfg.appId)?.generation ?? 0;
    const beforeSource = getZaloTokens(db, cfg.appId)?.updatedAt;
    const { url, state } = startZaloConnect(deps, redirectUri);
    io.out('1. Mở đường dẫn này khi đang đăng nhập bằng tài khoản quản trị của Official Account, chọn OA rồi bấm "Đồng ý":');
    io.out('');
    io.out(`   ${url}`);
    io.out('');
    io.out(`2. Zalo sẽ mở ${redirectUri}?code=…&state=…`);
    io.out('   Nếu Loa đang chạy ở địa chỉ đó, lệnh này tự hoàn tất.');
    io.out('   Nếu không, hãy sao chép cả địa chỉ trên thanh địa chỉ của trình duyệt, dán vào đây rồi nhấn Enter:');

    // Whichever comes first: a pasted URL, or the running server's callback storing the pair.
    let timer: NodeJS.Timeout | undefined;
    const viaServer = new Promise<'server'>((resolve) => {
      timer = setInterval(() => {
        const row = getZaloTokens(db, cfg.appId);
        if (row && row.source === 'connect' && (row.generation !== before || row.updatedAt !== beforeSource)) {
          resolve('server');
        }
      }, io.pollMs ?? 1000);
      timer.unref();
    });
    // With nothing left to read (stdin closed: `docker compose exec -T`, a script, Ctrl-D), only
    // the server can finish: keep the process alive for it (the unref'd poll alone let Node end
    // at once with exit 13 and no word), until the link expires.
    let finished = false;
    const serverOnly = async (): Promise<'server'> => {
      if (finished) return 'server'; // the input closed because the command is over
      io.out('   (Không nhận được địa chỉ dán vào: đang chờ Loa đang chạy nhận kết quả cấp quyền…)');
      let expire: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        expire = setTimeout(
          () => reject(new Error('Zalo: chưa nhận được kết quả cấp quyền sau 30 phút (đường dẫn đã hết hạn). Hãy chạy lại `loa zalo connect` trong một cửa sổ dòng lệnh có thể dán địa chỉ, hoặc dùng --code "<địa chỉ Zalo chuyển tới>".')),
          io.waitMs ?? CONNECT_STATE_TTL_MS,
        );
      });
      try {
        return await Promise.race([viaServer, expired]);
      } finally {
        clearTimeout(expire);
      }
    };
    type Pasted = { code: string; state?: string; oaId?: string };
    const viaPaste = (async (): Promise<'eof' | Pasted> => {
      if (!io.lines) return 'eof';
      for await (const line of io.lines) {
        const input = parseConnectInput(line);
        if (input) return input;
        if (line.trim()) io.err('Zalo: đây không phải địa chỉ Zalo chuyển tới (không có code=…); hãy dán lại:');
      }
      return 'eof';
    })();
    const pasted: Promise<'server' | Pasted> = viaPaste.then(async (v) => (v === 'eof' ? await serverOnly() : v));
    const first = await Promise.race<'server' | Pasted>([viaServer, pasted]).finally(() => {
      finished = true;
      clearInterval(timer);
    });
    if (first === 'server') return await connected(db, cfg, io, tokens);
    await finishZaloConnect(deps, first.code, first.state ?? state);
    return await connected(db, cfg, io, tokens, first.oaId);
  } catch (err) {
    io.err((err as Error).message);
    return 1;
  } finally {
    db.close();
  }
}

/**
 * Says the connection is made, and which OA it is: the new token reads the OA's profile, so an
 * admin of several OAs sees at once if they chose the wrong one in Zalo's permission page (and
 * the OA id is known even when the server's callback, not a pasted address, finished it).
 */
async function connected(db: Db, cfg: ZaloConfig, io: ZaloCliIo, tokens: ZaloTokenStore, oaId?: string): Promise<number> {
  const row = getZaloTokens(db, cfg.appId);
  let oa: ZaloOaInfo | undefined;
  try {
    oa = await createZaloClient({ apiBase: cfg.apiBase, oauthBase: cfg.oauthBase, appId: cfg.appId, appSecret: cfg.appSecret, tokens }).getOa();
  } catch (err) {
    io.err(`Zalo: đã lưu cặp mã nhưng chưa đọc được thông tin OA bằng mã mới (${(err as Error).message}); chạy \`loa doctor\` để kiểm tra.`);
  }
  const id = oa?.oaId ?? oaId;
  io.out('');
  io.out(`Đã kết nối${oa?.name ? ` OA “${oa.name}”` : ''}${id ? ` (mã OA ${id})` : ''}. Mã truy cập còn hạn đến ${row?.accessExpiresAt ? formatVietnamTime(row.accessExpiresAt) : '(không rõ)'}; Loa tự gia hạn.`);
  if (id && cfg.oaId && cfg.oaId !== id)
    io.out(`Chú ý: ZALO_OA_ID=${cfg.oaId} nhưng OA vừa cấp quyền có mã ${id}. Nếu đã chọn nhầm OA trên trang cấp quyền của Zalo, hãy chạy lại \`loa zalo connect\` và chọn đúng OA; nếu ZALO_OA_ID ghi sai, sửa thành ${id}.`);
  else if (id && !cfg.oaId) io.out(`Mã OA là ${id}: hãy đặt ZALO_OA_ID=${id} để Loa nhận cả các webhook ký bằng mã OA.`);
  const base = io.config.http.publicUrl?.replace(/\/+$/, '');
  io.out(`Webhook URL khai báo trong ứng dụng Zalo: ${base ? `${base}${ZALO_WEBHOOK_PATH}` : `https://<tên miền của bạn>${ZALO_WEBHOOK_PATH}`}`);
  return 0;
}

function status(io: ZaloCliIo): number {
  const cfg = requireZalo(io.config, io);
  if (!cfg) return 78;
  const db = openDb(join(io.config.dataDir, 'loa.sqlite'));
  try {
    const row = getZaloTokens(db, cfg.appId);
    if (!row) {
      io.out(`Ứng dụng Zalo ${cfg.appId}: chưa kết nối. Hãy chạy \`loa zalo connect\`${cfg.refreshToken ? ' (hoặc khởi động Loa một lần: ZALO_REFRESH_TOKEN tạo cặp mã đầu tiên)' : ''}.`);
      return 1;
    }
    const now = Date.now();
    const left = row.accessExpiresAt ? Math.round((Date.parse(row.accessExpiresAt) - now) / 60_000) : null;
    const refused = row.lastError?.startsWith('refused') ?? false;
    // A refusal of the app's own secret or id (the refresh token is then unspent) is fixed in the
    // configuration; any other refusal only by a new authorisation.
    const credential = /error -14002\b/.test(row.lastError ?? '') ? 'ZALO_APP_SECRET' : /error -14001\b/.test(row.lastError ?? '') ? 'ZALO_APP_ID' : undefined;
    const fix = credential ? `${credential} sai: sửa theo developers.zalo.me rồi khởi động lại Loa (không cần \`loa zalo connect\`)` : 'hãy chạy `loa zalo connect`';
    io.out(`Ứng dụng Zalo ${cfg.appId}: ${refused ? `KHÔNG gia hạn được: Zalo đã từ chối (${fix})` : 'đã kết nối'} (cặp mã #${row.generation}, nguồn ${row.source}, cập nhật ${formatVietnamTime(row.updatedAt)})`);
    io.out(`  mã truy cập (access token): ${row.accessToken ? (left === null ? 'không rõ hạn (nạp từ cấu hình)' : left > 0 ? `còn hạn ${left} phút` : 'đã hết hạn; sẽ gia hạn ở lần gửi tới') : 'chưa có; sẽ lấy ở lần gửi tới'}`);
    io.out(`  mã gia hạn (refresh token): ${row.refreshExpiresAt ? `còn hạn đến ${formatVietnamTime(row.refreshExpiresAt)}` : 'không rõ hạn'} (mỗi lần gia hạn sẽ thay mã mới)`);
    if (row.lastRefreshAt) io.out(`  lần gia hạn gần nhất: ${formatVietnamTime(row.lastRefreshAt)}`);
    if (row.refreshingSince) io.out(`  lần gia hạn bắt đầu lúc ${formatVietnamTime(row.refreshingSince)} chưa xong (đang chạy, hoặc bị ngắt khi máy chủ dừng)`);
    if (row.lastError) io.out(`  lỗi gần nhất: ${row.lastError}${refused ? ` -> ${fix}` : ''}`);
    for (const e of zaloTokenLog(db, cfg.appId, 5)) io.out(`  ${e.createdAt}  ${e.event}${e.generation ? ` #${e.generation}` : ''}${e.detail ? `  ${e.detail}` : ''}`);
    return refused ? 1 : 0;
  } finally {
    db.close();
  }
}
