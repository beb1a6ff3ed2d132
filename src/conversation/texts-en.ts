/**
 * User-facing English texts of the core, beside the Vietnamese ones (./texts.ts), with the same
 * keys, and the texts of the language switch. `textsFor(lang)` picks one set.
 */
import { T } from './texts.js';
import type { Lang } from '../text/language.js';

type Widen<V> = V extends string ? string : V extends (...args: infer A) => string ? (...args: A) => string : { readonly [K in keyof V]: Widen<V[K]> };

/** The shape of one language's core texts (the Vietnamese set's keys). */
export type Texts = { readonly [K in keyof typeof T]: Widen<(typeof T)[K]> };

/** The English core texts. */
export const T_EN: Texts = {
  help: [
    'You can:',
    '• Type your question in English or Vietnamese.',
    '• /chude – browse questions by topic.',
    '• /hoi <question> – ask (in groups).',
    '• /dangky – subscribe to news by topic and area; /huy – unsubscribe.',
    '• /dulieucuatoi – see the personal data we hold about you.',
    '• /xoadulieu – delete your personal data.',
    '• /vi – Tiếng Việt; /en – English.',
  ].join('\n'),
  menuTitle: 'Choose a topic:',
  topicEmpty: 'This topic has no approved questions in English yet.',
  topicTitle: (name: string) => `Questions about “${name}”:`,
  noAnswer:
    'Sorry, there is no approved answer to this question yet. Your question has been passed to the staff in charge so that they can add one.',
  noAnswerNotify: 'When there is an answer, I will send it to you here.',
  noAnswerNotifyGroup: 'When there is an answer, I will send it to you in a private chat (if you have never written to me privately, open a chat with me and press Start).',
  noAnswerNotifyWeb: 'When there is an answer, you will see it here when you open this page again on the same device.',
  alreadyQueued: (at: string) => `You already sent this question (${at}, Viet Nam time); it is waiting for an answer from the staff.`,
  noAnswerContact: (c: string) => `If it is urgent, you can contact: ${c}.`,
  noAnswerNotQueued: 'Sorry, there is no approved answer to this question yet.',
  queueFullPerson:
    'This question has not been passed to the staff: you have sent many questions without an answer in the last 24 hours, and they are still waiting for the staff. Please wait for the staff to answer those, then ask again.',
  feedbackDownNotQueued: 'Thank you for telling us; your opinion has been recorded.',
  queueFullSource:
    'This question has not been passed to the staff: a great many questions without an answer have come from the network you are using in the last 24 hours. Please ask again later, or contact the office directly.',
  suggestionsIntro: 'Perhaps you meant:',
  vagueQuestion: (word: string) => `What would you like to know about “${word}”? Type your whole question, or choose one below:`,
  emptyQuestion: 'Please type your question, for example: “When did Viet Nam ratify the Convention on the Rights of the Child?”',
  emojiOnly: 'Thank you! If you have a question, please type it in words so that I can look for the answer.',
  tooLong: (max: number) =>
    `Your message is too long (over ${max} characters). Please ask a shorter question so that I can find a precise answer. If it is a post you think is false or harmful, type /baocao and paste it again.`,
  flood: 'You are sending messages too quickly. Please wait a moment before sending more.',
  unknownCommand: 'I do not know this command. Type /help to see what I can do.',
  strayNumber: 'That number is not one of the choices on offer. Type your question in words, or choose a topic:',
  unsupported: 'For now I can only read text messages. Please type your question.',
  unsupportedVoice: 'For now I can only read text messages, not listen to voice messages. Please type your question.',
  edited: 'I cannot read a message again once it is edited. If you have just corrected your question, please send it again as a new message.',
  sticker: 'Thank you! For now I can only read text messages: if you have a question, type it or choose a topic:',
  sources: 'Sources:',
  reviewed: (d: string) => `Approved on ${d}.`,
  readMore: 'Read more:',
  related: 'Related questions:',
  notFound: 'This content is no longer available.',
  menuButton: 'Topics',
  moreInTopic: (name: string) => `More on ${name}`,
  helpButton: 'Help',
  askHint: 'Type your question after the command, for example: /hoi how do I register a foreign NGO',
  eraseConfirm:
    'Do you want to delete your personal data (name, messages, subscriptions, quiz entries)? After deletion you will no longer receive news. Statistics not linked to your identity are kept as the law allows.',
  eraseYes: 'Yes, delete',
  eraseNo: 'No, keep it',
  eraseDone: 'Your personal data has been deleted under the Law on Personal Data Protection (Law No. 91/2025/QH15). You can still ask questions as before.',
  eraseCancelled: 'Cancelled. Your data is kept as it was.',
  feedbackQuestion: 'Was this answer helpful?',
  feedbackUp: '👍 Helpful',
  feedbackDown: '👎 Not right',
  feedbackThanks: 'Thank you for your feedback! If you have another question, just type it.',
  feedbackDownThanks: 'Thank you for telling us. Your question and the answer you got have been passed to the staff to review.',
  smallTalk: {
    thanks: 'You are welcome! If you have another question, type it or choose a topic:',
    ack: 'All right. Whenever you need, type a question or choose a topic:',
    bye: 'Goodbye! Message me whenever you need. Topics you can browse:',
    ask: 'Please type your question and I will look for an approved answer. Or choose a topic:',
    who: 'I am an automated assistant: I answer only with content the office has approved; questions without an answer yet go to the staff in charge.',
    human: (contact: string | null) =>
      contact
        ? `I am an automated assistant. To reach the staff, contact: ${contact}. You can also type your question here: questions without an approved answer yet go to the staff in charge. Or choose a topic:`
        : 'I am an automated assistant. Type your question here: questions without an approved answer yet go to the staff in charge, who will answer. Or choose a topic:',
    sorry: 'Sorry I have not been able to help. Try a short question with the key words (for example “health insurance card for children”), or choose a topic:',
  },
  chooseNumber: (n: number) =>
    n <= 1 ? 'Type 1 to choose.' : n <= 3 ? `Type ${Array.from({ length: n - 1 }, (_, i) => i + 1).join(', ')} or ${n} to choose.` : `Type a number from 1 to ${n} to choose.`,
};

/** Texts that exist only because there are two languages. */
export const LANG_TEXTS = {
  en: {
    /** The bot's greeting in English (the configured greeting is Vietnamese). */
    greeting: (bot: string) =>
      `Hello! I am ${bot}, the assistant of the communication office. Ask me about human rights and children's rights, personal data protection, local government, or the rules for foreign organisations and workers. Gõ /vi để dùng tiếng Việt.`,
    switched: 'I will answer in English from now on. Type /vi to switch back to Vietnamese.',
    /** Above a Vietnamese answer given to an English question (no English answer exists). */
    fallbackNote: 'There is no English answer to this yet; here is the approved answer in Vietnamese:',
    reviewedDate: (iso: string) => iso.slice(0, 10),
  },
  vi: {
    switched: 'Từ giờ tôi sẽ trả lời bằng tiếng Việt. Type /en for English.',
  },
} as const;

/** The core texts of a language. */
export function textsFor(lang: Lang): Texts {
  return lang === 'en' ? T_EN : T;
}
