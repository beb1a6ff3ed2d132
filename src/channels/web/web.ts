/**
 * The web chat channel: a JSON API the embeddable widget talks to. Replies are returned in the
 * HTTP response (the web cannot be pushed to), so `send()` reports failure for campaigns.
 */
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Capabilities, Channel, Reply } from '../channel.js';
import type { Conversation } from '../../conversation/conversation.js';
import type { Db } from '../../db/index.js';
import { markProcessed, recordInbound, recordOutbound } from '../../db/messages.js';
import { escapeHtml } from '../../text/html.js';

/** What the web widget can render. */
export const webCapabilities: Capabilities = {
  buttons: true,
  maxButtons: 10,
  nativeQuizPoll: false,
  maxTextLength: 8000,
  numberedReplies: true,
};

/** The web channel (no push). */
export function createWebChannel(): Channel {
  return {
    name: 'web',
    capabilities: webCapabilities,
    async send() {
      return { kind: 'failed', reason: 'web chat has no push: the visitor sees replies only when they write' };
    },
  };
}

/** Body of POST /api/chat. */
export const chatRequestSchema = z
  .object({
    session: z.string().min(8, 'session: at least 8 characters').max(100).regex(/^[A-Za-z0-9_-]+$/, 'session: use A-Z a-z 0-9 _ -'),
    text: z.string().max(20_000).optional(),
    action: z.string().min(1).max(64).optional(),
    /** Optional client message id: a retried POST with the same id is answered once. */
    id: z.string().max(100).optional(),
  })
  .refine((v) => v.text !== undefined || v.action !== undefined, 'give text or action');

/** A reply as the web API returns it. */
export interface WebReply {
  title?: string;
  text: string;
  buttons?: { label: string; action: string }[];
  links?: { label: string; url: string }[];
  imageUrl?: string;
}

/** Maps core replies to the web API shape (quiz polls become buttons). */
export function toWebReply(r: Reply): WebReply {
  const out: WebReply = { text: r.title ? `${r.title}\n\n${r.text}` : r.text };
  if (r.title) out.title = r.title;
  if (r.buttons?.length) out.buttons = r.buttons.map((b) => ({ label: b.label, action: b.action }));
  if (r.links?.length) out.links = r.links;
  if (r.imageUrl) out.imageUrl = r.imageUrl;
  return out;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Registers `/`, `/widget.js` and `POST /api/chat`. */
export function registerWebChat(app: FastifyInstance, deps: { db: Db; conversation: Conversation; botName: string }): void {
  const page = readFileSync(join(here, 'page.html'), 'utf8').replaceAll('{{BOT_NAME}}', escapeHtml(deps.botName));
  const widget = readFileSync(join(here, 'widget.js'), 'utf8');

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/widget.js', async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(widget),
  );
  // The portal embeds the widget from another origin: allow cross-origin calls (no cookies).
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST, OPTIONS' };
  app.options('/api/chat', async (_req, reply) => reply.headers(cors).code(204).send());
  app.post('/api/chat', async (req, reply) => {
    reply.headers(cors);
    const parsed = chatRequestSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ ok: false, error: parsed.error.issues.map((i) => i.message).join('; ') });
    const { session, text, action, id } = parsed.data;
    const inbound =
      action !== undefined
        ? { channel: 'web' as const, userId: session, dedupeKey: `${session}:${id ?? randomUUID()}`, type: 'action' as const, action }
        : { channel: 'web' as const, userId: session, dedupeKey: `${session}:${id ?? randomUUID()}`, type: 'text' as const, text: text ?? '' };
    const person = deps.conversation.personFor(inbound);
    const rowId = recordInbound(deps.db, inbound, person.id);
    if (rowId === null) return reply.send({ replies: [], duplicate: true });
    const replies = await deps.conversation.handle(inbound, webCapabilities);
    for (const r of replies) recordOutbound(deps.db, 'web', person.id, 'reply', r.text, r);
    markProcessed(deps.db, rowId);
    return reply.send({ replies: replies.map(toWebReply) });
  });
}

