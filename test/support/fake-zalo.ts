/**
 * A fake Zalo: the OA Open API v3 and the OAuth v4 server on one loopback port, following the
 * wire formats of shared/PLATFORMS.md, so channel, campaign and e2e tests can run the real code
 * against it.
 *
 * What it plays:
 * - `access_token` header auth; tokens expire (`expireAccessTokens()` or by clock) -> -216;
 * - refresh tokens rotate and work once; a reused one gets -14020;
 * - the 7-day window from each user's last interaction -> -230; non-followers -213, banned -227;
 * - a per-minute rate limit -> -32; an optional night rule (22:00–06:00 ICT) -> -234;
 * - an optional quota of paid messages (over 48 h since the last interaction) -> -211;
 * - errors always with HTTP 200 and a negative `error`;
 * - button templates accepted or rejected (-201), as the v3 behaviour is disputed;
 * - `deliverWebhook(url, event)` signs deliveries like Zalo (with the app id or the OA id);
 * - every call is recorded in `calls`, every accepted message in `sent`.
 *
 * @example
 * const zalo = await startFakeZalo({ appId: '1234', appSecret: 's', oaSecretKey: 'k' });
 * const { accessToken, refreshToken } = zalo.issueTokens();
 * zalo.addUser({ id: '8713451786543210987', name: 'Lan' });
 * // ... ZALO_API_BASE=zalo.url, ZALO_OAUTH_BASE=zalo.url
 * await zalo.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** Options of {@link startFakeZalo}. */
export interface FakeZaloOptions {
  appId?: string;
  appSecret?: string;
  oaSecretKey?: string;
  oaId?: string;
  /** Clock (tests move it instead of sleeping). Default: real time. */
  now?: () => Date;
  /** Access token lifetime in seconds (Zalo: 90000 = 25 h). */
  accessTtlSeconds?: number;
  /** OA API calls allowed per rolling minute before -32. Default: unlimited. */
  rateLimitPerMinute?: number;
  /** Enforce the night rule (-234 between 22:00 and 06:00 Asia/Ho_Chi_Minh). Default false. */
  nightRule?: boolean;
  /** Reject messages carrying button templates with -201 (the disputed v3 behaviour). Default false. */
  rejectButtons?: boolean;
  /** Days of the interaction window (Zalo: 7). */
  windowDays?: number;
}

/** A Zalo user as the fake knows them. */
export interface FakeZaloUser {
  id: string;
  name: string;
  follower: boolean;
  /** -227 for every message. */
  banned: boolean;
  /** Last interaction; null means never (outside the window). */
  lastInteraction: Date | null;
}

/** One recorded HTTP call. */
export interface FakeZaloCall {
  method: string;
  /** Path without query. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** Parsed JSON body, or form fields for OAuth. */
  body: unknown;
  /** What the fake answered (always HTTP 200 unless `failHttp`). */
  answer: unknown;
}

/** A message the fake accepted. */
export interface FakeZaloSent {
  userId: string;
  message: {
    text?: string;
    attachment?: { type: string; payload: { template_type?: string; elements?: unknown[]; buttons?: { title: string; type: string; payload: unknown }[] } };
  };
  messageId: string;
  at: Date;
}

/** The running fake. */
export interface FakeZalo {
  /** Base URL for both ZALO_API_BASE and ZALO_OAUTH_BASE. */
  url: string;
  appId: string;
  appSecret: string;
  oaSecretKey: string;
  oaId: string;
  calls: FakeZaloCall[];
  sent: FakeZaloSent[];
  users: Map<string, FakeZaloUser>;
  /** Issues a fresh valid pair (as if an admin had just authorised the app). */
  issueTokens(): { accessToken: string; refreshToken: string };
  /** Every access token issued so far stops working (-216). */
  expireAccessTokens(): void;
  /** Makes a refresh token dead (as after 3 months or a revoked authorisation). */
  revokeRefreshToken(token: string): void;
  /** Refresh tokens spent so far, in order. */
  spentRefreshTokens: string[];
  /** Adds or updates a user; a new user follows and interacted now unless told otherwise. */
  addUser(user: Partial<FakeZaloUser> & { id: string }): FakeZaloUser;
  /** Records an interaction of the user now (or at `at`). */
  interact(userId: string, at?: Date): void;
  /** The next `count` calls to `path` (e.g. '/v3.0/oa/message/cs') answer `error` (HTTP 200). */
  failNext(path: string, error: number, count?: number): void;
  /** The next `count` calls to `path` answer this HTTP status with an HTML body. */
  failHttp(path: string, status: number, count?: number): void;
  /** Makes the whole server unreachable (connections dropped without an answer), or reachable again. */
  setDown(down: boolean): void;
  /**
   * The OA's message quota: how many more paid messages it may send (null: no limit, the
   * default). A message to someone whose last interaction is over 48 hours old is paid; within
   * 48 hours it is free (PLATFORMS.md). At 0, paid messages answer -211 until it is set again.
   */
  setQuota(left: number | null): void;
  /** Simulates the permission page: an admin opened `permissionUrl` and agreed; returns the code. */
  authorize(permissionUrl: string): { code: string; state: string; redirectUri: string };
  /**
   * POSTs a webhook event to `url`, signed like Zalo. User events (not delivery or seen receipts)
   * also count as interactions.
   * `signWith: 'oa_id'` uses the OA id as the first term (the disputed reading);
   * `signature` overrides the header entirely (use '' to omit it).
   */
  deliverWebhook(
    url: string,
    event: Record<string, unknown>,
    opts?: { signWith?: 'app_id' | 'oa_id'; signature?: string },
  ): Promise<{ status: number; body: string }>;
  /** Builds a `user_send_text` event. */
  textEvent(userId: string, text: string, opts?: { msgId?: string; timestamp?: string }): Record<string, unknown>;
  /**
   * Builds a `user_send_<kind>` event with one attachment shaped as integrators of the OA
   * webhook read it (`{type, payload:{url, thumbnail, name, size, …}}`), and `text` as the
   * words sent with it when given (a business card's text is the card's name).
   */
  attachmentEvent(userId: string, kind: ZaloAttachmentKind, opts?: { text?: string; msgId?: string; timestamp?: string; payload?: Record<string, unknown> }): Record<string, unknown>;
  close(): Promise<void>;
}

const MINUTE = 60_000;

/** The attachment events a Zalo user can send an OA. */
export type ZaloAttachmentKind = 'image' | 'gif' | 'video' | 'file' | 'audio' | 'sticker' | 'location' | 'business_card';

const ATTACHMENT_PAYLOADS: Record<ZaloAttachmentKind, { type: string; payload: Record<string, unknown> }> = {
  image: { type: 'image', payload: { url: 'https://photo-stal.zadn.vn/a.jpg', thumbnail: 'https://photo-stal.zadn.vn/t.jpg' } },
  gif: { type: 'gif', payload: { url: 'https://photo-stal.zadn.vn/a.gif', thumbnail: 'https://photo-stal.zadn.vn/t.gif' } },
  video: { type: 'video', payload: { url: 'https://video-stal.zadn.vn/a.mp4', thumbnail: 'https://photo-stal.zadn.vn/v.jpg', description: '' } },
  file: { type: 'file', payload: { url: 'https://f.zdn.vn/to-khai.pdf', name: 'to-khai.pdf', size: '48213', type: 'pdf', checksum: '9f2c' } },
  audio: { type: 'audio', payload: { url: 'https://voice-stal.zadn.vn/a.aac' } },
  sticker: { type: 'sticker', payload: { id: '21537', url: 'https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=21537&size=130' } },
  location: { type: 'location', payload: { coordinates: { latitude: '20.6464', longitude: '106.0511' } } },
  business_card: { type: 'link', payload: { url: 'https://zalo.me/g/abc', thumbnail: 'https://photo-stal.zadn.vn/c.jpg', description: '{"phone":"0912345678","qrCodeUrl":"https://qr.zalo.me/x"}' } },
};

/** Computes Zalo's webhook signature: `mac=` + hex sha256(firstTerm + rawBody + timestamp + oaSecretKey). */
export function signZaloWebhook(firstTerm: string, rawBody: string, timestamp: string, oaSecretKey: string): string {
  return `mac=${createHash('sha256').update(firstTerm + rawBody + timestamp + oaSecretKey).digest('hex')}`;
}

/** Starts the fake on 127.0.0.1 and an ephemeral port. */
export async function startFakeZalo(options: FakeZaloOptions = {}): Promise<FakeZalo> {
  const appId = options.appId ?? '1234567890123456789';
  const appSecret = options.appSecret ?? 'fake-app-secret-XYZ';
  const oaSecretKey = options.oaSecretKey ?? 'fake-oa-secret-key-ABC';
  const oaId = options.oaId ?? '579745863508352884';
  const now = options.now ?? (() => new Date());
  const accessTtl = options.accessTtlSeconds ?? 90_000;
  const windowMs = (options.windowDays ?? 7) * 24 * 3600_000;

  const access = new Map<string, { expiresAt: number }>();
  const refresh = new Map<string, { status: 'live' | 'spent' | 'revoked' }>();
  const codes = new Map<string, { challenge: string; redirectUri: string; used: boolean }>();
  const calls: FakeZaloCall[] = [];
  const sent: FakeZaloSent[] = [];
  const users = new Map<string, FakeZaloUser>();
  const spentRefreshTokens: string[] = [];
  const failures = new Map<string, { error?: number; status?: number; count: number }>();
  let quota: number | null = null;
  const apiHits: number[] = [];
  let seq = 0;
  let down = false;

  const token = (prefix: string): string => `${prefix}-${randomBytes(12).toString('base64url')}`;
  const issueTokens = (): { accessToken: string; refreshToken: string } => {
    const accessToken = token('AT');
    const refreshToken = token('RT');
    access.set(accessToken, { expiresAt: now().getTime() + accessTtl * 1000 });
    refresh.set(refreshToken, { status: 'live' });
    return { accessToken, refreshToken };
  };
  const pairAnswer = (): Record<string, unknown> => {
    const p = issueTokens();
    return { access_token: p.accessToken, refresh_token: p.refreshToken, expires_in: String(accessTtl), refresh_token_expires_in: '7776000' };
  };

  const addUser = (u: Partial<FakeZaloUser> & { id: string }): FakeZaloUser => {
    const prev = users.get(u.id);
    const user: FakeZaloUser = {
      name: `Người dùng ${u.id.slice(-4)}`,
      follower: true,
      banned: false,
      lastInteraction: now(),
      ...prev,
      ...u,
    };
    users.set(u.id, user);
    return user;
  };

  const isNight = (d: Date): boolean => {
    const h = new Date(d.getTime() + 7 * 3600_000).getUTCHours();
    return h >= 22 || h < 6;
  };

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const apiError = (error: number, message: string): Record<string, unknown> => ({ error, message });

  /** The OA API: auth, rate limit, then the endpoint. */
  const handleApi = (call: FakeZaloCall): Record<string, unknown> => {
    const at = now();
    const tok = call.headers.access_token;
    const live = tok ? access.get(tok) : undefined;
    if (!tok || !live) return apiError(-216, 'Access token is invalid');
    if (live.expiresAt <= at.getTime()) return apiError(-216, 'Access token is invalid');
    if (options.rateLimitPerMinute !== undefined) {
      while (apiHits.length && apiHits[0]! <= at.getTime() - MINUTE) apiHits.shift();
      if (apiHits.length >= options.rateLimitPerMinute) return apiError(-32, 'Request rate limit exceeded');
      apiHits.push(at.getTime());
    }
    const data = (): Record<string, unknown> => {
      try {
        return JSON.parse(call.query.data ?? '{}') as Record<string, unknown>;
      } catch {
        return {};
      }
    };
    if (call.path === '/v3.0/oa/message/cs' && call.method === 'POST') {
      const body = call.body as { recipient?: { user_id?: unknown }; message?: FakeZaloSent['message'] } | null;
      const userId = body?.recipient?.user_id;
      if (typeof userId !== 'string') return apiError(-201, 'Parameter recipient.user_id is invalid');
      const msg = body?.message;
      if (!msg || (!msg.text && !msg.attachment)) return apiError(-201, 'Parameter message is invalid');
      if (msg.text !== undefined && (typeof msg.text !== 'string' || msg.text.length > 2000))
        return apiError(-201, 'Parameter text is invalid: at most 2000 characters');
      const buttons = msg.attachment?.payload?.buttons;
      if (buttons && (buttons.length > 5 || options.rejectButtons)) return apiError(-201, 'Parameter buttons is invalid');
      const user = users.get(userId);
      if (!user) return apiError(-213, 'User has not followed OA');
      if (user.banned) return apiError(-227, 'User is banned or inactive for more than 45 days');
      if (!user.follower) return apiError(-213, 'User has not followed OA');
      if (!user.lastInteraction || at.getTime() - user.lastInteraction.getTime() > windowMs)
        return apiError(-230, 'User has not interacted with the OA in the past 7 days');
      if (options.nightRule && isNight(at)) return apiError(-234, 'OA is not allowed to send messages at night');
      if (quota !== null && at.getTime() - user.lastInteraction.getTime() > 48 * 3600_000) {
        if (quota <= 0) return apiError(-211, 'Out of quota');
        quota--;
      }
      const messageId = `${Date.now().toString(16)}${(++seq).toString(16).padStart(8, '0')}`;
      sent.push({ userId, message: msg, messageId, at });
      return { error: 0, message: 'Success', data: { message_id: messageId, user_id: userId } };
    }
    if (call.path === '/v3.0/oa/user/detail' && call.method === 'GET') {
      const userId = data().user_id;
      const user = typeof userId === 'string' ? users.get(userId) : undefined;
      if (!user) return apiError(-201, 'user_id is invalid');
      return {
        error: 0,
        message: 'Success',
        data: {
          user_id: user.id,
          user_id_by_app: `app-${user.id}`,
          display_name: user.name,
          user_is_follower: user.follower,
          user_last_interaction_date: user.lastInteraction
            ? new Date(user.lastInteraction.getTime() + 7 * 3600_000).toISOString().slice(0, 10).split('-').reverse().join('/')
            : undefined,
        },
      };
    }
    if (call.path === '/v3.0/oa/user/getlist' && call.method === 'GET') {
      const q = data();
      const offset = Number(q.offset ?? 0);
      const count = Number(q.count ?? 50);
      if (!(count >= 1 && count <= 50)) return apiError(-201, 'count must be 1–50');
      const followers = [...users.values()].filter((u) => u.follower);
      const page = followers.slice(offset, offset + count);
      return { error: 0, message: 'Success', data: { total: followers.length, count: page.length, offset, users: page.map((u) => ({ user_id: u.id })) } };
    }
    if (call.path === '/v2.0/oa/getoa' && call.method === 'GET')
      return { error: 0, message: 'Success', data: { oa_id: oaId, name: 'OA thử nghiệm', description: '', is_verified: true, num_follower: users.size } };
    return apiError(-201, `Unknown endpoint ${call.path}`);
  };

  /** OAuth v4: `/v4/oa/access_token` (both grants). */
  const handleOAuth = (call: FakeZaloCall): Record<string, unknown> => {
    const form = call.body as Record<string, string>;
    const oauthError = (error: number, description: string): Record<string, unknown> => ({
      error,
      error_name: 'Invalid parameter',
      error_reason: description,
      error_description: description,
    });
    if (call.headers.secret_key !== appSecret) return oauthError(-14002, 'Invalid secret key');
    if (form.app_id !== appId) return oauthError(-14001, 'Invalid app id');
    if (form.grant_type === 'refresh_token') {
      const rt = form.refresh_token ?? '';
      const state = refresh.get(rt);
      if (!state || state.status !== 'live') return oauthError(-14020, 'Invalid refresh token');
      state.status = 'spent';
      spentRefreshTokens.push(rt);
      return pairAnswer();
    }
    if (form.grant_type === 'authorization_code') {
      const c = codes.get(form.code ?? '');
      if (!c || c.used) return oauthError(-14019, 'Invalid authorization code');
      c.used = true;
      const challenge = createHash('sha256').update(form.code_verifier ?? '').digest('base64url');
      if (challenge !== c.challenge) return oauthError(-14014, 'Invalid code verifier');
      return pairAnswer();
    }
    return oauthError(-14003, 'Invalid grant type');
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
    let body: unknown = null;
    if ((headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
    else if (raw)
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    const call: FakeZaloCall = { method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams), headers, body, answer: null };
    calls.push(call);
    const f = failures.get(u.pathname);
    if (f && f.count > 0) {
      f.count -= 1;
      if (f.status !== undefined) {
        call.answer = { status: f.status };
        res.writeHead(f.status, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
        return;
      }
      call.answer = { error: f.error, message: `Injected error ${f.error}` };
    } else if (u.pathname === '/v4/oa/access_token' && req.method === 'POST') call.answer = handleOAuth(call);
    else if (u.pathname.startsWith('/v3.0/oa/') || u.pathname === '/v2.0/oa/getoa') call.answer = handleApi(call);
    else {
      call.answer = { status: 404 };
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // Zalo answers errors with HTTP 200 too.
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(call.answer));
  };

  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: Error) => {
      res.writeHead(500).end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const interact = (userId: string, at: Date = now()): void => {
    const user = users.get(userId) ?? addUser({ id: userId });
    user.lastInteraction = at;
  };

  return {
    url,
    appId,
    appSecret,
    oaSecretKey,
    oaId,
    calls,
    sent,
    users,
    spentRefreshTokens,
    issueTokens,
    expireAccessTokens() {
      for (const v of access.values()) v.expiresAt = Math.min(v.expiresAt, now().getTime());
    },
    revokeRefreshToken(t) {
      const s = refresh.get(t);
      if (s) s.status = 'revoked';
    },
    addUser,
    interact,
    failNext(path, error, count = 1) {
      failures.set(path, { error, count });
    },
    failHttp(path, status, count = 1) {
      failures.set(path, { status, count });
    },
    setQuota(left) {
      quota = left;
    },
    setDown(d) {
      down = d;
      if (d) server.closeAllConnections();
    },
    authorize(permissionUrl) {
      const p = new URL(permissionUrl);
      if (p.pathname !== '/v4/oa/permission') throw new Error(`fake-zalo: not a permission URL: ${permissionUrl}`);
      if (p.searchParams.get('app_id') !== appId) throw new Error('fake-zalo: the permission URL names another app_id');
      const challenge = p.searchParams.get('code_challenge');
      const state = p.searchParams.get('state') ?? '';
      const redirectUri = p.searchParams.get('redirect_uri') ?? '';
      if (!challenge) throw new Error('fake-zalo: the permission URL has no code_challenge (PKCE)');
      const code = token('CODE');
      codes.set(code, { challenge, redirectUri, used: false });
      return { code, state, redirectUri };
    },
    async deliverWebhook(target, event, opts = {}) {
      const raw = JSON.stringify(event);
      const timestamp = String(event.timestamp ?? '');
      const first = opts.signWith === 'oa_id' ? oaId : appId;
      const signature = opts.signature ?? signZaloWebhook(first, raw, timestamp, oaSecretKey);
      const eventName = String(event.event_name ?? '');
      const sender = (event.sender as { id?: string } | undefined)?.id ?? (event.follower as { id?: string } | undefined)?.id;
      // Receipts are not interactions for Zalo's 7-day window (docs/zalo.md); messages and follows are.
      const receipt = eventName === 'user_received_message' || eventName === 'user_seen_message';
      if (sender && ((eventName.startsWith('user_') && !receipt) || eventName === 'follow')) interact(sender);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signature !== '') headers['x-zevent-signature'] = signature;
      const res = await fetch(target, { method: 'POST', headers, body: raw });
      return { status: res.status, body: await res.text() };
    },
    textEvent(userId, text, opts = {}) {
      const timestamp = opts.timestamp ?? String(now().getTime());
      return {
        app_id: appId,
        user_id_by_app: `app-${userId}`,
        event_name: 'user_send_text',
        timestamp,
        sender: { id: userId },
        recipient: { id: oaId },
        message: { text, msg_id: opts.msgId ?? `msg${randomBytes(8).toString('hex')}` },
      };
    },
    attachmentEvent(userId, kind, opts = {}) {
      const attachment = ATTACHMENT_PAYLOADS[kind];
      return {
        app_id: appId,
        user_id_by_app: `app-${userId}`,
        event_name: `user_send_${kind}`,
        timestamp: opts.timestamp ?? String(now().getTime()),
        sender: { id: userId },
        recipient: { id: oaId },
        message: {
          msg_id: opts.msgId ?? `msg${randomBytes(8).toString('hex')}`,
          ...(opts.text !== undefined ? { text: opts.text } : {}),
          attachments: [{ type: attachment.type, payload: { ...attachment.payload, ...opts.payload } }],
        },
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The ZALO_* environment that points Loa at a fake: credentials, a freshly issued token pair
 * and the API and OAuth base URLs. One place, so every e2e test and benchmark configures alike.
 */
export function zaloEnv(fake: FakeZalo): Record<string, string> {
  const pair = fake.issueTokens();
  return {
    ZALO_APP_ID: fake.appId,
    ZALO_APP_SECRET: fake.appSecret,
    ZALO_OA_SECRET_KEY: fake.oaSecretKey,
    ZALO_ACCESS_TOKEN: pair.accessToken,
    ZALO_REFRESH_TOKEN: pair.refreshToken,
    ZALO_API_BASE: fake.url,
    ZALO_OAUTH_BASE: fake.url,
  };
}
