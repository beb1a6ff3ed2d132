/**
 * Which language a question is written in: Vietnamese or English. Offline and cheap (a few
 * set look-ups per word, microseconds per question): it runs on every message before the search.
 *
 * Vietnamese typed without diacritics ("lam the nao de dang ky khai sinh", "bhyt tre em") must
 * stay Vietnamese, so diacritics are only one piece of evidence. Each word votes:
 * - a letter only Vietnamese uses (ă â đ ê ô ơ ư, a tone mark): Vietnamese;
 * - a frequent English word ("how", "register", "the"…) that is not also a frequent
 *   Vietnamese syllable: English;
 * - a frequent Vietnamese syllable typed without marks ("cho", "nguoi", "khai"), or a
 *   Vietnamese abbreviation ("bhyt", "ubnd"): Vietnamese;
 * - a word that cannot be one Vietnamese syllable ("permit", "foreign", "rules": a cluster,
 *   or a final consonant Vietnamese never ends on): English;
 * - a word that is both (the Vietnamese "the", "do", "an" and the English ones) votes nothing.
 * A capitalised word inside a sentence is most often a name ("Hà Nội", "Tân Lập") and votes
 * for a quarter. The language with more votes wins; with too little evidence either way
 * ("ok", "1", "covid") the answer is `undefined` and the caller keeps the person's language.
 */
import { builtinLexicon } from './lexicon.js';

/** The languages Loa answers in. */
export type Lang = 'vi' | 'en';

/** The languages, for validation (zod enums, the CLI). */
export const LANGS = ['vi', 'en'] as const;

/**
 * Frequent English words: function words and the everyday words of visitors' questions. A word
 * that is also a frequent Vietnamese syllable written without marks is listed here but cancelled
 * by {@link VI_COMMON} (both vote nothing).
 */
const EN_WORDS = `
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further get
got had has have having he her here hers him his how i if in into is it its itself just me more
most my no nor not now of off on once only or other our out over own same she should so some such
than that the their them then there these they this those through to too under until up very was
we were what when where which while who whom why will with would you your yours yourself hello hi
hey thanks thank please dear sir madam regards help need want know tell find ask asking question
questions answer information info register registration registered apply application permit
permits work working worker workers job employment employer employ visa visas passport foreign
foreigner foreigners office representative organisation organization organizations organisations
ngo ngos company business businesses law laws legal rule rules regulation regulations decree
decrees right rights human child children convention when which report reporting complaint
complain personal data protection privacy consent government local province provincial commune
district ministry department embassy staff employee employees hire hiring new old first last
year years month months day days time long much many does doesnt dont cant isnt arent wont
country vietnam vietnamese english speak language translate translation official officials
required require requirement requirements document documents paper papers procedure procedures
process fee fees cost costs free pay paid ratify ratified ratification signed sign treaty
treaties united nations review periodic universal abuse violence family woman women girl boy
birth marriage death certificate resident residence stay living live city address phone number
email contact website online submit submitted send sent where whom whose should must may might
shall get getting make making take taking give giving see look looking anyone someone something
anything nothing everything there's what's how's i'm i've you're it's ok okay
best better good bad great near nearest far cheap expensive price prices public service services centre center
restaurant food hotel room bus train car taxi airport bank money tax taxes school schools hospital doctor
doctors police church weather today tomorrow weekend night morning open close closed buy sell rent pay cost
people person man men friend friends wife husband son daughter parents mother father home house apartment
street road city town village area place places water electricity internet phone card account student
students teacher university company companies factory office offices business manager staff contract
salary wage wages tourist tourists travel trip visit visiting visitor visitors safe dangerous problem
problems issue issues change changed changes still already ever never always often again late early
other another between without within against each every second third next last same different
important possible available allowed legal illegal true false fake news post posts online website
agency authority authorities provincial national international foreign local social private personal
health insurance care police report reported reports complaint complaints tell told say said
think believe wish hope worried worry sorry excuse morning afternoon evening
`;

/**
 * Frequent Vietnamese syllables in folded form (without marks), besides the shipped lexicon's.
 * The ones that are also English words ("to", "an", "the", "do", "me", "hi") are deliberately
 * here too: they then vote for neither language.
 */
const VI_COMMON = `
cho toi hoi em anh chi ban minh la lam the nao gi sao duoc khong co can phai thi va voi cua nhung
cac mot hai ba bon nam sau bay tam chin muoi nguoi dan nha nuoc xa phuong tinh huyen thon ap tre
con be gai trai vo chong me bo ong ba chau dang ky khai sinh tu hon nhan giay to ho so thu tuc
bao hiem y te quyen luat nghi dinh thong tu quyet so tien phi mat bao lau o dau khi nao may di den
ve tai trong ngoai tren duoi sau truoc hay nen neu vi do de ma roi nua a a ha nhe nhi oi da vang
ok oke uh um xin chao cam on biet muon hoi dap tra loi giup do ho tro gi vay the nay kia day do
an toan viec chinh quyen uy ban nhan dan cong an toa hanh chinh du lieu ca nhan to cao khieu nai
phap ly mien tro giup xa hoi hien phap cong uoc quoc te viet me to tin
`;

/** Letters only Vietnamese writes (composed, lower case), tone marks on any vowel included. */
const VI_LETTERS = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/u;

/**
 * One Vietnamese syllable in folded form: an onset, a vowel cluster, a final. Lenient (a few
 * impossible syllables pass), never too strict: every real syllable must pass.
 */
const VI_SYLLABLE =
  /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?(uye|uya|uyu|oai|oay|oeo|uay|uoi|uou|ieu|yeu|uao|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|ya|a|e|i|o|u|y)(ch|ng|nh|c|m|n|p|t)?$/;

const fold = (w: string): string => w.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd');

let tables: { en: Set<string>; vi: Set<string> } | undefined;

/** The word tables, built on first use (the lexicon adds its folded syllables and abbreviations). */
function wordTables(): { en: Set<string>; vi: Set<string> } {
  if (!tables) {
    const en = new Set(EN_WORDS.split(/\s+/).filter(Boolean).map((w) => w.replace(/'/g, '')));
    const vi = new Set(VI_COMMON.split(/\s+/).filter(Boolean));
    const lex = builtinLexicon();
    for (const group of [...lex.abbreviations, ...lex.related])
      for (const term of group)
        for (const w of term.split(/[^\p{L}\p{N}]+/u)) {
          // A syllable of the lexicon's Vietnamese words; the everyday wordings also hold
          // loanwords ("fake news", "online"), which are not Vietnamese evidence.
          const f = fold(w);
          if (f.length > 0 && !en.has(f) && (VI_LETTERS.test(w) || VI_SYLLABLE.test(f))) vi.add(f);
        }
    // The abbreviations ("bhyt", "ubnd", "cccd") are Vietnamese evidence, whatever their letters.
    for (const group of lex.abbreviations)
      for (const term of group.slice(1)) if (/^[a-z0-9]+$/.test(term) && !en.has(term)) vi.add(term);
    tables = { en, vi };
  }
  return tables;
}

/** The votes of a text for each language (exported for tests and diagnostics). */
export function languageVotes(text: string): { vi: number; en: number; enWords: number } {
  const { en, vi } = wordTables();
  let viVotes = 0;
  let enVotes = 0;
  // English is only ever decided with at least one frequent English word: product names and
  // loanwords alone ("giá iphone 16 pro max", "reset modem wifi") do not make English.
  let enWords = 0;
  // Links, e-mail addresses and domain names are no evidence of either language.
  const words =
    text
      .normalize('NFC')
      .replace(/\b(?:https?:\/\/|www\.)\S+|\S+@\S+|\b[\w-]+(?:\.[\w-]+)+\/?\S*/giu, ' ')
      .match(/[\p{L}']+/gu) ?? [];
  let sentenceStart = true;
  for (let i = 0; i < words.length; i++) {
    const raw = words[i]!;
    const lower = raw.toLowerCase();
    // A name inside a sentence ("Hà Nội" in an English question) counts little.
    const weight = !sentenceStart && raw[0] !== lower[0] && i > 0 ? 0.25 : 1;
    sentenceStart = false;
    if (VI_LETTERS.test(lower)) {
      viVotes += weight;
      continue;
    }
    const w = lower.replace(/'/g, '');
    const isEn = en.has(w);
    const isVi = vi.has(w);
    if (isEn && isVi) continue;
    if (isEn) {
      enVotes += weight;
      enWords++;
    }
    else if (isVi) viVotes += weight;
    else if (/[^a-z]/.test(w)) continue; // another script or accents of another language
    else if (VI_SYLLABLE.test(w)) viVotes += 0.5 * weight; // a possible syllable, not a frequent one
    else if (w.length > 1) enVotes += 0.75 * weight;
  }
  return { vi: viVotes, en: enVotes, enWords };
}

/**
 * The language of a question, or `undefined` when the text says too little ("ok", "?", a
 * number, a name alone): the caller then keeps the person's language.
 *
 * @example detectLanguage('How do I register a foreign NGO?') // 'en'
 * @example detectLanguage('lam the nao de dang ky khai sinh') // 'vi'
 */
export function detectLanguage(text: string): Lang | undefined {
  const v = languageVotes(text);
  if (v.enWords >= 1 && v.en >= 1 && v.en > v.vi * 1.2) return 'en';
  if (v.vi >= 1 && v.vi >= v.en) return 'vi';
  return undefined;
}
