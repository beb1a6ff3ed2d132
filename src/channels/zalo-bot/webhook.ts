/**
 * `POST /webhooks/zalo-bot`, the address given to `setWebhook` (through ZALO_BOT_WEBHOOK_URL):
 * - 401 for a wrong or missing `X-Bot-Api-Secret-Token`, checked before the body is even read;
 * - 413 over 1 MB; 400 for a body that is not JSON or not a Zalo Bot update (bare
 *   `{event_name, message}` or wrapped in `{ok, result}`);
 * - 200 once the update is stored (or recognised as a duplicate, or deliberately ignored):
 *   processing happens afterwards, in order per person.
 */
import type { FastifyInstance } from 'fastify';
import { BODY_LIMIT } from '../../http/server.js';
import { secretMatches } from '../telegram/telegram.js';
import { ZALO_BOT_WEBHOOK_PATH, type ZaloBotChannel } from './channel.js';
import { readUpdates } from './updates.js';

/** The header the platform sends with every delivery, holding `setWebhook`'s `secret_token`. */
export const SECRET_HEADER = 'x-bot-api-secret-token';

/** Registers the route. */
export function registerZaloBotWebhook(server: FastifyInstance, channel: Pick<ZaloBotChannel, 'intake'>, secret: string): void {
  server.post(
    ZALO_BOT_WEBHOOK_PATH,
    {
      bodyLimit: BODY_LIMIT,
      onRequest: async (req, reply) => {
        if (!secretMatches(req.headers[SECRET_HEADER], secret))
          return reply.code(401).send({ ok: false, error: 'Zalo Bot: wrong or missing X-Bot-Api-Secret-Token' });
      },
    },
    async (req, reply) => {
      const updates = readUpdates(req.body);
      if (!updates || updates.length === 0) return reply.code(400).send({ ok: false, error: 'Zalo Bot: the body is not a Zalo Bot update ({event_name, message})' });
      const results = [];
      for (const u of updates) results.push(await channel.intake(u));
      return reply.send({ ok: true, ...(results.every((r) => r === 'duplicate') ? { duplicate: true } : {}) });
    },
  );
}
