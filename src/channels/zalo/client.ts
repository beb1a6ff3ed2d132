/**
 * A small typed client over Zalo OA Open API v3 and its OAuth v4 server, using `fetch` and zod.
 *
 * Layers, as in grammY: {@link request} turns an endpoint and a payload into one HTTP call and
 * maps every failure into {@link ZaloHttpError} or {@link ZaloApiError} at exactly one point
 * (Zalo answers errors with HTTP 200, so the body's `error` decides, never the status alone).
 * {@link createZaloOAuth} (token refresh, code exchange) and {@link createZaloClient} (messages,
 * users) give typed methods on top.
 *
 * Secrets (access/refresh tokens, the app secret) go only into headers and form bodies; log
 * lines carry the endpoint, the code and the duration, nothing else.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { TOKEN_ERROR_CODES, ZaloApiError, ZaloHttpError } from './errors.js';

/** Options shared by the OA API and OAuth clients. */
export interface ZaloHttpOptions {
  /** `https://openapi.zalo.me` (ZALO_API_BASE), no trailing slash. */
  apiBase: string;
  /** `https://oauth.zaloapp.com` (ZALO_OAUTH_BASE), no trailing slash. */
  oauthBase: string;
  appId: string;
  appSecret: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: Logger;
}

type Complete = Required<Omit<ZaloHttpOptions, 'logger'>> & { logger?: Logger };

function complete(o: ZaloHttpOptions): Complete {
  for (const k of ['apiBase', 'oauthBase'] as const)
    if (o[k].endsWith('/')) throw new Error(`Zalo: remove the trailing '/' from the '${k}' option`);
  return { timeoutMs: 10_000, fetch: globalThis.fetch, ...o };
}

/** Any answer: `error` is absent (OAuth success) or a number, 0 meaning success. */
const envelope = z.looseObject({
  error: z.union([z.number(), z.string()]).optional(),
  message: z.string().optional(),
  error_name: z.string().optional(),
  error_description: z.string().optional(),
});

/**
 * One HTTP call. Returns the parsed body for a success, or throws the one matching error.
 * `endpoint` is the path only (what errors and logs show).
 */
async function request<S extends z.ZodType>(
  o: Complete,
  url: string,
  endpoint: string,
  init: RequestInit,
  schema: S,
): Promise<z.infer<S>> {
  const started = Date.now();
  let res: Response;
  try {
    res = await o.fetch(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs) });
  } catch (err) {
    const e = err as Error;
    o.logger?.warn({ endpoint, reason: e.name }, 'zalo: request failed');
    throw new ZaloHttpError(endpoint, undefined, e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : e.message);
  }
  const text = await res.text().catch(() => '');
  if (res.status !== 200) {
    o.logger?.warn({ endpoint, status: res.status }, 'zalo: HTTP error');
    throw new ZaloHttpError(endpoint, res.status, `HTTP ${res.status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ZaloHttpError(endpoint, res.status, 'the answer is not JSON');
  }
  const env = envelope.safeParse(body);
  if (!env.success) throw new ZaloHttpError(endpoint, res.status, 'the answer is not a JSON object');
  const code = env.data.error === undefined ? 0 : Number(env.data.error);
  if (code !== 0) {
    o.logger?.info({ endpoint, code, ms: Date.now() - started }, 'zalo: API error');
    throw new ZaloApiError(
      Number.isFinite(code) ? code : -1,
      env.data.message ?? env.data.error_description ?? env.data.error_name ?? 'no message',
      endpoint,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ZaloHttpError(endpoint, res.status, `unexpected answer: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  o.logger?.debug({ endpoint, ms: Date.now() - started }, 'zalo: ok');
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// OAuth v4

/** `expires_in` comes as a string of seconds ("90000"); accept a number too. */
const seconds = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);

/** The answer of `/v4/oa/access_token` (both grants). */
export const tokenAnswerSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: seconds,
  refresh_token_expires_in: seconds.optional(),
});

/** A token pair as Zalo issued it, with lifetimes in seconds. */
export type ZaloTokenAnswer = z.infer<typeof tokenAnswerSchema>;

/** The OAuth part: refresh and authorisation-code exchange. */
export interface ZaloOAuth {
  /** Spends `refreshToken` (it works once) for a new pair. */
  refresh(refreshToken: string): Promise<ZaloTokenAnswer>;
  /** Exchanges the code from the permission redirect, with the PKCE verifier. */
  exchangeCode(code: string, codeVerifier: string): Promise<ZaloTokenAnswer>;
  /**
   * The URL an OA admin opens to grant the app access. `codeChallenge` is the S256 PKCE
   * challenge; `state` comes back on the redirect.
   */
  permissionUrl(redirectUri: string, codeChallenge: string, state: string): string;
}

/** Creates the OAuth client. */
export function createZaloOAuth(options: ZaloHttpOptions): ZaloOAuth {
  const o = complete(options);
  const endpoint = '/v4/oa/access_token';
  const post = (form: Record<string, string>): Promise<ZaloTokenAnswer> =>
    request(
      o,
      `${o.oauthBase}${endpoint}`,
      endpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: o.appSecret },
        body: new URLSearchParams(form).toString(),
      },
      tokenAnswerSchema,
    );
  return {
    refresh: (refreshToken) => post({ refresh_token: refreshToken, app_id: o.appId, grant_type: 'refresh_token' }),
    exchangeCode: (code, codeVerifier) =>
      post({ code, app_id: o.appId, grant_type: 'authorization_code', code_verifier: codeVerifier }),
    permissionUrl(redirectUri, codeChallenge, state) {
      const q = new URLSearchParams({ app_id: o.appId, redirect_uri: redirectUri, code_challenge: codeChallenge, state });
      return `${o.oauthBase}/v4/oa/permission?${q.toString()}`;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// OA API v3

/** Where the client gets access tokens (the token store). */
export interface AccessTokenSource {
  /** A valid access token, refreshed ahead of expiry. */
  get(): Promise<string>;
  /**
   * Zalo refused `stale` (-216/-220): returns a new token. Refreshes at most once however
   * many callers report the same stale token.
   */
  renew(stale: string): Promise<string>;
}

/** A button of a message (at most 5). `payload` is a string for `oa.query.*`, `{url}` for links. */
export const zaloButtonSchema = z.discriminatedUnion('type', [
  z.object({ title: z.string().min(1).max(100), type: z.literal('oa.query.hide'), payload: z.string().min(1) }),
  z.object({ title: z.string().min(1).max(100), type: z.literal('oa.query.show'), payload: z.string().min(1) }),
  z.object({ title: z.string().min(1).max(100), type: z.literal('oa.open.url'), payload: z.object({ url: z.string().url() }) }),
  z.object({ title: z.string().min(1).max(100), type: z.literal('oa.open.phone'), payload: z.object({ phone_code: z.string() }) }),
]);

/** The `message` of a consultation (cs) message: text, an image, buttons. */
export const zaloMessageSchema = z.object({
  text: z.string().min(1).max(2000).optional(),
  attachment: z
    .object({
      type: z.literal('template'),
      payload: z.object({
        template_type: z.literal('media').optional(),
        elements: z.array(z.object({ media_type: z.literal('image'), url: z.string().url() })).max(1).optional(),
        buttons: z.array(zaloButtonSchema).max(5).optional(),
      }),
    })
    .optional(),
});

/** A message Loa sends. */
export type ZaloMessage = z.infer<typeof zaloMessageSchema>;
/** One button. */
export type ZaloButton = z.infer<typeof zaloButtonSchema>;

const sendAnswerSchema = z.looseObject({
  data: z.looseObject({ message_id: z.string().optional(), user_id: z.string().optional() }).optional(),
});

/** User detail (`/v3.0/oa/user/detail`). Ids stay strings: they exceed 2^53. */
export const userDetailSchema = z.looseObject({
  data: z.looseObject({
    user_id: z.string(),
    display_name: z.string().optional(),
    user_is_follower: z.boolean().optional(),
    user_last_interaction_date: z.string().optional(),
  }),
});
/** A user's detail. */
export type ZaloUserDetail = z.infer<typeof userDetailSchema>['data'];

/** A page of the follower list (`/v3.0/oa/user/getlist`). */
export const followerPageSchema = z.looseObject({
  data: z.looseObject({
    total: z.number().int().nonnegative(),
    count: z.number().int().nonnegative().optional(),
    offset: z.number().int().nonnegative().optional(),
    users: z.array(z.looseObject({ user_id: z.string() })),
  }),
});
/** A page of followers. */
export type ZaloFollowerPage = z.infer<typeof followerPageSchema>['data'];

/** The OA's own profile (`/v2.0/oa/getoa`): what a token check reads. Ids stay strings. */
export const oaInfoSchema = z.looseObject({
  data: z.looseObject({
    oa_id: z.union([z.string(), z.number()]).transform(String).optional(),
    oaid: z.union([z.string(), z.number()]).transform(String).optional(),
    name: z.string().optional(),
  }),
});
/** The OA's profile. */
export type ZaloOaInfo = { oaId?: string; name?: string };

/** The OA API client. */
export interface ZaloClient {
  /**
   * The OA's profile. The cheapest call that proves the access token works (the token check of
   * the channel's start and of `loa doctor`).
   */
  getOa(): Promise<ZaloOaInfo>;
  /** Sends a consultation message; returns Zalo's message id. */
  sendMessage(userId: string, message: ZaloMessage): Promise<{ messageId?: string }>;
  /** One user's profile, follower flag and last interaction. */
  getUser(userId: string): Promise<ZaloUserDetail>;
  /** One page of followers (`count` ≤ 50). */
  getFollowers(offset: number, count?: number): Promise<ZaloFollowerPage>;
}

/** Options of {@link createZaloClient}. */
export interface ZaloClientOptions extends ZaloHttpOptions {
  tokens: AccessTokenSource;
}

/**
 * Creates the OA API client. A -216/-220 answer renews the token once and retries once.
 *
 * @example
 * const client = createZaloClient({ apiBase, oauthBase, appId, appSecret, tokens: store });
 * await client.sendMessage('8713451786543210987', { text: 'Xin chào' });
 */
export function createZaloClient(options: ZaloClientOptions): ZaloClient {
  const o = complete(options);
  const { tokens } = options;

  const authed = async <S extends z.ZodType>(endpoint: string, init: RequestInit, schema: S, query?: unknown): Promise<z.infer<S>> => {
    const url = `${o.apiBase}${endpoint}${query === undefined ? '' : `?data=${encodeURIComponent(JSON.stringify(query))}`}`;
    const once = (token: string): Promise<z.infer<S>> =>
      request(o, url, endpoint, { ...init, headers: { ...(init.headers as Record<string, string>), access_token: token } }, schema);
    const token = await tokens.get();
    try {
      return await once(token);
    } catch (err) {
      if (!(err instanceof ZaloApiError) || !TOKEN_ERROR_CODES.has(err.code)) throw err;
      o.logger?.info({ endpoint, code: err.code }, 'zalo: access token refused; refreshing once');
      return once(await tokens.renew(token));
    }
  };

  return {
    async getOa() {
      const { data } = await authed('/v2.0/oa/getoa', { method: 'GET' }, oaInfoSchema);
      return { oaId: data.oa_id ?? data.oaid, name: data.name };
    },
    async sendMessage(userId, message) {
      const body = { recipient: { user_id: userId }, message: zaloMessageSchema.parse(message) };
      const res = await authed(
        '/v3.0/oa/message/cs',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        sendAnswerSchema,
      );
      return { messageId: res.data?.message_id };
    },
    async getUser(userId) {
      return (await authed('/v3.0/oa/user/detail', { method: 'GET' }, userDetailSchema, { user_id: userId })).data;
    },
    async getFollowers(offset, count = 50) {
      if (count < 1 || count > 50) throw new Error('Zalo: getFollowers count must be 1–50 (a Zalo limit)');
      return (await authed('/v3.0/oa/user/getlist', { method: 'GET' }, followerPageSchema, { offset, count, is_follower: true })).data;
    },
  };
}
