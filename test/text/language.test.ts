import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/text/language.js';

const VIETNAMESE = [
  'bhyt tre em',
  'lam the nao de dang ky khai sinh',
  'Làm thế nào để đăng ký khai sinh cho con?',
  'tre em duoi 6 tuoi co duoc cap the bao hiem y te khong',
  'cho em hoi thu tuc dang ky ket hon o dau a',
  'ubnd xa o dau',
  'quyen tre em la gi',
  'to cao hanh vi bao luc gia dinh o dau',
  'tro giup phap ly mien phi cho ai',
  'dang ky visa cho nguoi nuoc ngoai',
  'ad oi cho hoi cccd het han thi sao',
  'chao ban',
  'cảm ơn nhé',
  'Luật Bảo vệ dữ liệu cá nhân có hiệu lực khi nào?',
  'nghi dinh 152 ve lao dong nuoc ngoai',
  'con toi 3 tuoi chua co giay khai sinh',
  'khieu nai va to cao khac nhau the nao',
  'me toi gia roi nho toi hoi giup',
  'xa tan lap sap nhap chua',
  'hien phap 2013 quy dinh quyen con nguoi the nao',
  'thong tin ve cong uoc quyen tre em',
  'tin gia tren mang bao cho ai',
  'hoc phi mam non bao nhieu',
  'chinh quyen dia phuong hai cap la gi',
  'em bi danh o truong thi bao ai',
  'https://facebook.com/post/1 tin nay noi xa ban du lieu ca nhan',
];

const ENGLISH = [
  'When did Vietnam ratify the Convention on the Rights of the Child?',
  'how do I register a foreign NGO',
  'work permit for foreigners',
  'Do I need a work permit to teach English in Hung Yen?',
  'What are the personal data rules for businesses?',
  'where can I report child abuse',
  'hello',
  'Hi, can you help me?',
  'thanks',
  'How does human rights reporting work in Viet Nam?',
  'who approves the staff of a representative office',
  'is the UPR every 5 years',
  'What is the two-level local government?',
  'registering representative office staff',
  'what law protects personal data in Vietnam',
  'my company collects customer emails, do we need consent?',
  'child protection hotline number',
  'Where is the provincial Department of Foreign Affairs?',
  'visa requirements for visitors',
  'I want to open an office for our NGO in Ha Noi',
  'Can a foreign worker bring his family?',
  'How long is a work permit valid?',
  'report fake news',
  'do you speak english',
  'What is the Law on Personal Data Protection 91/2025/QH15?',
  'wat is the age of majority in vietnam', // a typo
  'regstration of foreign non governmental organisations', // typos
];

const UNDECIDED = ['ok', 'OK', '1', '?', '👍', 'iphone', '', 'https://example.com/post/123', 'www.facebook.com/groups/abc', 'lan@example.org'];

describe('detectLanguage', () => {
  it.each(VIETNAMESE)('Vietnamese: %s', (q) => expect(detectLanguage(q)).toBe('vi'));
  it.each(ENGLISH)('English: %s', (q) => expect(detectLanguage(q)).toBe('en'));
  it.each(UNDECIDED)('too little to tell: %j', (q) => expect(detectLanguage(q)).toBeUndefined());

  it('never takes a Vietnamese evaluation question for English (every shipped case)', () => {
    const files = ['eval-cases.jsonl', 'eval-cases-a.jsonl', 'eval-cases-b.jsonl', 'eval-cases-c.jsonl'];
    const queries = files.flatMap((f) =>
      readFileSync(`test/fixtures/${f}`, 'utf8')
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => (JSON.parse(l) as { query: string }).query),
    );
    expect(queries.length).toBeGreaterThan(700);
    const english = queries.filter((q) => detectLanguage(q) === 'en');
    expect(english).toEqual([]);
  });

  it('never takes a Vietnamese out-of-scope question for English', () => {
    const lines = readFileSync('src/knowledge/negatives/general.vi.txt', 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(lines.filter((q) => detectLanguage(q) === 'en')).toEqual([]);
  });

  it('takes every English evaluation question for English', () => {
    const queries = ['eval-cases-en.jsonl', 'eval-cases-holdout-en.jsonl']
      .map((f) => readFileSync(`test/fixtures/${f}`, 'utf8'))
      .join('\n')
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => (JSON.parse(l) as { query: string }).query);
    expect(queries.length).toBeGreaterThanOrEqual(100);
    expect(queries.filter((q) => detectLanguage(q) !== 'en')).toEqual([]);
  });
});
