import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { createSubscriptionFeature } from '../../src/conversation/subscription.js';
import { createDisinfoFeature } from '../../src/conversation/disinfo.js';
import { openDb, type Db } from '../../src/db/index.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { listUnanswered } from '../../src/db/questions.js';
import { webCapabilities } from '../../src/channels/web/web.js';
import type { Inbound } from '../../src/channels/channel.js';
import { shippedKnowledge, testConfig } from '../support/app.js';
import { T } from '../../src/conversation/texts.js';
import { LANG_TEXTS, T_EN } from '../../src/conversation/texts-en.js';

let db: Db;
let convo: Conversation;
let n = 0;
const config = testConfig();
const knowledge = shippedKnowledge();

beforeAll(() => {
  db = openDb(':memory:');
  convo = createConversation({ db, knowledge, config, features: [createSubscriptionFeature(), createDisinfoFeature()], now: () => new Date('2026-12-06T03:00:00Z') });
});
afterAll(() => {
  db.close();
  config.cleanup();
});

const say = (user: string, text: string, caps = webCapabilities) =>
  convo.handle({ channel: 'web', userId: user, dedupeKey: `k${n++}`, type: 'text', text } as Inbound, caps);
const press = (user: string, action: string, caps = webCapabilities) =>
  convo.handle({ channel: 'web', userId: user, dedupeKey: `k${n++}`, type: 'action', action } as Inbound, caps);
/** The web chat refuses /dangky (it cannot send news): subscribing is tested as on a channel that can write first. */
const pushable = { ...webCapabilities, canPush: true };
const person = (user: string) => getPersonByExternal(db, 'web', user)!;

describe('answers in English', () => {
  it('answers an English question from the English entries, with English labels', async () => {
    const [r] = await say('en-1', 'When did Vietnam ratify the Convention on the Rights of the Child?');
    expect(r!.title).toBe('When did Viet Nam ratify the UN Convention on the Rights of the Child?');
    expect(r!.text).toContain('20 February 1990');
    expect(r!.text).toContain(T_EN.sources);
    expect(r!.text).toContain(T_EN.feedbackQuestion);
    expect(r!.buttons!.map((b) => b.label)).toContain(T_EN.feedbackUp);
    // Never having chosen, the person now follows their language: a button press is in English.
    expect(person('en-1').lang).toBe('en');
    const [menu] = await press('en-1', 'menu');
    expect(menu!.text).toBe(T_EN.menuTitle);
    expect(menu!.buttons!.map((b) => b.label)).toContain('Foreign organisations, businesses and workers');
  });

  it('never gives an English answer to a Vietnamese question, whatever the person chose', async () => {
    await say('en-2', '/en');
    expect(person('en-2')).toMatchObject({ lang: 'en', langChosen: true });
    for (const q of ['Việt Nam phê chuẩn Công ước quyền trẻ em khi nào?', 'viet nam phe chuan cong uoc quyen tre em nam nao']) {
      const [r] = await say('en-2', q);
      expect(r!.text).toContain(T.sources);
      expect(r!.text).not.toContain(T_EN.sources);
      expect(r!.title).toMatch(/Công ước/);
    }
    // The chosen language is kept: the menu stays English.
    expect(person('en-2').lang).toBe('en');
    const [menu] = await press('en-2', 'menu');
    expect(menu!.text).toBe(T_EN.menuTitle);
  });

  it('answers an English question in English for a person set to Vietnamese', async () => {
    await say('en-3', '/vi');
    const [r] = await say('en-3', 'how long is a work permit valid and can it be extended');
    expect(r!.text).toContain('at most 2 years');
    expect(r!.text).toContain(T_EN.sources);
    expect(person('en-3')).toMatchObject({ lang: 'vi', langChosen: true });
  });

  it('/en and /vi switch and are remembered; /start and /help follow', async () => {
    const [sw, menu] = await say('en-4', '/en');
    expect(sw!.text).toBe(LANG_TEXTS.en.switched);
    expect(menu!.text).toBe(T_EN.menuTitle);
    const [greet] = await say('en-4', '/start');
    expect(greet!.text).toBe(LANG_TEXTS.en.greeting(config.bot.name));
    const [help] = await say('en-4', '/help');
    // The web chat has no groups and cannot write first: /help leaves out /hoi and /dangky (core-feature.ts helpText).
    expect(help!.text.startsWith(T_EN.help.split('\n').filter((l) => !l.startsWith('• /hoi ') && !l.startsWith('• /dangky ')).join('\n'))).toBe(true);
    expect(help!.text).toContain('/baocao – report false or harmful information');
    expect(help!.text).not.toContain('báo tin giả');
    const [back] = await say('en-4', '/vi');
    expect(back!.text).toBe(LANG_TEXTS.vi.switched);
    const [greetVi] = await say('en-4', '/start');
    expect(greetVi!.text).toBe(config.bot.greeting);
  });

  it('gives the English no-answer to an English question nothing answers, and queues it for staff', async () => {
    const q = 'Can I extend my tourist visa at the airport?';
    const [r] = await say('en-5', q);
    expect(r!.text).toContain(T_EN.noAnswer);
    expect(listUnanswered(db).some((u) => u.question === q)).toBe(true);
  });

  it('subscribes an English person with English texts and the English consent wording (same version)', async () => {
    await say('en-7', '/en');
    const [topics] = await say('en-7', '/dangky', pushable);
    expect(topics!.text).toMatch(/^Choose the topics/);
    expect(topics!.buttons!.map((b) => b.label)).toContain('Foreign organisations, businesses and workers');
    await press('en-7', topics!.buttons![0]!.action, pushable);
    const [regions] = await press('en-7', 'sub:r', pushable);
    expect(regions!.text).toContain('you agree to the subscription terms (version 1');
    expect(regions!.text).toContain('Law on Personal Data Protection');
    const [done] = await press('en-7', 'sub:rs:', pushable);
    expect(done!.text).toMatch(/^You are subscribed\./);
    expect(person('en-7').consentVersion).toBe('1');
    const [stopped] = await say('en-7', '/huy');
    expect(stopped!.text).toMatch(/^You are unsubscribed/);
  });

  it('takes a disinformation report with English prompts', async () => {
    await say('en-8', '/en');
    const [ask] = await say('en-8', '/baocao');
    expect(ask!.text).toMatch(/^Please send the link/);
    const [topic] = await say('en-8', 'https://example.com/post/123 says the commune sells personal data');
    expect(topic!.text).toBe('What is the post about?');
    expect(topic!.buttons!.map((b) => b.label)).toContain('Personal data protection');
    const [platform] = await press('en-8', 'bc:t:du-lieu-ca-nhan');
    expect(platform!.text).toBe('Where did you see it?');
    expect(platform!.buttons!.map((b) => b.label)).toContain('Zalo groups');
    const [done] = await press('en-8', 'bc:p:facebook');
    expect(done!.text).toMatch(/^Thank you for your report! Your report number: BC-2026-\d+/);
  });

  it('warns an English person who floods in English, a Vietnamese one in Vietnamese', async () => {
    const limit = config.bot.flood_limit.messages;
    for (const [user, lang, text, warning] of [['en-9', '/en', 'thanks', T_EN.flood], ['vi-9', '/vi', 'cảm ơn bạn', T.flood]] as const) {
      await say(user, lang);
      const replies = [];
      for (let i = 0; i < limit; i++) replies.push(await say(user, text));
      expect(replies.at(-1)![0]!.text).toBe(warning);
    }
  });

  it('answers small talk in the person’s language and tells a Vietnamese-set person about /en', async () => {
    const [r] = await say('en-6', 'hello');
    expect(r!.text).toContain(config.bot.greeting);
    expect(r!.text).toContain('/en');
    await say('en-6', '/en');
    const [r2] = await say('en-6', 'thanks');
    expect(r2!.text).toBe(T_EN.smallTalk.thanks);
    // Chosen: a foreigner's "cảm ơn" stays in English.
    const [r3] = await say('en-6', 'cảm ơn');
    expect(r3!.text).toBe(T_EN.smallTalk.thanks);
  });

  it('answers Vietnamese small talk in Vietnamese after one question asked in English, from then on', async () => {
    // A Vietnamese visitor asked once in English, then wrote "cảm ơn": "You are welcome!" (web
    // chat trial, session 17).
    await say('en-10', 'When did Vietnam ratify the Convention on the Rights of the Child?');
    expect(person('en-10').lang).toBe('en');
    const [r] = await say('en-10', 'cảm ơn bạn');
    expect(r!.text).toBe(T.smallTalk.thanks);
    expect(r!.buttons![0]!.label).toBe(knowledge.state.topics.find((t) => knowledge.qaByTopic(t.slug, 'vi').length > 0)!.name);
    expect(person('en-10').lang).toBe('vi');
    const [ok] = await say('en-10', 'ok');
    expect(ok!.text).toBe(T.smallTalk.ack);
  });
});
