/** A contest taken in English (issue 18, item 2): the flow's texts follow the person's language. */
import { afterEach, describe, expect, it } from 'vitest';
import { button, quizWorld, texts, type QuizWorld } from './support.js';
import { enDuration, viDuration } from '../../src/quiz/scoring.js';
import { Q_EN } from '../../src/quiz/texts-en.js';
import { Q } from '../../src/quiz/texts.js';

let w: QuizWorld;
afterEach(() => w?.close());

describe('/thi in English', () => {
  it('registers and answers with English texts; the contest content stays as written', async () => {
    w = quizWorld();
    const jane = w.user('web', 'web-jane-0001');
    await jane.say('/en');
    const list = await jane.say('/thi');
    expect(texts(list)).toContain('Contests open now');
    let r = await jane.press('quiz:c:thu-nghiem');
    expect(texts(r)).toContain('Organiser:');
    expect(texts(r)).toContain('Cuộc thi thử nghiệm');
    r = await jane.press(button(r, 'I agree'));
    expect(texts(r)).toContain('full name');
    r = await jane.say('Jane Doe');
    expect(texts(r)).toContain('Which unit');
    r = await jane.say('Hung Yen youth union');
    expect(texts(r)).toContain('phone number');
    r = await jane.say('0912345678');
    expect(texts(r)).toContain('Thank you, Jane Doe (Hung Yen youth union)! You are registered.');
    r = await jane.press(button(r, 'Start'));
    expect(r[0]!.title).toBe('Question 1/3');
    r = await jane.press(r[0]!.buttons![jane.correctOf(0)]!.action);
    expect(r[0]!.text).toMatch(/^✅ Correct! \+\d+ points\./);
  });
});

describe('times in English', () => {
  it('a contest time is written out with its date in ISO form and the time zone; Vietnamese unchanged', () => {
    const closes = new Date('2026-11-30T10:00:00Z');
    expect(Q_EN.time(closes)).toBe('17:00 on 2026-11-30, Viet Nam time');
    expect(Q.time(closes)).toBe('17:00 30/11/2026');
    expect(Q_EN.listItem('Quiz', 'Youth union', Q_EN.time(closes))).toBe('• Quiz (Youth union), closes 17:00 on 2026-11-30, Viet Nam time');
  });
});

describe('durations in English', () => {
  it.each([
    [8400, '8.4 seconds'],
    [1000, '1 second'],
    [20000, '20 seconds'],
    [60000, '1 minute'],
    [133000, '2 minutes 13 seconds'],
    [61000, '1 minute 1 second'],
  ])('%i ms is "%s" (Vietnamese unchanged)', (ms, en) => {
    expect(enDuration(ms)).toBe(en);
    expect(Q_EN.duration(ms)).toBe(en);
    expect(Q.duration(ms)).toBe(viDuration(ms));
  });
});
