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
import { createZaloOAuth } from '../channels/zalo/client.js';
import { createZaloTokenStore } from '../channels/zalo/token-store.js';
import { ZALO_CALLBACK_PATH, finishZaloConnect, parseConnectInput, startZaloConnect } from '../channels/zalo/oauth.js';
import { ZALO_WEBHOOK_PATH } from '../channels/zalo/webhook.js';

const USAGE = `usage:
  loa zalo connect [--redirect-uri URL] [--code REDIRECTED_URL]   authorise the OA (prints the permission URL)
  loa zalo status                                                 show the stored token pair's state`;

/** Input/output of the command, replaceable in tests. */
export interface ZaloCliIo {
  config: Config;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Lines the admin types (the redirected URL). */
  lines?: AsyncIterable<string>;
  /** How often to look for a connection finished by the server's callback route. */
  pollMs?: number;
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
  io.err('Zalo: not configured. Set ZALO_APP_ID, ZALO_APP_SECRET and ZALO_OA_SECRET_KEY (see docs/zalo.md).');
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
        io.err('Zalo: --code needs the whole redirected URL (it carries the state), e.g. --code "https://…/zalo/oauth/callback?code=…&state=…"');
        return 2;
      }
      await finishZaloConnect(deps, input.code, input.state);
      return connected(db, cfg, io, input.oaId);
    }

    const redirectUri = values['redirect-uri'] ?? (io.config.http.publicUrl ? `${io.config.http.publicUrl.replace(/\/+$/, '')}${ZALO_CALLBACK_PATH}` : undefined);
    if (!redirectUri) {
      io.err(`Zalo: no callback URL. Set LOA_PUBLIC_URL (the callback is LOA_PUBLIC_URL${ZALO_CALLBACK_PATH}) or pass --redirect-uri; it must equal the "Callback URL" in the Zalo app settings.`);
      return 2;
    }
    const before = getZaloTokens(db, cfg.appId)?.generation ?? 0;
    const beforeSource = getZaloTokens(db, cfg.appId)?.updatedAt;
    const { url, state } = startZaloConnect(deps, redirectUri);
    io.out('1. Open this link signed in as an admin of the Official Account, choose the OA and press "Đồng ý" (Agree):');
    io.out('');
    io.out(`   ${url}`);
    io.out('');
    io.out(`2. Zalo then opens ${redirectUri}?code=…&state=…`);
    io.out('   If Loa runs at that address, this command finishes by itself.');
    io.out('   Otherwise copy the whole address from the browser bar, paste it here and press Enter:');

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
    type Pasted = { code: string; state?: string; oaId?: string };
    const viaPaste = (async (): Promise<'eof' | Pasted> => {
      if (!io.lines) return 'eof';
      for await (const line of io.lines) {
        const input = parseConnectInput(line);
        if (input) return input;
        if (line.trim()) io.err('Zalo: that does not look like the redirected address (it has no code=…); paste it again:');
      }
      return 'eof';
    })();
    const pasted: Promise<'server' | Pasted> = viaPaste.then(async (v) => (v === 'eof' ? await viaServer : v));
    const first = await Promise.race<'server' | Pasted>([viaServer, pasted]).finally(() => clearInterval(timer));
    if (first === 'server') return connected(db, cfg, io);
    await finishZaloConnect(deps, first.code, first.state ?? state);
    return connected(db, cfg, io, first.oaId);
  } catch (err) {
    io.err((err as Error).message);
    return 1;
  } finally {
    db.close();
  }
}

function connected(db: Db, cfg: ZaloConfig, io: ZaloCliIo, oaId?: string): number {
  const row = getZaloTokens(db, cfg.appId);
  io.out('');
  io.out(`Connected. The access token is valid until ${row?.accessExpiresAt ?? 'unknown'}; Loa refreshes it by itself.`);
  if (oaId && cfg.oaId !== oaId) io.out(`The OA id is ${oaId}: set ZALO_OA_ID=${oaId} so webhooks signed with the OA id are accepted too.`);
  const base = io.config.http.publicUrl?.replace(/\/+$/, '');
  io.out(`Webhook URL for the Zalo app: ${base ? `${base}${ZALO_WEBHOOK_PATH}` : `https://<your domain>${ZALO_WEBHOOK_PATH}`}`);
  return 0;
}

function status(io: ZaloCliIo): number {
  const cfg = requireZalo(io.config, io);
  if (!cfg) return 78;
  const db = openDb(join(io.config.dataDir, 'loa.sqlite'));
  try {
    const row = getZaloTokens(db, cfg.appId);
    if (!row) {
      io.out(`Zalo app ${cfg.appId}: not connected. Run \`loa zalo connect\`${cfg.refreshToken ? ' (or start Loa once: ZALO_REFRESH_TOKEN seeds the pair)' : ''}.`);
      return 1;
    }
    const now = Date.now();
    const left = row.accessExpiresAt ? Math.round((Date.parse(row.accessExpiresAt) - now) / 60_000) : null;
    io.out(`Zalo app ${cfg.appId}: connected (pair #${row.generation}, from ${row.source}, updated ${row.updatedAt})`);
    io.out(`  access token: ${row.accessToken ? (left === null ? 'expiry unknown (seeded)' : left > 0 ? `valid for ${left} min more` : 'expired; refreshed at the next send') : 'none yet; refreshed at the next send'}`);
    io.out(`  refresh token: ${row.refreshExpiresAt ? `valid until ${row.refreshExpiresAt}` : 'expiry unknown'} (each refresh replaces it)`);
    if (row.lastRefreshAt) io.out(`  last refresh: ${row.lastRefreshAt}`);
    if (row.refreshingSince) io.out(`  a refresh started at ${row.refreshingSince} has not finished (in flight, or interrupted by a stop)`);
    if (row.lastError) io.out(`  last error: ${row.lastError}${row.lastError.startsWith('refused') ? ' -> run `loa zalo connect`' : ''}`);
    for (const e of zaloTokenLog(db, cfg.appId, 5)) io.out(`  ${e.createdAt}  ${e.event}${e.generation ? ` #${e.generation}` : ''}${e.detail ? `  ${e.detail}` : ''}`);
    return row.lastError?.startsWith('refused') ? 1 : 0;
  } finally {
    db.close();
  }
}
