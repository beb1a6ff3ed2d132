/**
 * Builders for quiz tests: a conversation with the quiz feature over the test contests, a
 * movable clock, and participants that talk to it with a channel's capabilities.
 */
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { createSubscriptionFeature } from '../../src/conversation/subscription.js';
import type { Knowledge } from '../../src/knowledge/knowledge.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createContestRegistry } from '../../src/quiz/definition.js';
import { createQuizFeature, type QuizFeature } from '../../src/quiz/feature.js';
import type { Capabilities, ChannelName, Inbound, Reply } from '../../src/channels/channel.js';
import { webCapabilities } from '../../src/channels/web/web.js';
import { telegramCapabilities } from '../../src/channels/telegram/telegram.js';
import { zaloBotCapabilities } from '../../src/channels/zalo-bot/channel.js';
import { activeAttemptOf, getAttemptQuestion, type Attempt } from '../../src/db/quiz.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { shippedKnowledge, testConfig } from '../support/app.js';
import type { Config } from '../../src/config.js';
import { seeded } from '../../src/text/random.js';

/** The fixture content dir holding the test contests. */
export const QUIZ_CONTENT = 'test/fixtures/quiz-content';

/** Zalo as PLATFORMS.md describes it: at most 5 buttons, numbered text replies, no polls. */
export const zaloLikeCapabilities: Capabilities = { buttons: true, maxButtons: 5, nativeQuizPoll: false, maxTextLength: 2000, numberedReplies: true };

export const CAPS: Record<ChannelName, Capabilities> = { web: webCapabilities, telegram: telegramCapabilities, zalo: zaloLikeCapabilities, 'zalo-bot': zaloBotCapabilities };

let shared: Knowledge | undefined;
/** The shipped knowledge, loaded once per test file (the quiz does not depend on it). */
export function knowledge(): Knowledge {
  shared ??= shippedKnowledge();
  return shared;
}

/** A seeded random source (mulberry32), so shuffles are reproducible. */
export { seeded };

/** A conversation with the quiz feature, a clock at `start`, and helpers. */
export interface QuizWorld {
  db: Db;
  convo: Conversation;
  quiz: QuizFeature;
  config: Config;
  clock: { now: Date; advance(ms: number): void; set(d: Date): void };
  user(channel: ChannelName, id: string, name?: string): Participant;
  close(): void;
}

/** One participant on one channel. */
export interface Participant {
  id: string;
  channel: ChannelName;
  say(text: string): Promise<Reply[]>;
  press(action: string): Promise<Reply[]>;
  poll(ref: string, option: number): Promise<Reply[]>;
  /** The event exactly as last sent, to replay a duplicate delivery. */
  attempt(): Attempt | undefined;
  /** The shown position of the right option of question n of the active attempt. */
  correctOf(n: number): number;
}

export function quizWorld(opts: { dbFile?: string; start?: Date; organizers?: string[]; random?: () => number } = {}): QuizWorld {
  const config = testConfig({}, { telegram: { quiz_organizers: opts.organizers ?? [] }, flood_limit: { messages: 1000, seconds: 1 } });
  const db = openDb(opts.dbFile ?? ':memory:');
  const clock = {
    now: opts.start ?? new Date('2026-11-23T03:00:00Z'),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
    set(d: Date) {
      this.now = d;
    },
  };
  const quiz = createQuizFeature({ registry: createContestRegistry(QUIZ_CONTENT), random: opts.random ?? seeded(7) });
  const convo = createConversation({ db, knowledge: knowledge(), config, features: [quiz, createSubscriptionFeature()], now: () => clock.now });
  let n = 0;
  const user = (channel: ChannelName, id: string, name?: string): Participant => {
    const base = { channel, userId: id, ...(name ? { displayName: name } : {}) };
    const send = (e: Record<string, unknown>) => convo.handle({ ...base, dedupeKey: `k${n++}`, ...e } as Inbound, CAPS[channel]);
    const p: Participant = {
      id,
      channel,
      say: (text) => send({ type: 'text', text }),
      press: (action) => send({ type: 'action', action }),
      poll: (ref, option) => send({ type: 'quizAnswer', pollId: ref, optionIds: [option] }),
      attempt: () => {
        const person = getPersonByExternal(db, channel, id);
        return person ? activeAttemptOf(db, person.id) : undefined;
      },
      correctOf: (k) => {
        const a = p.attempt();
        if (!a) throw new Error('no active attempt');
        return getAttemptQuestion(db, a.id, k)!.correct;
      },
    };
    return p;
  };
  return {
    db,
    convo,
    quiz,
    config,
    clock,
    user,
    close: () => {
      db.close();
      config.cleanup();
    },
  };
}

/** The action of the button whose label is `label` (or contains it) in the replies. */
export function button(replies: Reply[], label: string | RegExp): string {
  for (const r of replies)
    for (const b of r.buttons ?? []) if (typeof label === 'string' ? b.label.includes(label) : label.test(b.label)) return b.action;
  throw new Error(`no button ${String(label)} in ${JSON.stringify(replies.map((r) => r.buttons))}`);
}

/** All reply texts joined, for assertions. */
export function texts(replies: Reply[]): string {
  return replies.map((r) => [r.title, r.text].filter(Boolean).join('\n')).join('\n---\n');
}

/** Registers a participant in a contest up to the "start" button (web or Zalo-like flow). */
export async function register(p: Participant, contestId: string, o: { name: string; unit?: string; phone?: string | null }): Promise<Reply[]> {
  let r = await p.press(`quiz:c:${contestId}`);
  r = await p.press(button(r, 'Tôi đồng ý'));
  r = await p.say(o.name);
  if (o.unit !== undefined) r = await p.say(o.unit);
  if (o.phone === null) r = await p.press(button(r, 'Bỏ qua'));
  else if (o.phone !== undefined) r = await p.say(o.phone);
  return r;
}
