/**
 * The English analyzer: the same {@link Analyzer} contract as the Vietnamese one (./analyzer.ts),
 * so the search, the decision and the calibration run unchanged on English content.
 *
 * - lower case, accents dropped ("Việt Nam" -> "viet nam"), British spellings brought to one
 *   form ("organisation" = "organization", "labour" = "labor", "neighbour", "recognise",
 *   "paedophile", "analyse"), irregular plurals to the singular ("children", "women");
 * - abbreviations rewritten to their full form first ("NGO", "CRC", "UPR");
 * - stop words left out of the search (they stay in the text: "rights of the child");
 * - each word reduced to its stem by the Porter stemmer (1980), so "registering" and
 *   "registered" meet, with a few forms it leaves apart brought together ("registration",
 *   "complaint", "denunciation", "notification": {@link englishStem});
 * - bigrams of adjacent content words ("work permit", "personal data") score as units.
 * Typos: a query word the indexed texts never used is first corrected to a word they used one
 * edit away ("exmption" -> "exemption", "persnal" -> "personal"), before stemming: the stem of a
 * misspelt word is often far from the right stem. The search then corrects stems as it does for
 * Vietnamese (../knowledge/search.ts).
 *
 * An English token has one form: `exact` and `folded` are both the stem, `marked` is true (so the
 * search never falls back to a diacritic-free form, which English does not have).
 *
 * Why our own stemmer: none of the dependencies has one, and the Porter algorithm is 200 lines,
 * stable since 1980, and easy to test against its published examples.
 */
import type { Analyzer, Expansion, QueryAnalysis, Token } from './analyzer.js';

/** Bumped when the analysis changes: part of the index snapshot key. */
export const ENGLISH_ANALYZER_VERSION = 3;

/** English function words and chat filler: no topic of their own. */
const STOP = new Set(
  `a about above after again against all am an and any are aren't as at be because been before being below between
both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from
further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not
of off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's should
shouldn't so some such than that that's the their theirs them themselves then there there's these they they'd
they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're we've were
weren't what what's when when's where where's which while who who's whom why why's with won't would wouldn't you
you'd you'll you're you've your yours yourself yourselves hello hi hey dear please thanks thank thx pls plz sir
madam mr mrs ms kindly regards cheers would like just also really actually anyone someone somebody tell know want
wondering wonder question ask asking help could can may might must shall will yes ok okay excuse sorry pardon
greetings hiya yo oh hmm um uh guys folks anybody anything something everything everyone everybody somewhere
anywhere maybe perhaps etc u ur im ive wanna gonna gotta lets still already yet ever even else either neither whose
whatever whenever wherever however therefore thus hence although though unless since whether via upon appreciate
say says said`
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.replace(/'/g, '')),
);

/**
 * Everyday words of administrative questions: real words that say little about *which* service
 * is asked about ("procedure", "document", "need"). Reduced weight, as the Vietnamese generic
 * words (./stopwords.ts). Listed as words; compared as stems.
 */
const GENERIC_WORDS = `procedure procedures document documents paper papers need needs needed require required
requirement requirements get getting apply applying application rule rules regulation regulations law laws
legal information info detail details fee fees cost costs long time times year years month months day days
new first current currently now today online where how get got make made people person vietnam viet nam
government official officially process step steps way ways thing things find look looking much many go going
possible possibly allowed able`;

/**
 * Abbreviations and spelling variants, the full form first (matched on whole words, longest
 * first). Kept short and general: what visitors and foreign organisations type.
 */
const ABBREVIATIONS: readonly (readonly string[])[] = [
  ['non governmental organization', 'ngo', 'ngos', 'non-governmental organization', 'nongovernmental organization'],
  ['foreign non governmental organization', 'ingo', 'ingos', 'fngo', 'fngos'],
  ['convention on the rights of the child', 'crc', 'uncrc'],
  ['universal periodic review', 'upr'],
  ['personal data protection', 'pdp', 'pdpl', 'pdpd'],
  ['united nations', 'un'],
  ['vietnam', 'viet nam', 'vn', 'việt nam'],
  ['office of the high commissioner for human rights', 'ohchr'],
  ['department of foreign affairs', 'dofa'],
  ['representative office', 'rep office'],
  ['work permit', 'working permit', 'labor permit'],
  ['temporary residence card', 'trc'],
  ['peoples committee', 'people committee'],
  ['international covenant on civil and political rights', 'iccpr', 'ccpr'],
  ['international covenant on economic social and cultural rights', 'icescr', 'cescr'],
  ['convention on the elimination of all forms of discrimination against women', 'cedaw'],
  ['convention against torture', 'uncat'],
  ['convention on the rights of persons with disabilities', 'crpd', 'uncrpd'],
  ['international convention on the elimination of all forms of racial discrimination', 'icerd', 'cerd'],
  ['human rights council', 'unhrc', 'hrc'],
  ['international labor organization', 'ilo'],
  ['ministry of foreign affairs', 'mofa'],
  ['data protection officer', 'dpo'],
  ['data protection impact assessment', 'dpia'],
  ['gender based violence', 'gbv'],
  ['memorandum of understanding', 'mou'],
  ['social insurance', 'bhxh'],
  ['health insurance', 'bhyt'],
  ['ho chi minh city', 'hcmc', 'hcm city', 'saigon', 'sai gon'],
];

/** British spellings brought to the American form the stemmer then reduces alike. */
const SPELLING: Record<string, string> = {
  labour: 'labor',
  labours: 'labors',
  centre: 'center',
  centres: 'centers',
  licence: 'license',
  licences: 'licenses',
  programme: 'program',
  programmes: 'programs',
  defence: 'defense',
  offence: 'offense',
  favour: 'favor',
  behaviour: 'behavior',
  enrol: 'enroll',
  enrolment: 'enrollment',
  judgement: 'judgment',
  counselling: 'counseling',
  travelling: 'traveling',
  cancelled: 'canceled',
  authorise: 'authorize',
  authorised: 'authorized',
  recognise: 'recognize',
  recognised: 'recognized',
  organise: 'organize',
  organised: 'organized',
  realise: 'realize',
  apologise: 'apologize',
  minimise: 'minimize',
  prioritise: 'prioritize',
  criticise: 'criticize',
  metre: 'meter',
  metres: 'meters',
  litre: 'liter',
  litres: 'liters',
  theatre: 'theater',
  fibre: 'fiber',
  foetus: 'fetus',
  ageing: 'aging',
  enquiry: 'inquiry',
  enquiries: 'inquiries',
  enquire: 'inquire',
  cheque: 'check',
  cheques: 'checks',
  catalogue: 'catalog',
  dialogue: 'dialog',
  practise: 'practice',
  practised: 'practiced',
  practising: 'practicing',
  fulfil: 'fulfill',
  instalment: 'installment',
  instalments: 'installments',
  acknowledgement: 'acknowledgment',
  licenced: 'licensed',
  pretence: 'pretense',
  offences: 'offenses',
  counsellor: 'counselor',
  counsellors: 'counselors',
  traveller: 'traveler',
  travellers: 'travelers',
  paycheque: 'paycheck',
};

/**
 * British words in -our- ("colour", "neighbourhood", "labourer"): the American -or- form. Listed,
 * since "hour", "tour", "your" and "four" keep theirs.
 */
const OUR = /^(arbour|ardour|armour|behaviour|candour|clamour|colour|demeanour|endeavour|favour|fervour|flavour|harbour|honour|humour|labour|neighbour|odour|parlour|rancour|rigour|rumour|saviour|savour|splendour|tumour|valour|vapour|vigour)/;

/**
 * British verbs in -ise (and their -ised, -ising, -iser, -isation forms) that American English
 * writes -ize: the stem before "is". Listed, since "advise", "promise", "exercise", "raise",
 * "enterprise" and "supervise" are -ise in both.
 */
const ISE = new Set(
  `apolog author capital categor central character civil computer critic custom decentral democrat digit econom
emphas familiar final global harmon hospital immun international item jeopard legal local maxim memor minim mobil
modern national natural neutral normal optim organ penal polar popular prior privat public real recogn revolution sanit
scrutin sensit social special stabil standard steril stigmat subsid summar symbol sympath terror util vandal victim
visual criminal`
    .split(/\s+/)
    .filter(Boolean),
);

/** Irregular plurals the stemmer cannot bring to their singular, and "-ee" nouns to their verb. */
const IRREGULAR: Record<string, string> = {
  children: 'child',
  childrens: 'child',
  childs: 'child',
  women: 'woman',
  womens: 'woman',
  men: 'man',
  mens: 'man',
  wives: 'wife',
  criteria: 'criterion',
  // A person named by "-ee" meets the verb ("employees" = "employ", as "employer" does).
  employee: 'employ',
  employees: 'employ',
  trainee: 'train',
  trainees: 'train',
  detainee: 'detain',
  detainees: 'detain',
  appointee: 'appoint',
  transferee: 'transfer',
  transferees: 'transfer',
  deportee: 'deport',
  deportees: 'deport',
  returnee: 'return',
  returnees: 'return',
  attendee: 'attend',
  attendees: 'attend',
  interviewee: 'interview',
  payee: 'pay',
};

/** One word's American spelling. */
function spelling(w: string): string {
  const fixed = SPELLING[w] ?? IRREGULAR[w];
  if (fixed) return fixed;
  if (OUR.test(w)) return w.replace('our', 'or');
  if (w.startsWith('pae')) return `pe${w.slice(3)}`; // paediatric, paedophile
  const ise = /^([a-z]+)is(e|es|ed|ing|er|ers|ation|ations)$/.exec(w);
  if (ise && ISE.has(ise[1]!)) return `${ise[1]}iz${ise[2]}`;
  return w.replace(/isation(s?)$/, 'ization$1').replace(/^([a-z]+(?:al|l))yse(s|d)?$/, '$1yze$2');
}

/** Plain lower-case words of a text, accents dropped, spellings brought to one form, abbreviations untouched. */
function words(text: string): string[] {
  return (
    text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .toLowerCase()
      .replace(/['’]/g, '')
      .match(/[a-z0-9]+/g) ?? []
  ).map(spelling);
}

// ---------------------------------------------------------------------------------------------
// The Porter stemmer (M.F. Porter, "An algorithm for suffix stripping", 1980).

const isCons = (w: string, i: number): boolean => {
  const c = w[i]!;
  if ('aeiou'.includes(c)) return false;
  if (c === 'y') return i === 0 ? true : !isCons(w, i - 1);
  return true;
};

/** m: the number of VC sequences in `w` ([C](VC)^m[V]). */
function measure(w: string): number {
  let m = 0;
  let i = 0;
  const n = w.length;
  while (i < n && isCons(w, i)) i++;
  while (i < n) {
    while (i < n && !isCons(w, i)) i++;
    if (i >= n) break;
    while (i < n && isCons(w, i)) i++;
    m++;
  }
  return m;
}

const hasVowel = (w: string): boolean => {
  for (let i = 0; i < w.length; i++) if (!isCons(w, i)) return true;
  return false;
};
const doubleCons = (w: string): boolean => w.length >= 2 && w[w.length - 1] === w[w.length - 2] && isCons(w, w.length - 1);
/** *o: ends consonant-vowel-consonant, the last not w, x or y. */
const cvc = (w: string): boolean => {
  const n = w.length;
  if (n < 3) return false;
  if (!isCons(w, n - 3) || isCons(w, n - 2) || !isCons(w, n - 1)) return false;
  return !'wxy'.includes(w[n - 1]!);
};

const STEP2: [string, string][] = [
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['bli', 'ble'],
  ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'], ['logi', 'log'],
];
const STEP3: [string, string][] = [
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
];
const STEP4 = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ion', 'ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'];

const stemCache = new Map<string, string>();

/**
 * The Porter stem of a lower-case English word.
 *
 * @example porterStem('registration') // 'registr'
 * @example porterStem('generalizations') // 'gener'
 */
export function porterStem(word: string): string {
  if (word.length <= 2 || /[^a-z]/.test(word)) return word;
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  let w = word;
  // Step 1a
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies')) w = w.slice(0, -2);
  else if (!w.endsWith('ss') && w.endsWith('s')) w = w.slice(0, -1);
  // Step 1b
  let extra = false;
  if (w.endsWith('eed')) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else if (w.endsWith('ed') && hasVowel(w.slice(0, -2))) {
    w = w.slice(0, -2);
    extra = true;
  } else if (w.endsWith('ing') && hasVowel(w.slice(0, -3))) {
    w = w.slice(0, -3);
    extra = true;
  }
  if (extra) {
    if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
    else if (doubleCons(w) && !'lsz'.includes(w[w.length - 1]!)) w = w.slice(0, -1);
    else if (measure(w) === 1 && cvc(w)) w += 'e';
  }
  // Step 1c
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = `${w.slice(0, -1)}i`;
  // Step 2
  for (const [suf, rep] of STEP2)
    if (w.endsWith(suf)) {
      const stem = w.slice(0, -suf.length);
      if (measure(stem) > 0) w = stem + rep;
      break;
    }
  // Step 3
  for (const [suf, rep] of STEP3)
    if (w.endsWith(suf)) {
      const stem = w.slice(0, -suf.length);
      if (measure(stem) > 0) w = stem + rep;
      break;
    }
  // Step 4
  for (const suf of STEP4)
    if (w.endsWith(suf)) {
      const stem = w.slice(0, -suf.length);
      if (measure(stem) > 1 && (suf !== 'ion' || /[st]$/.test(stem))) w = stem;
      break;
    }
  // Step 5a
  if (w.endsWith('e')) {
    const stem = w.slice(0, -1);
    const m = measure(stem);
    if (m > 1 || (m === 1 && !cvc(stem))) w = stem;
  }
  // Step 5b
  if (measure(w) > 1 && doubleCons(w) && w.endsWith('l')) w = w.slice(0, -1);
  if (stemCache.size < 100_000) stemCache.set(word, w);
  return w;
}

/**
 * Porter stems of one word that the algorithm leaves apart: "registration" (registr) and
 * "register" (regist), "complaint" and "complain", "denunciation" and "denounce", "provincial"
 * and "province", "notification" (notif) and "notify" (notifi), "ratification" and "ratify".
 */
const STEM_ALIAS: Record<string, string> = {
  registr: 'regist',
  administr: 'administ',
  complaint: 'complain',
  denunci: 'denounc',
  provinci: 'provinc',
  financi: 'financ',
  commerci: 'commerc',
};

/**
 * The stem the analyzer uses: Porter's, with the aliases above, and "-ify" stems (notifi,
 * certifi, qualifi) brought to their "-ification" stems (notif, certif, qualif).
 *
 * @example englishStem('registration') === englishStem('registered') // true
 */
export function englishStem(word: string): string {
  const s = porterStem(word);
  const alias = STEM_ALIAS[s];
  if (alias) return alias;
  return s.length > 4 && s.endsWith('ifi') ? s.slice(0, -1) : s;
}

// ---------------------------------------------------------------------------------------------

/** English abbreviations as extra synonym groups (exported for the snapshot key). */
export const ENGLISH_ABBREVIATIONS = ABBREVIATIONS;

/**
 * Builds the English analyzer.
 *
 * @example createEnglishAnalyzer().query('Registering NGOs?').unigrams // ['non', 'government', 'organ', 'regist']…
 */
export function createEnglishAnalyzer(related: readonly (readonly string[])[] = []): Analyzer {
  const map = new Map<string, string[]>();
  let longest = 1;
  for (const group of ABBREVIATIONS) {
    const canon = words(group[0]!);
    for (const t of group.slice(1)) {
      const key = words(t).join(' ');
      if (!key || map.has(key)) continue;
      map.set(key, canon);
      longest = Math.max(longest, key.split(' ').length);
    }
  }
  const generic = new Set(GENERIC_WORDS.split(/\s+/).filter(Boolean).map(englishStem));
  const cache = new Map<string, Token>();
  const token = (w: string): Token => {
    let t = cache.get(w);
    if (!t) {
      const stop = STOP.has(w) || /^\d{1,2}$/.test(w);
      const stem = englishStem(w);
      t = { exact: stem, folded: stem, marked: true, stop, generic: !stop && generic.has(stem) };
      if (cache.size < 100_000) cache.set(w, t);
    }
    return t;
  };

  // The words of the indexed texts (indexTerms), with their counts, and their one-letter
  // deletions (SymSpell), built on first need after the last text was learnt.
  const vocabulary = new Map<string, number>();
  let deletions: Map<string, string[]> | undefined;
  /** The terms of each text indexed so far (each counted in the vocabulary once). */
  const indexed = new Map<string, string[]>();
  const deletesOf = (w: string): string[] => Array.from({ length: w.length }, (_, i) => w.slice(0, i) + w.slice(i + 1));
  const correct = (w: string): string => {
    if (w.length < 6 || vocabulary.has(w) || STOP.has(w) || /\d/.test(w)) return w;
    if (!deletions) {
      deletions = new Map();
      for (const v of vocabulary.keys()) {
        if (v.length < 3) continue;
        for (const d of deletesOf(v)) {
          const list = deletions.get(d);
          if (list) list.push(v);
          else deletions.set(d, [v]);
        }
      }
    }
    const found = new Set<string>(deletions.get(w) ?? []); // a letter too few
    for (const d of deletesOf(w)) {
      if (vocabulary.has(d)) found.add(d); // a letter too many
      for (const v of deletions.get(d) ?? []) if (v.length === w.length) found.add(v); // one substituted or swapped
    }
    let best: string | undefined;
    for (const v of found) if (!best || vocabulary.get(v)! > vocabulary.get(best)!) best = v;
    return best ?? w;
  };

  const tokens = (text: string, query = false): Token[] => {
    const ws = query && vocabulary.size > 0 ? words(text).map(correct) : words(text);
    const out: Token[] = [];
    let i = 0;
    while (i < ws.length) {
      let n = Math.min(longest, ws.length - i);
      let hit: string[] | undefined;
      for (; n >= 1; n--) {
        hit = map.get(ws.slice(i, i + n).join(' '));
        if (hit) break;
      }
      if (hit) {
        for (const w of hit) out.push(token(w));
        i += n;
      } else out.push(token(ws[i++]!));
    }
    return out;
  };

  const tokenTerms = (toks: readonly Token[]): { unigrams: string[]; bigrams: string[]; generic: Set<string> } => {
    const content = toks.filter((t) => !t.stop);
    const gen = new Set<string>();
    const unigrams = content.map((t) => {
      if (t.generic) gen.add(t.exact);
      return t.exact;
    });
    const bigrams: string[] = [];
    for (let i = 0; i + 1 < content.length; i++) {
      const a = content[i]!;
      const b = content[i + 1]!;
      const term = `${a.exact}_${b.exact}`;
      bigrams.push(term);
      if (a.generic && b.generic) gen.add(term);
    }
    return { unigrams, bigrams, generic: gen };
  };

  // Everyday wordings (./lexicon/related.en.yaml), filed under their first word's stem. A wording
  // matches in order with at most two other words between its own, as in Vietnamese.
  const wordings = new Map<string, { toks: Token[]; official: string }[]>();
  for (const group of related) {
    const official = group[0];
    if (!official) continue;
    for (const w of group.slice(1)) {
      const toks = tokens(w).filter((t) => !t.stop);
      if (toks.length === 0) continue;
      const list = wordings.get(toks[0]!.exact);
      if (list) list.push({ toks, official });
      else wordings.set(toks[0]!.exact, [{ toks, official }]);
    }
  }
  const expansions = (toks: readonly Token[]): Expansion[] => {
    const out: Expansion[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < toks.length; i++) {
      for (const w of wordings.get(toks[i]!.exact) ?? []) {
        let k = 1;
        let j = i + 1;
        for (; k < w.toks.length && j < toks.length && j - i < w.toks.length + 2; j++) if (toks[j]!.exact === w.toks[k]!.exact) k++;
        if (k < w.toks.length) continue;
        const key = `${i}:${w.official}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ start: i, end: j, official: w.official });
      }
    }
    return out;
  };

  return {
    tokens,
    tokenTerms: (toks) => tokenTerms(toks),
    formTerms: (text) => tokenTerms(tokens(text)),
    expansions,
    indexTerms(text) {
      // A text this analyzer has indexed already (the same content built or loaded again: a
      // reload, an index read from its snapshot) teaches it nothing new: its terms are kept.
      const known = indexed.get(text);
      if (known) return [...known];
      for (const w of words(text)) {
        const n = vocabulary.get(w);
        if (n === undefined) deletions = undefined;
        vocabulary.set(w, (n ?? 0) + 1);
      }
      const toks = tokens(text);
      const { bigrams } = tokenTerms(toks);
      // Stop words are indexed too (a question made only of them still finds its words), but
      // never searched (the query leaves them out).
      const terms = [...toks.map((t) => t.exact), ...bigrams];
      if (indexed.size < 50_000) indexed.set(text, terms);
      return [...terms];
    },
    query(text): QueryAnalysis {
      const toks = tokens(text, true);
      const { unigrams, bigrams, generic } = tokenTerms(toks);
      return { tokens: toks, accented: true, unigrams: [...new Set(unigrams)], bigrams: [...new Set(bigrams)], generic };
    },
  };
}
