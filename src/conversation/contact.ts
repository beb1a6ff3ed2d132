/** The office's contact as replies give it ("Phòng …, 0221 …, …@…"), or null when none is set. */
import type { TurnContext } from './types.js';

export function staffContact(ctx: Pick<TurnContext, 'config'>): string | null {
  const c = ctx.config.bot.staff_contact;
  const parts = c ? [c.name, c.phone, c.email].filter(Boolean) : [];
  return parts.length ? parts.join(', ') : null;
}
