/**
 * Connecting an OA: the OAuth v4 authorisation-code flow with PKCE.
 *
 * `loa zalo connect` calls {@link startZaloConnect} to get the permission URL (with an S256
 * code challenge and a random state, both remembered in the database), an OA admin opens it
 * and agrees, and Zalo redirects to the callback URL with `code` and `state`. Either the
 * running server's callback route ({@link registerZaloOAuthCallback}) or the CLI (the admin
 * pastes the redirected URL) then calls {@link finishZaloConnect}, which checks the state,
 * exchanges the code with the verifier and stores the pair.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { saveZaloOAuthState, takeZaloOAuthState } from '../../db/zalo.js';
import type { ZaloOAuth } from './client.js';
import type { ZaloTokenStore } from './token-store.js';
import { escapeHtml } from '../../text/html.js';

/** The callback path to register as the app's callback URL ("Callback URL" in the Zalo app). */
export const ZALO_CALLBACK_PATH = '/zalo/oauth/callback';
/** How long a permission URL stays usable. */
export const CONNECT_STATE_TTL_MS = 30 * 60_000;

/** A fresh PKCE pair: a 43-character verifier and its S256 challenge. */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Starts a connection: stores the verifier under a new state and returns the permission URL. */
export function startZaloConnect(
  deps: { db: Db; oauth: Pick<ZaloOAuth, 'permissionUrl'>; now?: () => Date },
  redirectUri: string,
): { url: string; state: string } {
  const { verifier, challenge } = createPkce();
  const state = randomBytes(16).toString('hex');
  saveZaloOAuthState(deps.db, state, verifier, redirectUri, deps.now?.() ?? new Date());
  return { url: deps.oauth.permissionUrl(redirectUri, challenge, state), state };
}

/** What the admin pasted: the whole redirected URL, its query string, or just the code. */
export function parseConnectInput(input: string): { code: string; state?: string; oaId?: string } | null {
  const s = input.trim();
  if (!s) return null;
  if (s.includes('code=')) {
    const q = new URLSearchParams(s.includes('?') ? s.slice(s.indexOf('?') + 1) : s);
    const code = q.get('code');
    if (!code) return null;
    return { code, state: q.get('state') ?? undefined, oaId: q.get('oa_id') ?? undefined };
  }
  return /^\S+$/.test(s) ? { code: s } : null;
}

/** Dependencies of {@link finishZaloConnect}. */
export interface FinishConnectDeps {
  db: Db;
  oauth: Pick<ZaloOAuth, 'exchangeCode'>;
  tokens: Pick<ZaloTokenStore, 'saveConnected'>;
  now?: () => Date;
}

/**
 * Finishes a connection: takes the verifier for `state` (once), exchanges the code and stores
 * the pair. Throws a message for the admin when the state is unknown, used or stale.
 */
export async function finishZaloConnect(deps: FinishConnectDeps, code: string, state: string): Promise<void> {
  const pending = takeZaloOAuthState(deps.db, state, CONNECT_STATE_TTL_MS, deps.now?.() ?? new Date());
  if (!pending)
    throw new Error('Đường dẫn cấp quyền Zalo này không hợp lệ, đã được dùng hoặc đã quá 30 phút. Hãy chạy lại `loa zalo connect` và dùng đường dẫn mới.');
  const answer = await deps.oauth.exchangeCode(code, pending.codeVerifier);
  deps.tokens.saveConnected(answer);
}

const callbackQuery = z.object({
  code: z.string().min(1).optional(),
  state: z.string().min(1).optional(),
  oa_id: z.string().optional(),
  error: z.string().optional(),
});

const page = (title: string, text: string): string =>
  `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${title}</h1><p>${text}</p></body></html>`;

/**
 * Registers `GET /zalo/oauth/callback`, where Zalo redirects after the admin agrees.
 * `onConnected` runs once the new pair is stored (the channel clears a "failed" state at once).
 */
export function registerZaloOAuthCallback(server: FastifyInstance, deps: FinishConnectDeps & { logger?: Logger; onConnected?: () => void }): void {
  server.get(ZALO_CALLBACK_PATH, async (req, reply) => {
    const q = callbackQuery.safeParse(req.query);
    reply.type('text/html; charset=utf-8');
    if (!q.success || !q.data.code || !q.data.state)
      return reply.code(400).send(page('Chưa kết nối được', 'Đường dẫn thiếu mã xác thực (code) hoặc state. Hãy chạy lại lệnh <code>loa zalo connect</code>.'));
    try {
      await finishZaloConnect(deps, q.data.code, q.data.state);
    } catch (err) {
      deps.logger?.warn({ err: (err as Error).message }, 'zalo: OA connection failed');
      // Our own refusals are already Vietnamese; the platform's come with a sentence staff can act on.
      const msg = (err as Error).message;
      const text = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu.test(msg)
        ? escapeHtml(msg)
        : `Zalo không chấp nhận yêu cầu kết nối. Hãy chạy lại lệnh <code>loa zalo connect</code> và làm lại các bước; nếu vẫn lỗi, kiểm tra ZALO_APP_ID và ZALO_APP_SECRET.<br><small>Chi tiết kỹ thuật: ${escapeHtml(msg)}</small>`;
      return reply.code(400).send(page('Chưa kết nối được', text));
    }
    deps.logger?.info({ oaId: q.data.oa_id }, 'zalo: OA connected');
    deps.onConnected?.();
    return reply.send(
      page(
        'Đã kết nối Official Account',
        `Loa đã nhận quyền gửi tin cho OA${q.data.oa_id ? ` (oa_id ${escapeHtml(q.data.oa_id)})` : ''}. Bạn có thể đóng trang này.`,
      ),
    );
  });
}
