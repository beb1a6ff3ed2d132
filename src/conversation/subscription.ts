/**
 * Subscriptions: /dangky chooses topics and a region by buttons and records consent with its
 * time and the version of the consent text shown on the last step (`consent.ts`); /huy, a message
 * that is just "HUY"/"hủy"/"STOP"/"dừng", or a whole sentence asking to stop ("thôi không nhận
 * tin nữa", "đừng gửi nữa") withdraws it at once (campaign workers check consent before every
 * send, so this holds even for a campaign already sending). Every campaign message names the
 * word for its channel (`campaigns/content.ts` `optOutLine`).
 *
 * A bare "Huỷ" under choices offered moments ago (the open contests of /thi, the topics) closes
 * that list instead, and says that a second "Huỷ" stops the news; never once a campaign message
 * came after the list. Someone who gets no news is told so, not that they stopped it.
 */
import type { Button, Reply } from '../messages.js';
import { setRegion, setTopic, subscribe, topicsOf, unsubscribe } from '../db/people.js';
import { campaignReachedSince, isSubscribed } from '../db/subscribers.js';
import type { Region } from '../knowledge/content.js';
import { fold, foldedCanonical } from '../text/vietnamese.js';
import type { Feature, TurnContext } from './types.js';
import { CURRENT_CONSENT } from './consent.js';
import { viDate } from './core-feature.js';

const S_VI = {
  topics: 'Chọn các chủ đề bạn muốn nhận tin (chọn lại một chủ đề để bỏ chọn), rồi chọn “Tiếp tục”.',
  next: 'Tiếp tục ➜ chọn địa bàn',
  all: 'Chọn tất cả',
  regions: 'Bạn ở địa bàn nào? Tin của địa bàn bạn chọn (và của cả tỉnh) sẽ được gửi tới bạn.',
  whole: (name: string) => `Cả ${name}`,
  skipRegion: 'Bỏ qua',
  morePage: (n: number, of: number) => `Xem thêm ➜ (trang ${n}/${of})`,
  prevPage: '⬅ Trang trước',
  done: (topics: string, region: string) =>
    `Bạn đã đăng ký nhận tin.\nChủ đề: ${topics}\nĐịa bàn: ${region}\nBạn có thể thôi nhận tin bất cứ lúc nào bằng lệnh /huy hoặc gõ HUY.`,
  /** Shown on the last step, before consent is recorded: what the person agrees to. */
  consent: (version: string, since: string, text: string) =>
    `Khi chọn địa bàn (hoặc “Bỏ qua”), bạn đồng ý với điều khoản nhận tin (phiên bản ${version}, áp dụng từ ${since}):\n${text}`,
  consented: (version: string, since: string) =>
    `Bạn đã đồng ý với điều khoản nhận tin phiên bản ${version} (áp dụng từ ${since}). Gõ /dulieucuatoi để xem dữ liệu chúng tôi lưu về bạn.`,
  /** On a platform that lets the bot write only within days of the person's last message (Zalo OA). */
  window: (days: number) =>
    `Lưu ý: trên kênh này, tin chỉ gửi được tới bạn trong ${days} ngày kể từ lần cuối bạn nhắn cho chúng tôi (quy định của nền tảng). Để không lỡ tin, thỉnh thoảng hãy nhắn một câu, ví dụ gõ /dangky để xem lại đăng ký của mình.`,
  noTopic: 'Bạn chưa chọn chủ đề nào. Hãy chọn ít nhất một chủ đề.',
  noPush:
    'Trang web này chỉ trả lời khi bạn hỏi, nên không gửi tin thông báo tới bạn được. Để nhận tin theo chủ đề và địa bàn, hãy nhắn /dangky cho chúng tôi trên Telegram hoặc Zalo.',
  /** A bare "Huỷ" under a list just offered (the open contests, the topics): the list is what it ends. */
  listClosed: 'Vâng, tôi bỏ qua các lựa chọn vừa rồi. Khi cần, bạn cứ gõ câu hỏi, hoặc gõ /help để xem tôi giúp được gì.',
  /** Under {@link S_VI.listClosed}, to a subscriber: the news is still one word away. */
  stopAgain: 'Nếu bạn muốn thôi nhận tin thông báo, hãy gõ Huỷ một lần nữa.',
  /** A stop from someone who never subscribed: nothing was stopped, and what they can do. */
  notSubscribed:
    'Bạn chưa đăng ký nhận tin, nên chúng tôi không gửi tin thông báo nào cho bạn và bạn không cần huỷ gì. Nếu muốn nhận tin theo chủ đề và địa bàn, gõ /dangky. Nếu bạn cần việc khác, cứ gõ câu hỏi hoặc gõ /help.',
  /** A stop from someone who already stopped. */
  alreadyStopped: (since: string) =>
    `Chúng tôi không gửi tin thông báo cho bạn: ngày ${since} bạn đã báo không muốn nhận tin. Gõ /dangky nếu muốn đăng ký nhận tin.`,
  /** A stop typed in the web chat, which never sends news. */
  webNoNews: 'Trang web này chỉ trả lời khi bạn hỏi và không gửi tin thông báo, nên bạn không có đăng ký nhận tin nào để huỷ. Bạn cứ gõ câu hỏi, hoặc gõ /help để xem tôi giúp được gì.',
  keepOne: 'Bạn cần giữ ít nhất một chủ đề: hãy chọn chủ đề khác trước rồi bỏ chủ đề này. Nếu muốn thôi nhận mọi tin, gõ /huy.',
  stopped: 'Bạn đã thôi nhận tin. Chúng tôi sẽ không gửi tin thông báo cho bạn nữa. Gõ /dangky nếu muốn đăng ký lại.',
  none: 'chưa chọn',
};

/** The same texts in English (issue 18), for people answered in English. */
const S_EN: typeof S_VI = {
  topics: 'Choose the topics you want news about (tap to select or unselect), then tap “Continue”.',
  next: 'Continue ➜ choose your area',
  all: 'Select all',
  regions: 'Which area are you in? News for the area you choose (and for the whole province) will be sent to you.',
  whole: (name: string) => `All of ${name}`,
  skipRegion: 'Skip',
  morePage: (n: number, of: number) => `More ➜ (page ${n}/${of})`,
  prevPage: '⬅ Previous page',
  done: (topics: string, region: string) =>
    `You are subscribed.\nTopics: ${topics}\nArea: ${region}\nYou can unsubscribe at any time with /huy or by typing STOP. (The news itself is sent in Vietnamese.)`,
  consent: (version: string, since: string, text: string) =>
    `By choosing your area (or “Skip”), you agree to the subscription terms (version ${version}, in force since ${since}):\n${text}`,
  consented: (version: string, since: string) =>
    `You agreed to the subscription terms, version ${version} (in force since ${since}). Type /dulieucuatoi to see the data we hold about you.`,
  window: (days: number) =>
    `Note: on this channel, news can reach you only within ${days} days of your last message to us (the platform's rule). So as not to miss any, send us a message now and then, for example /dangky to review your subscription.`,
  noTopic: 'You have not chosen any topic. Please choose at least one.',
  noPush:
    'This web page only answers when you ask, so it cannot send you announcements. To receive news by topic and area, send /dangky to us on Telegram or Zalo.',
  listClosed: 'All right, I have put the choices above aside. Type a question whenever you need, or /help to see what I can do.',
  stopAgain: 'If you want to stop receiving news, type STOP once more.',
  notSubscribed:
    'You have not subscribed to news, so we send you no announcements and there is nothing to cancel. To receive news by topic and area, type /dangky. For anything else, type your question or /help.',
  alreadyStopped: (since: string) => `We send you no announcements: on ${since} you told us you did not want news. Type /dangky to subscribe.`,
  webNoNews: 'This web page only answers when you ask and sends no announcements, so there is no subscription to cancel. Type your question, or /help to see what I can do.',
  keepOne: 'Keep at least one topic: choose another topic first, then remove this one. To stop all news, type /huy.',
  stopped: 'You are unsubscribed. We will not send you announcements any more. Type /dangky to subscribe again.',
  none: 'not chosen',
};

/** The subscription texts in the turn's language, and a topic's name in it. */
const textsOf = (ctx: TurnContext): typeof S_VI => (ctx.lang === 'en' ? S_EN : S_VI);
const topicName = (ctx: TurnContext, t: { name: string; name_en?: string }): string => (ctx.lang === 'en' ? (t.name_en ?? t.name) : t.name);
const consentIn = (ctx: TurnContext): string => (ctx.lang === 'en' && CURRENT_CONSENT.textEn ? CURRENT_CONSENT.textEn : CURRENT_CONSENT.text);

/** Words that, typed under the topics of /dangky, mean "Tiếp tục" (done choosing), folded. */
const TOPICS_DONE = new Set(['xong', 'xong roi', 'the thoi', 'du roi', 'vay thoi', 'tiep', 'tiep theo', 'tiep tuc', 'ok', 'oke', 'okay', 'duoc roi', 'done', 'next']);

/** Words that, sent alone, unsubscribe, compared without diacritics: "HUY", "huỷ", "hủy", "STOP". */
const STOP_WORDS = new Set(['huy', 'stop', 'huy dang ky', 'unsubscribe']);
/**
 * "dừng" (stop) only with its diacritics: without them "dung" is as often "đúng" (right, yes)
 * or "dùng" (use), and a subscriber answering "Đúng" must not lose their subscription.
 */
const STOP_WORDS_EXACT = new Set(['dừng', 'dừng lại']);

/**
 * A whole message that asks to stop the news, in the words subscribers use ("thôi không nhận
 * tin nữa", "đừng gửi nữa", "tôi không muốn nhận tin nữa", "hủy đăng ký nhận tin"), compared
 * without diacritics. Only the whole message counts, with nothing in it but who, the stop, the
 * verb, the news and small words: "ngừng nhận trợ cấp" (an allowance), "hủy đăng ký thường trú"
 * (a residence procedure), "không nhận được tin" (a complaint) and any question ("làm sao để
 * thôi nhận tin?") go on to be answered. "Không …" alone is a stop only with "nữa" or
 * "muốn/cần" ("không nhận tin" may report a fault).
 */
const STOP_SENTENCE = new RegExp(
  '^(?:(?:toi|minh|em|anh|chi|cho toi|xin|vui long|lam on|muon|loa|bot|oi|a|thi)\\s)*' +
    '(?:(thoi|ngung|dung|huy)|(khong|ko|k))\\s(?:(?:khong|ko|k|muon|can|dung|ngung|phai)\\s)*' +
    '(?:nhan|gui)(?:\\s(?:tin|tin nhan|tin tuc|ban tin|thong bao|tin thong bao))?' +
    '(?:\\s(?:cho|toi|minh|em|nua|a|nhe|nha|di|day|tu|cua|loa|bot|nay|qua|ve|den|them))*$',
);
const STOP_REGISTRATION = /^(?:(?:toi|minh|em|cho toi|xin|muon)\s)*huy dang ky(?:\s(?:nhan tin|nhan ban tin|nhan thong bao|tin|ban tin))?(?:\s(?:cua loa|loa|nhe|nha|a))*$/;
const STOP_ENGLISH = /^(?:please\s)?(?:stop|unsubscribe)(?:\s(?:me|sending|sending me|messages|news|the news|it|please))*$/;

/**
 * The message's words without diacritics, except that "dung" stands only for "dừng"/"đừng"
 * (stop, don't): "Đúng, gửi tin cho tôi" (yes, send me news) must not read as "đừng gửi tin".
 */
function foldForStop(lower: string): string {
  return lower
    .split(' ')
    .map((w) => (w === 'dừng' || w === 'đừng' ? 'dung' : fold(w) === 'dung' ? '_' : fold(w)))
    .join(' ');
}

/** Whether a message (see {@link foldForStop}) asks to stop the news. */
function asksToStop(folded: string): boolean {
  if (STOP_REGISTRATION.test(folded) || STOP_ENGLISH.test(folded)) return true;
  const m = STOP_SENTENCE.exec(folded);
  if (!m) return false;
  return m[1] !== undefined || /\b(?:nua|muon|can)\b/.test(folded);
}

function topicMenu(ctx: TurnContext): Reply {
  const S = textsOf(ctx);
  const mine = new Set(topicsOf(ctx.db, ctx.person.id));
  const buttons: Button[] = ctx.knowledge.state.topics.map((t) => ({
    label: `${mine.has(t.slug) ? '✅ ' : ''}${topicName(ctx, t)}`,
    action: `sub:t:${t.slug}`,
  }));
  buttons.push({ label: S.all, action: 'sub:all' }, { label: S.next, action: 'sub:r' });
  return { text: S.topics, buttons };
}

function regionChildren(regions: Region[], slug?: string): { node?: Region; children: Region[] } {
  if (!slug) return { children: regions };
  const walk = (nodes: Region[]): Region | undefined => {
    for (const n of nodes) {
      if (n.slug === slug) return n;
      const hit = n.children ? walk(n.children) : undefined;
      if (hit) return hit;
    }
    return undefined;
  };
  const node = walk(regions);
  return { node, children: node?.children ?? [] };
}

/**
 * Regions on one page of the menu. A province has about a hundred communes since 2025: all on
 * one menu made a keyboard of a hundred rows on Telegram and, on Zalo, a numbered list whose
 * numbers past 99 cannot be typed (the core reads one or two digits).
 */
const REGIONS_PER_PAGE = 10;

function regionMenu(ctx: TurnContext, slug?: string, page = 0): Reply {
  const S = textsOf(ctx);
  const regions = ctx.knowledge.state.regions;
  let { node, children } = regionChildren(regions, slug ?? ctx.config.bot.regions_root);
  // A regions_root that regions.yaml does not have (an office's own regions with the sample bot
  // YAML; `loa doctor` warns) must not leave the menu empty: start from the file's top.
  if (!slug && ctx.config.bot.regions_root && !node) {
    node = regions.length === 1 ? regions[0] : undefined;
    children = node ? (node.children ?? []) : regions;
  }
  const pages = Math.max(1, Math.ceil(children.length / REGIONS_PER_PAGE));
  const p = Math.min(Math.max(0, page), pages - 1);
  const buttons: Button[] = [];
  if (node && p === 0) buttons.push({ label: S.whole(node.name), action: `sub:rs:${node.slug}` });
  for (const c of children.slice(p * REGIONS_PER_PAGE, (p + 1) * REGIONS_PER_PAGE))
    buttons.push({ label: c.name, action: c.children?.length ? `sub:rg:${c.slug}` : `sub:rs:${c.slug}` });
  // The page is carried with the node's slug ('' for the top of the file), never with text.
  const at = slug ?? node?.slug ?? '';
  if (p + 1 < pages) buttons.push({ label: S.morePage(p + 2, pages), action: `sub:rp:${p + 1}:${at}` });
  if (p > 0) buttons.push({ label: S.prevPage, action: `sub:rp:${p - 1}:${at}` });
  buttons.push({ label: S.skipRegion, action: 'sub:rs:' });
  const c = CURRENT_CONSENT;
  return { text: `${S.regions}\n\n${S.consent(c.version, viDate(c.since), consentIn(ctx))}`, buttons };
}

function finish(ctx: TurnContext, region: string | null): Reply[] {
  const S = textsOf(ctx);
  const topics = topicsOf(ctx.db, ctx.person.id);
  if (topics.length === 0) return [{ text: S.noTopic }, topicMenu(ctx)];
  // The region menu showed the current consent text: that is the version agreed to.
  subscribe(ctx.db, ctx.person.id, [], null, ctx.now, CURRENT_CONSENT.version);
  setRegion(ctx.db, ctx.person.id, region);
  const names = topics
    .map((t) => {
      const topic = ctx.knowledge.state.topics.find((x) => x.slug === t);
      return topic ? topicName(ctx, topic) : t;
    })
    .join(', ');
  const regionName = region ? (ctx.knowledge.regionInfo(region)?.name ?? region) : S.none;
  // Zalo OA delivers a campaign only inside its contact window: a subscriber who goes quiet
  // would stop getting news without a word (the campaign counts them 'outside the window').
  const days = ctx.caps.contactWindowDays;
  const window = days ? `\n\n${S.window(days)}` : '';
  return [{ text: `${S.done(names, regionName)}${window}\n\n${S.consented(CURRENT_CONSENT.version, viDate(CURRENT_CONSENT.since))}` }];
}

/**
 * Stops the news. Someone not on the news list is told so, and what they can do, instead of
 * "Bạn đã thôi nhận tin" for news they never had; their wish is recorded all the same (an opt-out
 * keeps a later import of an old list, or a follow sync, from adding them: `db/subscribers.ts`).
 */
function stop(ctx: TurnContext): Reply[] {
  const S = textsOf(ctx);
  const on = isSubscribed(ctx.db, ctx.person.id);
  if (ctx.caps.canPush === false && !on) return [{ text: S.webNoNews }];
  const before = ctx.person.optedOutAt;
  if (!before || on) unsubscribe(ctx.db, ctx.person.id, ctx.now);
  if (on) return [{ text: S.stopped }];
  if (before) return [{ text: S.alreadyStopped(ctx.lang === 'en' ? before.slice(0, 10) : viDate(before)) }];
  return [{ text: S.notSubscribed }];
}

/**
 * How long a list of choices counts as "just offered" (ms): a bare "Huỷ" under it closes it.
 * Longer than reading the list of contests or topics takes; a list left for longer is not what
 * the person has in front of them, and "Huỷ" stops the news at once as before.
 */
export const LIST_OPEN_MS = 30 * 60_000;

/**
 * A bare "Huỷ" (no sentence around it) under choices offered moments ago ("/thi" and its open
 * contests, the topics, a report's topics whose draft is gone): the person means that list, not
 * the news. Never after a campaign message that came after the list: "Huỷ" under a campaign's
 * "Gõ HUY để thôi nhận tin" stops the news at once.
 */
function closesList(ctx: TurnContext): boolean {
  const choices = ctx.person.pendingChoices;
  if (!choices?.length || !ctx.person.pendingAt) return false;
  const offered = new Date(ctx.person.pendingAt);
  if (ctx.now.getTime() - offered.getTime() > LIST_OPEN_MS) return false;
  return !campaignReachedSince(ctx.db, ctx.person.id, offered);
}

/** Creates the subscription feature. */
export function createSubscriptionFeature(): Feature {
  return {
    name: 'subscription',
    commands: {
      dangky: (ctx) => (ctx.caps.canPush === false ? [{ text: textsOf(ctx).noPush }] : [topicMenu(ctx)]),
      huy: (ctx) => stop(ctx),
      stop: (ctx) => stop(ctx),
    },
    actions: {
      sub: (ctx, payload) => {
        // A channel that cannot write first (the web chat) would record a consent to news that
        // can never reach the person.
        if (ctx.caps.canPush === false && payload !== 'stop') return [{ text: textsOf(ctx).noPush }];
        const [kind, arg = ''] = [payload.slice(0, payload.indexOf(':') >= 0 ? payload.indexOf(':') : payload.length), payload.includes(':') ? payload.slice(payload.indexOf(':') + 1) : ''];
        if (kind === 't') {
          if (!ctx.knowledge.state.topics.some((t) => t.slug === arg)) return [topicMenu(ctx)];
          const mine = topicsOf(ctx.db, ctx.person.id);
          const on = !mine.includes(arg);
          // A subscriber with no topic left would get every topic (db/subscribers.ts: no topic
          // chosen = all, as for imported people and Zalo followers): the last one stays.
          if (!on && mine.length === 1 && ctx.person.consentAt && !ctx.person.optedOutAt)
            return [{ ...topicMenu(ctx), text: `${textsOf(ctx).keepOne}\n\n${textsOf(ctx).topics}` }];
          setTopic(ctx.db, ctx.person.id, arg, on, ctx.now);
          return [topicMenu(ctx)];
        }
        if (kind === 'all') {
          for (const t of ctx.knowledge.state.topics) setTopic(ctx.db, ctx.person.id, t.slug, true, ctx.now);
          return [regionMenu(ctx)];
        }
        if (kind === 'r') return [regionMenu(ctx)];
        if (kind === 'rg') return [regionMenu(ctx, arg)];
        if (kind === 'rp') {
          const colon = arg.indexOf(':');
          const page = Number.parseInt(colon >= 0 ? arg.slice(0, colon) : arg, 10);
          const at = colon >= 0 ? arg.slice(colon + 1) : '';
          return [regionMenu(ctx, at || undefined, Number.isFinite(page) ? page : 0)];
        }
        if (kind === 'rs') {
          const region = arg && ctx.knowledge.regionInfo(arg) ? arg : null;
          return finish(ctx, region);
        }
        if (kind === 'stop') return stop(ctx);
        return [topicMenu(ctx)];
      },
    },
    onText: (ctx, text) => {
      // A question is never a stop: it asks how, and is answered.
      if (text.includes('?')) return null;
      // "xong" (done) under the topics: on to the regions, as "Tiếp tục" is (it was searched).
      if (ctx.person.pendingChoices?.includes('sub:r') && TOPICS_DONE.has(foldedCanonical(text))) return [regionMenu(ctx)];
      const lower = text.normalize('NFC').toLowerCase().replace(/[^\p{L} ]/gu, ' ').replace(/\s+/g, ' ').trim();
      const f = fold(lower);
      const word = STOP_WORDS.has(f) || STOP_WORDS_EXACT.has(lower);
      if (!word && !asksToStop(foldForStop(lower))) return null;
      // A bare "Huỷ" under a list just offered ends the list; the reply says how to stop the news.
      if (word && closesList(ctx)) {
        const S = textsOf(ctx);
        return [{ text: isSubscribed(ctx.db, ctx.person.id) ? `${S.listClosed}\n${S.stopAgain}` : S.listClosed }];
      }
      return stop(ctx);
    },
    help: [],
  };
}
