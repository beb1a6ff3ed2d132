/**
 * Small talk: greetings, thanks, "ok", "bạn là ai", goodbyes, emoji.
 *
 * Why a module of its own: the knowledge base answers any text with the entry that shares the
 * most words, and "Chào bạn" shares "bạn" with the personal-data entry ("dữ liệu của bạn bị
 * lộ"), so greetings got answers and "cảm ơn nhé" went to the staff queue. Small talk is
 * recognised first, by a small lexicon of phrases, and never reaches the search.
 *
 * Two questions, two levels of caution:
 * - {@link classifySmallTalk}: is the *whole* message small talk? Every word must belong to a
 *   small-talk phrase, so a real question ("chào cờ là gì", "Loa là gì") never matches. Here
 *   the matching is loose (diacritics ignored, repeated letters, Telex leftovers such as
 *   "chaof", one typo in longer words): a false match costs a menu, not an answer.
 * - {@link stripGreeting}: a question that *starts* with small talk ("Chào bạn, cho mình hỏi
 *   trẻ em …") loses that start before it is searched. Here the matching is strict: a word
 *   typed with diacritics must match them ("chủ" is not "chú"), ambiguous particles must carry
 *   them ("nha" may be "nhà"), and the cut is made only where the greeting clearly ends (a
 *   comma, a particle, "cho mình hỏi", an addressee right after the greeting).
 *
 * Pure functions (the only state is a cache of normalised words).
 */
import { fold, placeTone } from '../text/vietnamese.js';
import { boundedMemo } from '../text/memo.js';

/** What a small-talk message is, which decides the friendly reply. */
export type SmallTalkKind = 'greeting' | 'thanks' | 'ack' | 'bye' | 'who' | 'ask' | 'call' | 'sorry' | 'human' | 'emoji';

/**
 * Pieces of small talk. `pronoun` (addressees: bạn, ad, Loa …), `particle` (ạ, nhé …) and
 * `tail` ("đã trả lời" in "cảm ơn bạn đã trả lời") are fillers: a message of fillers only is not
 * small talk by itself, and they never end a greeting on their own.
 */
type PieceKind = Exclude<SmallTalkKind, 'emoji' | 'sorry' | 'human'> | 'pronoun' | 'particle' | 'tail' | 'help' | 'try' | 'complain' | 'staff';

/** Pieces that are small talk only as a whole message (see `help` and `try` in the lexicon), and the reply they get. */
const WHOLE_ONLY: Partial<Record<PieceKind, SmallTalkKind>> = { help: 'ask', try: 'call', complain: 'sorry', staff: 'human' };

const PRONOUNS = ['mình', 'em', 'tôi', 'tớ', 'cháu', 'tui', 'con', 'anh', 'chị', 'bác'];

const ASK_CORES = [
  'cho hỏi',
  ...PRONOUNS.map((p) => `cho ${p} hỏi`),
  ...['', ...PRONOUNS].flatMap((p) => [`${p} muốn hỏi`, `${p} cần hỏi`, `${p} có câu hỏi`, `${p} muốn hỏi chút`].map((s) => s.trim())),
  'hỏi chút',
  'hỏi tí',
  'hỏi xíu',
  'hỏi thăm',
  'có thể cho hỏi',
  ...PRONOUNS.map((p) => `có thể cho ${p} hỏi`),
  'giúp với',
  ...PRONOUNS.map((p) => `giúp ${p} với`),
  'hỗ trợ với',
  ...PRONOUNS.map((p) => `hỗ trợ ${p} với`),
  'cần giúp',
  'cần giúp đỡ',
  'cần hỗ trợ',
  ...PRONOUNS.map((p) => `${p} cần giúp`),
  ...PRONOUNS.map((p) => `${p} cần hỗ trợ`),
];

/** The lexicon, in proper Vietnamese (NFC, with diacritics); folded forms are derived. */
const LEXICON: Record<PieceKind, string[]> = {
  greeting: [
    'chào', 'xin chào', 'kính chào', 'chào buổi sáng', 'chào buổi chiều', 'chào buổi tối',
    'chào buổi trưa', 'hi', 'hello', 'hey', 'alo', 'a lô', 'allo', 'hế lô', 'hê lô', 'hallo', 'good morning', 'chào mọi người',
    'khỏe không', 'có khỏe không', 'dạo này thế nào',
  ],
  thanks: [
    'cảm ơn', 'cám ơn', 'xin cảm ơn', 'xin cám ơn', 'camon', 'cảmơn', 'thanks', 'thank', 'thank you',
    'thanks you', 'thank u', 'tks', 'thks', 'thx', 'thanx', 'ty', 'cảm ơn nhiều', 'đa tạ', 'thank you so much',
    'thanks so much', 'thanks a lot',
  ],
  ack: [
    'ok', 'oke', 'okay', 'okie', 'oki', 'okê', 'ô kê', 'okela', 'okey', 'ừ', 'ừm', 'uh', 'uhm', 'um', 'ờ',
    'vâng', 'dạ', 'dạ vâng', 'à vâng', 'được', 'được rồi', 'rồi', 'hiểu rồi', 'biết rồi', 'rõ rồi', 'đã hiểu',
    'đã rõ', 'tốt', 'tốt quá', 'hay quá', 'tuyệt', 'tuyệt vời', 'good', 'great', 'nice', 'yes', 'đúng rồi',
    'chuẩn', 'hihi', 'haha', 'hehe', 'kaka', 'hì', 'hì hì', 'xin lỗi', 'không sao', 'ồ', 'ra vậy',
    'thì ra vậy', 'thế à', 'vậy à', 'à ra vậy', 'có', 'không',
    // Replies to the bot's own "Câu trả lời này có hữu ích không?" typed instead of pressing 👍.
    'hữu ích', 'có ích', 'bổ ích', 'giúp ích', 'thông tin hữu ích', 'thông tin rất hữu ích', 'thông tin bổ ích',
    'thông tin rất bổ ích', 'thông tin hay', 'thông tin rất hay',
    // "Never mind" with nothing under way (a flow's own cancel is its feature's, which reads
    // text first): "thôi" and "không cần" went to the staff queue as unanswered questions, and
    // the person was told their question had been passed on.
    'thôi', 'thôi được', 'thôi được rồi', 'thôi khỏi', 'thôi không cần', 'không cần', 'không cần nữa', 'không cần đâu',
    'bỏ qua', 'không có gì', 'cancel', 'never mind', 'nevermind',
  ],
  bye: [
    'tạm biệt', 'bye', 'bye bye', 'bai', 'goodbye', 'good bye', 'hẹn gặp lại', 'chúc ngủ ngon', 'ngủ ngon',
    'gặp lại sau', 'pp', 'chúc một ngày tốt lành', 'chúc bạn một ngày tốt lành', 'chúc ngày tốt lành',
    // "That's all": sent to the staff queue as a question too (citizen trial, session 16).
    'hết rồi', 'xong rồi', 'vậy thôi', 'thế thôi', 'chỉ vậy thôi', 'chỉ thế thôi', 'vậy là xong', 'thế là xong',
    'không hỏi nữa', 'không hỏi gì nữa', 'hết câu hỏi', 'không còn gì', 'không còn câu hỏi', 'không còn câu hỏi nào',
    'không có câu hỏi', 'that is all', 'nothing else',
  ],
  who: [
    'là ai', 'là ai vậy', 'là ai thế', 'tên gì', 'tên là gì', 'là bot à', 'là bot hả', 'là robot à',
    'là người hay máy', 'là người thật à', 'là người thật không', 'có phải là bot không', 'có phải bot không',
    'là máy à', 'làm được gì', 'giúp được gì', 'có thể làm gì', 'có thể giúp gì', 'biết làm gì', 'ai đấy',
    'ai đây', 'ai vậy', 'ai thế', 'tên bạn là gì',
  ],
  ask: ASK_CORES,
  call: [
    'ơi', 'có ai không', 'có ai ở đó không', 'có ai ở đây không', 'có ai trực không', 'còn đó không',
    'ở đó không', 'có đó không',
  ],
  // Whole messages only (never cut from the start of a question: "hướng dẫn làm khai sinh",
  // "giúp việc có được đóng bảo hiểm không", "test nhanh covid ở đâu" are questions).
  // Asking for the menu or for help ("menu", "hướng dẫn"), answered as "cho mình hỏi" is: the
  // search answered them with whichever entry shares the word ("hướng dẫn" -> the online birth
  // registration; "menu", corrected to "miễn", -> free legal aid), confidently. And not
  // understanding the last reply ("hả", "gì cơ").
  help: [
    'menu', 'menu đi', 'xem menu', 'cho xem menu', 'mở menu', 'danh mục', 'mục lục', 'hướng dẫn', 'hướng dẫn sử dụng',
    'cách sử dụng', 'cách dùng', 'dùng thế nào', 'dùng như thế nào', 'trợ giúp', 'help', 'giúp', 'giúp đỡ', 'bắt đầu', 'start',
    'chủ đề', 'xem chủ đề', 'các chủ đề', 'hỏi gì', 'hỏi được gì', 'hỏi gì được', 'hỏi cái gì',
    'hả', 'hở', 'hử', 'gì cơ', 'sao cơ', 'là sao', 'gì vậy', 'gì thế',
    // Going back, as on a phone menu: "quay lại" under a topic's questions went to the staff
    // queue as a question (citizen trial, session 17).
    'quay lại', 'trở lại', 'quay về', 'trở về', 'về menu', 'về đầu', 'menu chính', 'trang chính', 'trang chủ', 'bắt đầu lại',
    'xem lại chủ đề', 'quay lại chủ đề', 'quay lại menu', 'back', 'go back', 'main menu',
  ],
  // Someone trying the bot out, greeted as a call is.
  try: ['test', 'testing', 'test thử', 'thử bot', 'kiểm tra bot'],
  // Annoyance at the bot ("bot ngu thế", "chả hiểu gì"): an apology and how to ask, never a
  // question for staff. It went to the staff queue as an unanswered question (lead trial).
  // Single words whose folded form is a common other word ("dở"/"đó", "tệ"/"tế", "kém"/"kem")
  // are left out: the whole-message match ignores diacritics.
  complain: [
    'ngu', 'ngu thế', 'ngu vậy', 'ngu ngốc', 'ngốc', 'ngốc thế', 'dốt', 'dốt thế', 'dở tệ', 'dở hơi', 'tệ thế', 'kém thế',
    'vô dụng', 'vô dụng thế', 'vô dụng vậy', 'vô tích sự', 'chán', 'chán thế', 'chán vậy', 'bực mình', 'linh tinh', 'trả lời linh tinh', 'nói linh tinh',
    'vớ vẩn', 'trả lời vớ vẩn', 'không hiểu gì', 'không hiểu gì cả', 'chẳng hiểu gì', 'chẳng hiểu gì cả', 'chả hiểu gì', 'chả hiểu gì cả', 'không được gì',
    'chẳng được gì', 'chả được gì', 'hỏi mãi không được', 'không biết gì', 'chẳng biết gì', 'chả biết gì', 'không biết gì à',
    'không trả lời được à', 'không giúp được gì',
    // "Wrong" once the answer's 👍/👎 is no longer the last question (a typed vote is read first
    // while it is): queued for staff as the question "sai rồi" (citizen trial, session 16).
    'sai', 'sai rồi', 'sai bét', 'sai hết', 'sai hết rồi', 'không đúng', 'chưa đúng', 'không đúng rồi', 'trả lời sai',
    'trả lời chưa đúng', 'trả lời không đúng', 'không phải', 'không phải cái này', 'không phải cái tôi hỏi',
  ],
  // Asking for a person ("cho tôi gặp cán bộ", "nói chuyện với người thật"): the office's
  // contact, and that a question typed here reaches the staff. It was searched as a question.
  staff: [
    'gặp cán bộ', 'gặp người thật', 'gặp nhân viên', 'gặp tư vấn viên', 'người thật', 'nhân viên', 'tư vấn viên',
    'tổng đài viên', 'cần gặp cán bộ', 'muốn gặp cán bộ', 'cho gặp cán bộ', 'cho tôi gặp cán bộ', 'cho em gặp cán bộ',
    'cho mình gặp cán bộ', 'cho gặp người thật', 'cho tôi gặp người thật', 'cho em gặp người thật', 'cho gặp nhân viên',
    'cho tôi gặp nhân viên', 'nói chuyện với người thật', 'nói chuyện với cán bộ', 'nói chuyện với nhân viên',
    'chat với người thật', 'chat với cán bộ', 'liên hệ', 'thông tin liên hệ', 'liên hệ cán bộ', 'liên hệ với cán bộ', 'số điện thoại liên hệ',
    'số điện thoại cán bộ', 'hotline', 'đường dây nóng', 'talk to a human', 'talk to a person', 'human', 'real person',
  ],
  pronoun: [
    'bạn', 'các bạn', 'ad', 'admin', 'bot', 'loa', 'anh', 'chị', 'em', 'anh chị', 'anh chị em', 'tôi', 'mình',
    'tớ', 'tui', 'ông', 'bà', 'bác', 'cô', 'chú', 'cậu', 'cháu', 'con', 'mọi người', 'cả nhà', 'shop', 'robot',
    'trợ lý', 'ban quản trị', 'quản trị viên', 'cán bộ', 'tổng đài',
  ],
  particle: ['ạ', 'à', 'á', 'nhé', 'nhe', 'nha', 'nhá', 'nhen', 'hen', 'ha', 'nhỉ', 'nhiều', 'lắm', 'rất', 'quá', 'luôn', 'với', 'nhiu', 'nhìu', 'ah', 'ạh'],
  tail: [
    'đã trả lời', 'vì đã trả lời', 'đã giúp', 'vì đã giúp', 'đã giúp đỡ', 'đã hỗ trợ', 'vì đã hỗ trợ',
    'đã giải đáp', 'vì đã giải đáp', 'đã giải đáp thắc mắc', 'vì đã giải đáp thắc mắc', 'đã tư vấn', 'nhiệt tình',
    'chút', 'xíu', 'tí',
  ],
};

/**
 * Particles whose diacritic-free form is also a common content word ("nha" – nhà, "ha" – Hà,
 * "lam" – làm, "qua" – quà): when stripping, they count only when typed with their diacritics.
 */
const AMBIGUOUS_BARE = new Set(['nha', 'ha', 'lam', 'qua', 'nhieu', 'a']);

/** Greetings that may begin a question ("chào cờ", "chào mừng"): no cut right after them. */
const OPEN_GREETINGS = new Set(['chao']);

/** Longest message (in words) that can be small talk: longer ones are questions. */
export const MAX_SMALL_TALK_WORDS = 12;

/** Words read at the start of a question when looking for the greeting it opens with. */
const GREETING_LOOKAHEAD = 24;

/** Lower case, NFC, canonical tone placement, runs of one letter collapsed ("chàooo" -> "chào"). */
function norm(word: string): string {
  return placeTone(word.normalize('NFC').toLowerCase()).replace(/(\p{L})\1+/gu, '$1');
}

interface Word {
  /** Normalised, with diacritics as typed. */
  accented: string;
  /** Normalised, without diacritics. */
  folded: string;
}

interface Token extends Word {
  start: number;
  end: number;
  /** Whether the word was typed with diacritics. */
  marked: boolean;
  /** The lexicon words this one may loosely stand for (see {@link looseWords}); computed once. */
  firsts: string[] | null;
}

interface Phrase {
  kind: PieceKind;
  words: Word[];
}

const toWord = (w: string): Word => {
  const accented = norm(w);
  return { accented, folded: fold(accented) };
};

const PHRASES: Phrase[] = (Object.entries(LEXICON) as [PieceKind, string[]][])
  .flatMap(([kind, list]) => list.map((p) => ({ kind, words: p.split(/\s+/).filter(Boolean).map(toWord) })))
  // Longest first: "xin chào" before "xin", "cho mình hỏi" before "mình".
  .sort((a, b) => b.words.length - a.words.length);

/** Folded words of the lexicon, for the typo-tolerant whole-message match. */
const VOCAB = new Set(PHRASES.flatMap((p) => p.words.map((w) => w.folded)));

/**
 * The phrases by their first word (folded), each list longest first, with each phrase's rank in
 * PHRASES so candidates from several lists keep that order. Matching at a position then looks
 * only at phrases that can start there instead of all ~250 of them.
 */
const BY_FIRST = new Map<string, { rank: number; phrase: Phrase }[]>();
PHRASES.forEach((phrase, rank) => {
  const first = phrase.words[0]!.folded;
  const list = BY_FIRST.get(first) ?? [];
  list.push({ rank, phrase });
  BY_FIRST.set(first, list);
});

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

// Each message is read twice (is it small talk? does it start with some?) and people type the
// same few thousand words: each typed word is normalised once. Bounded so odd input can't grow
// it forever.
const cachedWord = boundedMemo(toWord, 50_000);

/**
 * The words of a text, normalised; at most `limit` of them (a long question is never small
 * talk, and only its first words can be a greeting: normalising all of them cost more than
 * answering).
 */
function tokenize(text: string, limit = Infinity): Token[] {
  const out: Token[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m && out.length < limit; m = WORD.exec(text)) {
    const { accented, folded } = cachedWord(m[0]);
    out.push({ accented, folded, start: m.index, end: m.index + m[0].length, marked: folded !== accented, firsts: null });
  }
  return out;
}

/** True when a and b differ by at most one insertion, deletion, substitution or swap. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** A word typed in Telex without the input method: "chaof" (chào), "camr own" (cảm ơn). */
function telexBare(folded: string): string {
  const s = folded.replace(/([aou])w/g, '$1');
  return s.length > 2 && /[sfrxj]$/.test(s) ? s.slice(0, -1) : s;
}

function looseEqual(t: Token, w: Word, kind: PieceKind): boolean {
  // Fillers typed with diacritics must have them right: "nhà" is not "nha", "có" is not "cô".
  if (t.marked && FILLERS.has(kind)) return t.accented === w.accented;
  if (t.folded === w.folded) return true;
  if (telexBare(t.folded) === w.folded) return true;
  return t.folded.length >= 4 && w.folded.length >= 4 && !VOCAB.has(t.folded) && withinOneEdit(t.folded, w.folded);
}

function strictEqual(t: Token, w: Word, kind: PieceKind): boolean {
  if (t.marked) return t.accented === w.accented;
  if (kind === 'particle' && AMBIGUOUS_BARE.has(t.folded)) return false;
  return t.folded === w.folded;
}

interface Piece {
  kind: PieceKind;
  /** Token index after the piece. */
  end: number;
  /** The phrase, folded ("xin chao"). */
  key: string;
}

/**
 * The lexicon words (folded) a token may loosely match: itself, its Telex-bare form, or for
 * longer unknown words one edit away. A superset of what {@link looseEqual} accepts, which
 * still decides; empty means no phrase can cover the token.
 */
function looseWords(t: Token): string[] {
  if (t.firsts) return t.firsts;
  const out: string[] = [];
  if (VOCAB.has(t.folded)) out.push(t.folded);
  const bare = telexBare(t.folded);
  if (bare !== t.folded && VOCAB.has(bare)) out.push(bare);
  if (t.folded.length >= 4 && !VOCAB.has(t.folded))
    for (const v of VOCAB) if (v.length >= 4 && v !== bare && withinOneEdit(t.folded, v)) out.push(v);
  t.firsts = out;
  return out;
}

/** The phrases that may start at a token, in PHRASES order. */
function candidates(t: Token, loose: boolean): Phrase[] {
  if (!loose) return (BY_FIRST.get(t.folded) ?? []).map((c) => c.phrase);
  const words = looseWords(t);
  if (words.length === 1) return (BY_FIRST.get(words[0]!) ?? []).map((c) => c.phrase);
  return words
    .flatMap((w) => BY_FIRST.get(w) ?? [])
    .sort((a, b) => a.rank - b.rank)
    .map((c) => c.phrase);
}

function matchAt(tokens: Token[], i: number, loose: boolean): Piece[] {
  const out: Piece[] = [];
  for (const p of candidates(tokens[i]!, loose)) {
    if (i + p.words.length > tokens.length) continue;
    let ok = true;
    for (let j = 0; j < p.words.length && ok; j++) {
      const t = tokens[i + j]!;
      ok = loose ? looseEqual(t, p.words[j]!, p.kind) : strictEqual(t, p.words[j]!, p.kind);
    }
    if (ok) out.push({ kind: p.kind, end: i + p.words.length, key: p.words.map((w) => w.folded).join(' ') });
  }
  return out;
}

/** Covers all tokens with phrases (longest first, with backtracking); null when impossible. */
function segment(tokens: Token[]): Piece[] | null {
  const failed = new Set<number>();
  const walk = (i: number): Piece[] | null => {
    if (i === tokens.length) return [];
    if (failed.has(i)) return null;
    for (const piece of matchAt(tokens, i, true)) {
      const rest = walk(piece.end);
      if (rest) return [piece, ...rest];
    }
    failed.add(i);
    return null;
  };
  return walk(0);
}

const FILLERS = new Set<PieceKind>(['pronoun', 'particle', 'tail']);
/** When several kinds occur ("chào bạn, bạn là ai"), the reply answers the most telling. */
const PRIORITY: SmallTalkKind[] = ['human', 'sorry', 'who', 'bye', 'thanks', 'ask', 'greeting', 'call', 'ack'];

/**
 * The kind of small talk the whole message is, or null when it is (or contains) anything else.
 *
 * @example
 * classifySmallTalk('Chào bạn') // 'greeting'
 * classifySmallTalk('cam on nhe') // 'thanks'
 * classifySmallTalk('👍') // 'emoji'
 * classifySmallTalk('Chào bạn, trẻ em có được cấp thẻ bảo hiểm y tế không?') // null
 */
export function classifySmallTalk(text: string): SmallTalkKind | null {
  const nfc = text.normalize('NFC');
  const tokens = tokenize(nfc, MAX_SMALL_TALK_WORDS + 1);
  if (tokens.length === 0) return nfc.trim() ? 'emoji' : null;
  if (tokens.length > MAX_SMALL_TALK_WORDS) return null;
  // A word no lexicon word can stand for ("bảo", "hiểm") makes it a question at once.
  if (tokens.some((t) => looseWords(t).length === 0)) return null;
  const pieces = segment(tokens);
  if (!pieces) return null;
  const kinds = new Set(pieces.map((p) => WHOLE_ONLY[p.kind] ?? p.kind));
  for (const k of PRIORITY) if (kinds.has(k as PieceKind)) return k;
  // Fillers only: "bot", "ad" alone call for attention; "ạ", "nhé" acknowledge.
  if (pieces.every((p) => p.kind === 'particle')) return 'ack';
  if (tokens.length === 1 && pieces[0]!.kind === 'pronoun') return 'call';
  return null;
}

/**
 * The question without the small talk it starts with, or the text unchanged.
 *
 * @example
 * stripGreeting('Chào bạn, cho mình hỏi trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không?')
 * // 'trẻ em có được cấp thẻ bảo hiểm y tế miễn phí không?'
 * stripGreeting('chào cờ là gì') // 'chào cờ là gì'
 */
export function stripGreeting(text: string): string {
  const nfc = text.normalize('NFC');
  // The run of small-talk pieces the message starts with (strict, longest first). Only the
  // first words are read unless the run goes on past them.
  const run = (tokens: Token[]): Piece[] => {
    const pieces: Piece[] = [];
    let i = 0;
    while (i < tokens.length) {
      const piece = matchAt(tokens, i, false)[0];
      if (!piece || WHOLE_ONLY[piece.kind]) break;
      pieces.push(piece);
      i = piece.end;
    }
    return pieces;
  };
  let tokens = tokenize(nfc, GREETING_LOOKAHEAD);
  let pieces = run(tokens);
  if (tokens.length === GREETING_LOOKAHEAD && (pieces.at(-1)?.end ?? 0) >= GREETING_LOOKAHEAD - 1) {
    tokens = tokenize(nfc);
    pieces = run(tokens);
  }
  let cut = 0;
  let seenCore = false;
  pieces.forEach((p, n) => {
    if (!FILLERS.has(p.kind)) seenCore = true;
    if (!seenCore || p.end >= tokens.length) return;
    const between = nfc.slice(tokens[p.end - 1]!.end, tokens[p.end]!.start);
    const prev = pieces[n - 1];
    const ends =
      /[,.!?;:…\n–-]/.test(between) ||
      p.kind === 'ask' ||
      p.kind === 'particle' ||
      p.kind === 'call' ||
      p.kind === 'thanks' ||
      (p.kind === 'greeting' && !OPEN_GREETINGS.has(p.key)) ||
      // "Chào bạn trẻ em …": an addressee right after the greeting (not "Loa ơi, Loa là gì").
      (p.kind === 'pronoun' &&
        prev !== undefined &&
        (prev.kind === 'greeting' || prev.kind === 'call' || prev.kind === 'thanks') &&
        !/[^\s]/.test(nfc.slice(tokens[prev.end - 1]!.end, tokens[prev.end]!.start)));
    if (ends) cut = p.end;
  });
  if (cut === 0) return nfc.trim();
  return nfc.slice(tokens[cut]!.start).trim();
}
