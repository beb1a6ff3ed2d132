/**
 * The conversation core: Inbound event -> Reply[]. Channel-agnostic: it never imports platform
 * code. Commands, button actions and free text are dispatched to {@link Feature}s; free text no
 * feature claims goes to the knowledge base.
 */
import type { Db } from '../db/index.js';
import { releaseHeldNotices } from '../db/notices.js';
import {
  markPersonActive,
  markPersonGone,
  setPendingChoices,
  setPersonLang,
  touchPerson,
  upsertPerson,
  type Person,
} from '../db/people.js';
import { EDITED, type Capabilities, type Inbound, type Reply } from '../messages.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { Config } from '../config.js';
import type { Feature, TurnContext } from './types.js';
import { textsFor } from './texts-en.js';
import { detectLanguage, type Lang } from '../text/language.js';
import { fold, hasWords } from '../text/vietnamese.js';
import { isHuyWord } from './cancel-words.js';
import { typedCommand } from './typed-commands.js';
import { typedChoiceNumber } from './choice-number.js';
import { createFloodLimiter, type FloodLimiter } from './flood.js';
import { createCoreFeature, eraseFromText, smallTalkReply, startReplies } from './core-feature.js';
import { feedbackFromEmoji, feedbackFromText } from './feedback.js';

/** Longest question accepted (characters); longer messages are asked to be shortened. */
export const MAX_QUESTION_LENGTH = 1000;

/** Dependencies of {@link createConversation}. */
export interface ConversationDeps {
  db: Db;
  knowledge: Knowledge;
  config: Config;
  /** Extra features (subscription, quizzes …), consulted in order before the core. */
  features?: Feature[];
  now?: () => Date;
  flood?: FloodLimiter;
  /**
   * Where {@link TurnContext.record} writes go (default: run at once). The app passes its group
   * commit; `handle` resolves only once the writes of its turn are committed.
   */
  record?: (write: () => void) => void | Promise<void>;
}

/** The conversation core. */
export interface Conversation {
  /**
   * Handles one inbound event for a channel with the given capabilities. Resolves once the
   * turn's records are committed.
   *
   * `alongside` is called with the replies as soon as the turn has them, before the turn's
   * records are committed, and `handle` waits for it too: writes it queues on the same group
   * commit share the turn's commit (the web chat's reply records and processed mark: one
   * commit per answer instead of two). It rejects `handle` when it rejects.
   */
  handle(inbound: Inbound, caps: Capabilities, opts?: { alongside?: (replies: Reply[]) => Promise<unknown> }): Promise<Reply[]>;
  /** The person for an inbound event (created if new). */
  personFor(inbound: Inbound): Person;
  /**
   * Records the time of the person's interaction now, unless the event is not one (a block, an
   * unfollow). The inbox calls it in the transaction that stores the event, so that `handle`
   * finds it done and does not commit again.
   */
  recordInteraction(inbound: Inbound, person: Person): void;
  readonly features: Feature[];
}

/**
 * The same choices offered again are written again (their time renewed) once the stored time is
 * this old (ms): often enough for "offered moments ago" to hold, without a write for every reply
 * that shows the topic menu.
 */
const PENDING_REFRESH_MS = 60_000;

/** Interaction times are kept to this resolution (ms). */
export const INTERACTION_RESOLUTION_MS = 1000;

/** Whether an event counts as the person interacting with the bot (a block or unfollow does not). */
export function isInteraction(inbound: Inbound): boolean {
  return inbound.type !== 'blocked' && inbound.type !== 'unfollow';
}

/** Parses "/cmd@bot args" into its parts; null when the text is not a command. */
export function parseCommand(text: string): { name: string; args: string } | null {
  const m = text.trim().match(/^\/([A-Za-z0-9_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/);
  return m ? { name: m[1]!.toLowerCase(), args: (m[2] ?? '').trim() } : null;
}

/**
 * The command a Telegram deep link's payload names: `t.me/<bot>?start=thi_<contest>` arrives as
 * "/start thi_<contest>" and opens that contest, `?start=dangky` the news subscription,
 * `?start=baocao` a report. A payload is at most 64 characters of A–Z, a–z, 0–9, "_" and "-"
 * (Bot API); the first "_" separates the command from its argument, since ids use "-".
 *
 * @example
 * deepLinkCommand('thi_tim-hieu-quyen-con-nguoi-2026') // { name: 'thi', args: 'tim-hieu-quyen-con-nguoi-2026' }
 */
export function deepLinkCommand(payload: string): { name: string; args: string } | null {
  const m = payload.trim().match(/^([A-Za-z]+)(?:_([A-Za-z0-9_-]*))?$/);
  if (!m || payload.trim().length > 64) return null;
  const name = m[1]!.toLowerCase();
  return DEEP_LINK_COMMANDS.has(name) ? { name, args: m[2] ?? '' } : null;
}

/**
 * The commands a deep link may open: what a poster or a post links to, and nothing that changes
 * what the person agreed to. A link is followed with one tap by whoever is sent it: with every
 * command allowed, `t.me/<bot>?start=huy` posted in a group took everyone who tapped it off the
 * office's news, without a question. Typed by the person, every command works as before.
 */
const DEEP_LINK_COMMANDS: ReadonlySet<string> = new Set(['thi', 'dangky', 'baocao', 'taphuan', 'hoi', 'chude', 'menu', 'help', 'en', 'vi']);

/**
 * Builds the conversation core.
 *
 * @example
 * const convo = createConversation({ db, knowledge, config });
 * const replies = await convo.handle({ channel: 'web', userId: 's1', dedupeKey: 'k', type: 'text', text: 'bhyt tre em' }, caps);
 */
/** How many times the typed-message flood limit a person may press buttons in the same window. */
export const PRESS_FLOOD_FACTOR = 3;

export function createConversation(deps: ConversationDeps): Conversation {
  const now = deps.now ?? (() => new Date());
  const flood =
    deps.flood ?? createFloodLimiter(deps.config.bot.flood_limit.messages, deps.config.bot.flood_limit.seconds * 1000);
  // Button presses have their own, wider limit: a press answers only what was offered, and a
  // fast contestant or someone browsing topics presses far more often than they type; but each
  // press of a menu button is a reply, and a script pressing one for ever would take the
  // channel's whole sending rate (Telegram: 30 messages a second for the bot) from everyone.
  const pressFlood = createFloodLimiter(deps.config.bot.flood_limit.messages * PRESS_FLOOD_FACTOR, deps.config.bot.flood_limit.seconds * 1000);
  const record = deps.record ?? ((write: () => void) => write());
  const core = createCoreFeature();
  const features = [...(deps.features ?? []), core];
  const helpLines = features.flatMap((f) => f.help ?? []);
  const helpLinesEn = features.flatMap((f) => f.helpEn ?? []);

  const commands = new Map<string, (ctx: TurnContext, args: string) => Promise<Reply[]> | Reply[]>();
  const actions = new Map<string, (ctx: TurnContext, payload: string) => Promise<Reply[]> | Reply[]>();
  for (const f of [...features].reverse()) {
    for (const [k, h] of Object.entries(f.commands ?? {})) commands.set(k, h);
    for (const [k, h] of Object.entries(f.actions ?? {})) actions.set(k, h);
  }
  if (helpLines.length > 0) {
    const base = commands.get('help')!;
    const withExtra = async (ctx: TurnContext, args: string): Promise<Reply[]> => {
      const r = await base(ctx, args);
      const extra = ctx.lang === 'en' ? helpLinesEn : helpLines;
      if (r[0] && extra.length) r[0] = { ...r[0], text: `${r[0].text}\n${extra.join('\n')}` };
      return r;
    };
    commands.set('help', withExtra);
  }

  const personFor = (inbound: Inbound): Person =>
    upsertPerson(deps.db, inbound.channel, inbound.userId, inbound.displayName, now());

  const recordInteraction = (inbound: Inbound, person: Person, at: Date = now()): void => {
    if (!isInteraction(inbound)) return;
    // Recorded to the second: a second write for the same second would be a WAL commit for
    // nothing (the inbox records it as the event arrives; the Zalo window counts in days).
    const last = person.lastInteractionAt ? Date.parse(person.lastInteractionAt) : -Infinity;
    if (at.getTime() - last < INTERACTION_RESOLUTION_MS && at.getTime() >= last) return;
    touchPerson(deps.db, person.id, at);
    person.lastInteractionAt = at.toISOString();
    // Zalo's window is open again: answers to their questions held for it go out now.
    if (inbound.channel !== 'web') releaseHeldNotices(deps.db, person.id, at);
  };

  const runAction = async (ctx: TurnContext, action: string): Promise<Reply[]> => {
    const colon = action.indexOf(':');
    const prefix = colon >= 0 ? action.slice(0, colon) : action;
    const handler = actions.get(prefix);
    if (!handler) return [{ text: textsFor(ctx.lang).unknownCommand }];
    return handler(ctx, colon >= 0 ? action.slice(colon + 1) : '');
  };

  const runText = async (ctx: TurnContext, raw: string): Promise<Reply[]> => {
    const text = raw.normalize('NFC').trim();
    const cmd = parseCommand(text);
    if (cmd) {
      // A deep link (a poster's QR code, a link in a post) opens what it names, after the
      // greeting: before, its payload was ignored and the person had to find the contest.
      const link = cmd.name === 'start' && cmd.args ? deepLinkCommand(cmd.args) : null;
      const target = link && link.name !== 'start' ? commands.get(link.name) : undefined;
      if (link && target) return [startReplies(ctx, ctx.lang)[0]!, ...(await target(ctx, link.args))];
      const handler = commands.get(cmd.name);
      const T = textsFor(ctx.lang);
      return handler ? handler(ctx, cmd.args) : [{ text: T.unknownCommand, buttons: [{ label: T.helpButton, action: 'help' }] }];
    }
    // A number ("2", "chọn 2", "số 2 ạ") answers the numbered choices shown last (Zalo, web, any
    // text-only client).
    const num = typedChoiceNumber(text);
    const choices = ctx.person.pendingChoices;
    if (num !== null && choices) {
      const action = choices[num - 1];
      if (action) return runAction(ctx, action);
    }
    // A choice's own words typed instead of its number ("Tôi muốn hỏi", "huy", "Bảo hiểm y tế").
    const labels = ctx.person.pendingLabels;
    // "Huỷ" is left to the features: during a report it may mean the report or the news, and
    // the report's flow says which it did (disinfo.ts); under a list just offered it closes the
    // list (subscription.ts). "Bỏ qua" under the regions is that choice.
    if (choices && labels && text.length <= 80 && !isHuyWord(text)) {
      const typed = choiceKey(text);
      let at = typed ? labels.findIndex((l) => choiceKey(l) === typed) : -1;
      // Or words of it (two or more, all in it), in a flow's choices, when only one choice has
      // them: "tiếp tục" for "Tiếp tục ➜ chọn địa bàn" (the topic step says 'rồi chọn “Tiếp
      // tục”'), "phố hiến" for "Phường Phố Hiến", "cuộc thi quyền con người" for the contest
      // "Cuộc thi tìm hiểu về quyền con người năm 2026". They were searched as questions.
      const words = typed.split(' ');
      if (at < 0 && words.length >= 2) {
        const named = labels.flatMap((l, i) => {
          const has = new Set(choiceKey(l).split(' '));
          return !CONTENT_CHOICE.test(choices[i] ?? '') && words.every((w) => has.has(w)) ? [i] : [];
        });
        if (named.length === 1) at = named[0]!;
      }
      const picked = at >= 0 ? choices[at] : undefined;
      if (picked) return runAction(ctx, picked);
    }
    // "đăng ký nhận tin", "xoá dữ liệu của tôi": the command, not an answer about it (typed-commands.ts).
    const asked = typedHandler(text);
    if (asked) return asked(ctx, '');
    for (const f of features) {
      if (!f.onText) continue;
      const r = await f.onText(ctx, text);
      if (r) return r;
    }
    return [];
  };

  /** A command asked for in words ("xoá dữ liệu của tôi"), when this Loa has it. */
  const typedHandler = (text: string): ((ctx: TurnContext, args: string) => Promise<Reply[]> | Reply[]) | undefined => {
    const name = typedCommand(text);
    return name ? commands.get(name) : undefined;
  };

  const handle: Conversation['handle'] = async (inbound, caps, opts) => {
    // The turn's records are committed before its replies leave: whoever sees a reply can
    // read what the turn recorded (staff queue, reports).
    const recorded: Promise<void>[] = [];
    const recordInTurn = (write: () => void): void => {
      const done = record(write);
      if (done) recorded.push(done);
    };
    try {
      const replies = await turn(inbound, caps, recordInTurn);
      // Queued in the same turn of the event loop as the records above, so in their commit.
      if (opts?.alongside) await opts.alongside(replies);
      return replies;
    } finally {
      await Promise.all(recorded);
    }
  };

  const turn = async (inbound: Inbound, caps: Capabilities, recordInTurn: TurnContext['record']): Promise<Reply[]> => {
    const at = now();
    const person = personFor(inbound);
    // A typed question is answered in its own language when that is clear; anything else (a
    // button, a number, a command, "ok") in the person's.
    const typed = inbound.type === 'text' ? inbound.text : '';
    const detected: Lang | undefined = typed && !parseCommand(typed) && typedChoiceNumber(typed) === null ? detectLanguage(typed) : undefined;
    // A client's hint (the web widget of an English browser, for a new visitor) becomes the
    // person's language until they choose or ask in another: the greeting is already English.
    if (inbound.lang && !person.langChosen && inbound.lang !== person.lang) {
      const personId = person.id;
      const hinted = inbound.lang;
      recordInTurn(() => setPersonLang(deps.db, personId, hinted, false));
      person.lang = hinted;
    }
    const lang: Lang = detected ?? person.lang ?? 'vi';
    const ctx: TurnContext = { db: deps.db, person, inbound, now: at, caps, knowledge: deps.knowledge, config: deps.config, lang, record: recordInTurn };
    const T = textsFor(lang);

    switch (inbound.type) {
      case 'blocked':
      case 'unfollow':
        markPersonGone(deps.db, person.id, inbound.type);
        return lifecycle(ctx);
      case 'unblocked':
      case 'follow':
        markPersonActive(deps.db, person.id);
        recordInteraction(inbound, person, at);
        return lifecycle(ctx);
      default:
        break;
    }

    recordInteraction(inbound, person, at);
    // Someone who writes to us again has evidently not blocked us (Telegram sends no
    // unblock update for a user who just restarts the bot in some clients).
    if (person.status === 'gone' && person.goneReason !== 'unfollow') markPersonActive(deps.db, person.id);

    // Typed messages and what cannot be read (stickers, pictures, voice: each gets a reply)
    // count against the flood limit; presses against their own wider one; quiz poll answers get
    // no reply and are bounded by the questions offered (flood.ts).
    const key = `${inbound.channel}:${inbound.userId}`;
    const verdict =
      inbound.type === 'text' || inbound.type === 'unsupported'
        ? flood.hit(key, at.getTime())
        : inbound.type === 'action'
          ? pressFlood.hit(key, at.getTime())
          : 'ok';
    if (verdict === 'warn') return [{ text: T.flood }];
    if (verdict === 'drop') return [];

    let replies: Reply[];
    if (inbound.type === 'text') {
      if (!hasWords(inbound.text)) {
        // A typed 👍/👎 answers "có hữu ích không?"; other emoji are small talk.
        const vote = feedbackFromEmoji(inbound.text, person.pendingChoices);
        // "?" or "..." alone (no emoji) is not a thank-you: it is asked how to ask.
        const kind = /\p{Extended_Pictographic}/u.test(inbound.text) ? 'emoji' : 'ask';
        replies = vote ? await runAction(ctx, vote) : inbound.text.trim() ? [smallTalkReply(ctx, kind)] : [{ text: T.emptyQuestion }];
      }
      else if (inbound.text.length > MAX_QUESTION_LENGTH && !parseCommand(inbound.text) && !features.some((f) => f.takesLongText?.(ctx)))
        replies = [{ text: T.tooLong(MAX_QUESTION_LENGTH) }];
      else {
        // "không", "sai rồi ạ", "có" typed right after "Câu trả lời này có hữu ích không?".
        // "không", "huỷ", "đồng ý" typed under "Bạn muốn xoá dữ liệu …?".
        const vote = feedbackFromText(inbound.text, person.pendingChoices) ?? eraseFromText(inbound.text, person.pendingChoices);
        replies = vote ? await runAction(ctx, vote) : await runText(ctx, inbound.text);
      }
    } else if (inbound.type === 'action') replies = await runAction(ctx, inbound.action);
    else if (inbound.type === 'quizAnswer') {
      replies = [];
      for (const f of features) {
        if (!f.onQuizAnswer) continue;
        const r = await f.onQuizAnswer(ctx, inbound.pollId, inbound.optionIds);
        if (r) {
          replies = r;
          break;
        }
      }
    } else if (inbound.type === 'unsupported' && inbound.media) {
      replies = [{ text: T.unsupported }];
      for (const f of features) {
        const r = f.onMedia ? await f.onMedia(ctx, inbound.media) : null;
        if (r) {
          replies = r;
          break;
        }
      }
    } else if (inbound.type === 'unsupported' && inbound.what === EDITED) {
      // An edit is not read again (it may be a contest answer or a report's step, already
      // taken): the person who corrected a question is told to send it anew, not left waiting.
      replies = [{ text: T.edited }];
    } else {
      // A sticker is a like or a hello: thanked, with the topics one tap away. A voice message
      // is told it cannot be listened to (a farmer on Zalo did not know why it got no answer).
      const what = inbound.type === 'unsupported' ? inbound.what : '';
      replies = [what === 'sticker' ? { ...smallTalkReply(ctx, 'emoji'), text: textsFor(ctx.person.lang ?? 'vi').sticker } : { text: what === 'voice' || what === 'audio' ? T.unsupportedVoice : T.unsupported }];
      for (const f of features) {
        const r = f.onUnreadable?.(ctx);
        if (r) {
          replies = r;
          break;
        }
      }
    }

    // English replies say so, for the words a channel adds itself (numbered choices on Zalo).
    if (lang === 'en') replies = replies.map((r) => (r.lang ? r : { ...r, lang: 'en' as const }));

    // Remember the last set of choices so a typed number can answer it, and when they were
    // offered (a bare "Huỷ" under a list just offered closes it: subscription.ts). Written with
    // the turn's records (one commit), only when the choices changed or the same ones are
    // offered again after a while.
    const withButtons = [...replies].reverse().find((r) => r.buttons && r.buttons.length > 0);
    const choices = withButtons ? withButtons.buttons!.map((b) => b.action) : replies.length > 0 ? null : person.pendingChoices;
    const labels = withButtons ? withButtons.buttons!.map((b) => b.label) : replies.length > 0 ? null : person.pendingLabels;
    const changed =
      JSON.stringify(choices ?? null) !== JSON.stringify(person.pendingChoices ?? null) || JSON.stringify(labels ?? null) !== JSON.stringify(person.pendingLabels ?? null);
    const offeredAgain = withButtons !== undefined && at.getTime() - (person.pendingAt ? Date.parse(person.pendingAt) : -Infinity) >= PENDING_REFRESH_MS;
    if (changed || offeredAgain) {
      const personId = person.id;
      ctx.record(() => setPendingChoices(deps.db, personId, choices, labels ?? undefined, at));
    }
    return replies;
  };

  const lifecycle = async (ctx: TurnContext): Promise<Reply[]> => {
    const out: Reply[] = [];
    for (const f of features) {
      if (!f.onLifecycle) continue;
      const r = await f.onLifecycle(ctx);
      if (r) out.push(...r);
    }
    // A greeting with a menu (a Zalo follow) is answered by a typed number like other choices.
    const withButtons = [...out].reverse().find((r) => r.buttons && r.buttons.length > 0);
    if (withButtons) {
      const personId = ctx.person.id;
      const choices = withButtons.buttons!.map((b) => b.action);
      const labels = withButtons.buttons!.map((b) => b.label);
      ctx.record(() => setPendingChoices(deps.db, personId, choices, labels, ctx.now));
    }
    return out;
  };

  return { handle, personFor, recordInteraction: (inbound, person) => recordInteraction(inbound, person), features };
}

/** A choice's words as compared with what was typed: folded, without emoji or punctuation. */
function choiceKey(s: string): string {
  return fold(s.normalize('NFC')).toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/**
 * Choices that lead into the content (a topic, a suggested question or passage, the menu, 👍/👎):
 * words typed under them are a question, matched whole against their labels only. "khai sinh"
 * under the topic menu is searched, not taken for "Hộ tịch, khai sinh, căn cước".
 */
const CONTENT_CHOICE = /^(?:qa|p|topic|fb):|^menu$/;
