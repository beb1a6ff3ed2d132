/**
 * What every admin route module receives: the app, the session API, the clock and the page
 * renderer. Route modules are `registerXRoutes(server, ctx)` functions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Config } from '../config.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { ChannelName } from '../messages.js';
import type { Channel } from '../channels/channel.js';
import type { ChannelHealth } from '../channels/connection.js';
import type { Sender } from '../sender/sender.js';
import type { CampaignsRuntime } from '../campaigns/install.js';
import type { Conversation } from '../conversation/conversation.js';
import type { Auth, AdminIdentity } from './auth.js';
import type { Permission } from './roles.js';
import { can } from './roles.js';
import { recordAudit, type AuditInput } from '../db/audit.js';
import { regionAllowed, type User } from '../db/users.js';
import { createContentView, type ContentView } from './content-view.js';
import { createContestRegistry, type ContestRegistry } from '../quiz/definition.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in staff member and session (set by the admin preHandler). */
    admin?: AdminIdentity;
  }
  interface FastifyContextConfig {
    /** The permission an admin route requires; routes without one are refused unless public. */
    permission?: Permission;
    /** Reachable without a session (login page, assets). */
    public?: boolean;
  }
}

/**
 * What the admin pages use of the running service, given explicitly by `app.ts` (the admin
 * does not know the app).
 */
export interface AdminDeps {
  db: Db;
  config: Config;
  knowledge: Knowledge;
  channels: Map<ChannelName, Channel>;
  sender: Sender;
  health: ChannelHealth;
  campaigns: CampaignsRuntime;
  conversation: Conversation;
  logger: Logger;
}

/** Shared dependencies of the admin routes: the service's parts, the session API, the clock, the renderer. */
export interface AdminContext extends AdminDeps {
  auth: Auth;
  now: () => Date;
  /** The contest files (quiz/definition.ts), read as they change. */
  contests: ContestRegistry;
  /** The content files as staff see them (drafts and invalid files included). */
  content: ContentView;
  /** Renders a page with the layout, the user, the CSRF token and helpers. */
  render(req: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>): Promise<FastifyReply>;
  /** Records an audit entry for the request's user (with the IP). */
  audit(req: FastifyRequest, entry: Omit<AuditInput, 'actor' | 'ip'>): void;
  /** The request's user; throws if the route was reached without a session (a bug). */
  me(req: FastifyRequest): User;
  /** True when the request's user may see/target the region (null = every region). */
  inScope(req: FastifyRequest, region: string | null): boolean;
  /** Region slugs the user may see (null = all). */
  scopeRegions(req: FastifyRequest): string[] | null;
}

/** A 403 refusal with a message staff can act on. */
export class Forbidden extends Error {
  statusCode = 403;
}

/** Builds the context (the renderer is injected by `index.ts`). */
export function createContext(
  deps: AdminDeps,
  auth: Auth,
  now: () => Date,
  render: AdminContext['render'],
): AdminContext {
  const pathOf = (slug: string): string[] | undefined => deps.knowledge.regionInfo(slug)?.path;
  const me = (req: FastifyRequest): User => {
    if (!req.admin) throw new Error('admin: route reached without a session');
    return req.admin.user;
  };
  return {
    db: deps.db,
    config: deps.config,
    knowledge: deps.knowledge,
    channels: deps.channels,
    sender: deps.sender,
    health: deps.health,
    campaigns: deps.campaigns,
    conversation: deps.conversation,
    logger: deps.logger,
    auth,
    now,
    contests: createContestRegistry(deps.config.contentDir),
    content: createContentView(deps.config.contentDir, deps.knowledge),
    render,
    me,
    audit(req, entry) {
      recordAudit(deps.db, { ...entry, actor: me(req).username, ip: req.ip }, now());
    },
    inScope(req, region) {
      return regionAllowed(me(req), region, pathOf);
    },
    scopeRegions(req) {
      const u = me(req);
      if (!u.region) return null;
      const out: string[] = [];
      for (const r of allRegionSlugs(deps.knowledge)) if (regionAllowed(u, r, pathOf)) out.push(r);
      return out;
    },
  };
}

function allRegionSlugs(knowledge: Knowledge): string[] {
  const out: string[] = [];
  const walk = (nodes: { slug: string; children?: unknown[] }[]): void => {
    for (const n of nodes) {
      out.push(n.slug);
      if (n.children) walk(n.children as { slug: string; children?: unknown[] }[]);
    }
  };
  walk(knowledge.state.regions);
  return out;
}

/** Helper for route modules: asserts a permission inside a handler (for per-action checks). */
export function assertCan(req: FastifyRequest, permission: Permission): void {
  if (!req.admin || !can(req.admin.user, permission)) throw new Forbidden('Bạn không có quyền thực hiện thao tác này.');
}

/** Route module signature. */
export type RegisterRoutes = (s: FastifyInstance, ctx: AdminContext) => void;
