/**
 * Flows that follow the person, not the message. A typed question is answered in its own
 * language, but in a flow (a disinformation report, a contest registration) what the person
 * types is data: a Vietnamese post pasted into a report, a name, a unit. The flow keeps speaking
 * the person's language, and its replies say which it is, so the words a channel adds itself
 * (Zalo's "Type 1 or 2 to choose.") match the flow's, not the pasted text's.
 */
import type { Reply } from '../messages.js';
import type { Feature, TurnContext } from './types.js';

/** The replies, each marked with the person's language unless it says its own. */
function mark<T extends Reply[] | null>(ctx: TurnContext, replies: T): T {
  return (replies ? replies.map((r) => (r.lang ? r : { ...r, lang: ctx.person.lang })) : replies) as T;
}

function marked<T extends Reply[] | null>(ctx: TurnContext, out: T | Promise<T>): T | Promise<T> {
  return out instanceof Promise ? out.then((r) => mark(ctx, r)) : mark(ctx, out);
}

/**
 * Makes every reply of `feature`'s commands, actions, text, media and poll handlers carry the
 * person's language (`Reply.lang`) unless the handler set one. Returns the same feature.
 *
 * @example const disinfo = speaksPersonLang({ name: 'disinfo', commands: { baocao: start } });
 */
export function speaksPersonLang<F extends Feature>(feature: F): F {
  for (const table of [feature.commands, feature.actions]) {
    if (!table) continue;
    for (const [k, h] of Object.entries(table)) table[k] = (ctx, arg) => marked(ctx, h(ctx, arg));
  }
  const { onText, onMedia, onQuizAnswer } = feature;
  if (onText) feature.onText = (ctx, text) => marked(ctx, onText(ctx, text));
  if (onMedia) feature.onMedia = (ctx, media) => marked(ctx, onMedia(ctx, media));
  if (onQuizAnswer) feature.onQuizAnswer = (ctx, ref, ids) => marked(ctx, onQuizAnswer(ctx, ref, ids));
  return feature;
}
