import { describe, expect, it } from 'vitest';
import { createEnglishAnalyzer, englishStem, porterStem } from '../../src/text/english.js';

// Examples from Porter's paper (1980) and the reference vocabulary.
const PORTER: [string, string][] = [
  ['caresses', 'caress'], ['ponies', 'poni'], ['ties', 'ti'], ['caress', 'caress'], ['cats', 'cat'],
  ['feed', 'feed'], ['agreed', 'agre'], ['plastered', 'plaster'], ['bled', 'bled'], ['motoring', 'motor'],
  ['sing', 'sing'], ['conflated', 'conflat'], ['troubled', 'troubl'], ['sized', 'size'], ['hopping', 'hop'],
  ['tanned', 'tan'], ['falling', 'fall'], ['hissing', 'hiss'], ['fizzed', 'fizz'], ['failing', 'fail'],
  ['filing', 'file'], ['happy', 'happi'], ['sky', 'sky'], ['relational', 'relat'], ['conditional', 'condit'],
  ['rational', 'ration'], ['digitizer', 'digit'], ['operator', 'oper'], ['feudalism', 'feudal'],
  ['decisiveness', 'decis'], ['hopefulness', 'hope'], ['callousness', 'callous'], ['formaliti', 'formal'],
  ['sensitiviti', 'sensit'], ['sensibiliti', 'sensibl'], ['triplicate', 'triplic'], ['formative', 'form'],
  ['formalize', 'formal'], ['electriciti', 'electr'], ['electrical', 'electr'], ['hopeful', 'hope'],
  ['goodness', 'good'], ['revival', 'reviv'], ['allowance', 'allow'], ['inference', 'infer'], ['airliner', 'airlin'],
  ['gyroscopic', 'gyroscop'], ['adjustable', 'adjust'], ['defensible', 'defens'], ['irritant', 'irrit'],
  ['replacement', 'replac'], ['adjustment', 'adjust'], ['dependent', 'depend'], ['adoption', 'adopt'],
  ['communism', 'commun'], ['activate', 'activ'], ['effective', 'effect'], ['bowdlerize', 'bowdler'],
  ['probate', 'probat'], ['rate', 'rate'], ['cease', 'ceas'], ['controll', 'control'], ['roll', 'roll'],
  ['generalizations', 'gener'], ['oscillators', 'oscil'],
];

describe('porterStem', () => {
  it.each(PORTER)('%s -> %s', (w, s) => expect(porterStem(w)).toBe(s));
  it('brings the forms of one word together', () => {
    const stems = ['register', 'registered', 'registering', 'registers'].map(porterStem);
    expect(new Set(stems).size).toBe(1);
    expect(porterStem('permits')).toBe(porterStem('permit'));
    expect(porterStem('children')).toBe('children');
  });
});

describe('createEnglishAnalyzer', () => {
  const a = createEnglishAnalyzer();
  it('drops stop words, stems, and makes bigrams of adjacent content words', () => {
    const q = a.query('How do I get a work permit for foreign workers?');
    expect(q.unigrams).toEqual(['get', 'work', 'permit', 'foreign', 'worker']);
    expect(q.bigrams).toContain('work_permit');
    expect(q.generic.has('get')).toBe(true);
    expect(q.accented).toBe(true);
  });
  it('learns the words of indexed texts to correct typos, each text once, whatever a caller does with its terms', () => {
    const b = createEnglishAnalyzer();
    expect(b.query('registraton of residence').unigrams[0]).not.toBe(englishStem('registration'));
    const terms = b.indexTerms('Registration of permanent residence');
    expect(b.query('registraton of residence').unigrams[0]).toBe(englishStem('registration'));
    terms.push('changed-by-caller');
    expect(b.indexTerms('Registration of permanent residence')).toEqual(terms.slice(0, -1));
    // A word seen only after the corrections were prepared is learnt as well.
    b.indexTerms('Temporary absence declaration');
    expect(b.query('temporray absence').unigrams[0]).toBe(englishStem('temporary'));
  });
  it('rewrites abbreviations and British spellings', () => {
    expect(a.query('NGO registration').unigrams).toEqual(a.query('non-governmental organisation registration').unigrams);
    expect(a.query('labour code').unigrams).toEqual(a.query('labor code').unigrams);
    expect(a.query('CRC').unigrams).toEqual(a.query('Convention on the Rights of the Child').unigrams);
    expect(a.query('Việt Nam').unigrams).toEqual(['vietnam']);
  });
  it('brings together forms the Porter stemmer leaves apart', () => {
    const same = (x: string, y: string) => expect(a.query(x).unigrams).toEqual(a.query(y).unigrams);
    same('registration', 'registered');
    same('complaint', 'complain');
    same('denunciation', 'denounce');
    same('notification', 'notify');
    same('ratification', 'ratified');
    same('provincial', 'province');
    same('children', 'child');
    same("women's rights", 'woman rights');
    same('hiring employees', 'hiring employ');
    expect(englishStem('wifi')).toBe('wifi');
  });
  it('brings British spellings to the American form', () => {
    const same = (x: string, y: string) => expect(a.query(x).unigrams).toEqual(a.query(y).unigrams);
    same('neighbourhood rumours', 'neighborhood rumors');
    same('organised recognised criminalised', 'organized recognized criminalized');
    same('paedophile', 'pedophile');
    same('analyse', 'analyze');
    // -ise words that are -ise in American English too stay as they are.
    expect(a.query('advise promise').unigrams).toEqual(['advis', 'promis']);
    expect(a.query('hour tour').unigrams).toEqual(['hour', 'tour']);
  });
  it('leaves chat filler out', () => {
    expect(a.query('Hi, sorry, could you please tell me whether the work permit is still needed?').unigrams).toEqual(['work', 'permit', 'need']);
  });
  it('indexes every word, stop words included, and the bigrams', () => {
    const terms = a.indexTerms('Rights of the child');
    expect(terms).toEqual(expect.arrayContaining(['right', 'of', 'the', 'child', 'right_child']));
  });
});
