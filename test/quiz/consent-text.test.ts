/**
 * Issue 15, item 6: a quiz registration keeps the consent line the person agreed to, as it was
 * worded then, and "what do you hold about me" (/dulieucuatoi) shows that line, not today's.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { getAttempt } from '../../src/db/quiz.js';
import type { Reply } from '../../src/channels/channel.js';
import { QUIZ_CONTENT, quizWorld, type QuizWorld } from './support.js';

let w: QuizWorld | undefined;
afterEach(() => {
  w?.close();
  w = undefined;
});

const texts = (r: Reply[]) => r.map((x) => x.text).join('\n');
const button = (r: Reply[], label: string) => r.flatMap((x) => x.buttons ?? []).find((b) => b.label.includes(label))!.action;
const shippedConsent = (parse(readFileSync(`${QUIZ_CONTENT}/quizzes/thu-nghiem.yaml`, 'utf8')) as { registration: { consent: string } }).registration.consent;

describe('quiz consent, versioned by its text', () => {
  it('stores the exact consent line with the registration and shows it in /dulieucuatoi', async () => {
    w = quizWorld();
    const lan = w.user('web', 'web-consent-0001');
    let r = await lan.press('quiz:c:thu-nghiem');
    expect(texts(r)).toContain(shippedConsent.trim());
    // Not agreed yet: nothing recorded.
    expect(getAttempt(w.db, lan.attempt()!.id)).toMatchObject({ consentAt: null, consentText: null });
    r = await lan.press(button(r, 'Tôi đồng ý'));
    const attempt = getAttempt(w.db, lan.attempt()!.id)!;
    expect(attempt.consentAt).toBe(w.clock.now.toISOString());
    expect(attempt.consentText).toBe(shippedConsent);
    await lan.say('Nguyễn Thị Lan');

    let mine = texts(await lan.say('/dulieucuatoi'));
    expect(mine).toContain('họ tên Nguyễn Thị Lan');
    expect(mine).toContain(`đã đồng ý ngày 23/11/2026 với điều khoản: “${shippedConsent}”`);

    // A registration made under an earlier wording shows that wording, not the contest's current one.
    const earlier = 'Họ tên của bạn chỉ dùng cho bảng xếp hạng (bản cũ).';
    w.db.prepare('UPDATE quiz_attempts SET consent_text = ? WHERE id = ?').run(earlier, attempt.id);
    mine = texts(await lan.say('/dulieucuatoi'));
    expect(mine).toContain(`với điều khoản: “${earlier}”`);
    expect(mine).not.toContain(shippedConsent);
  });

  it('records nothing when the person declines', async () => {
    w = quizWorld();
    const minh = w.user('web', 'web-consent-0002');
    const r = await minh.press('quiz:c:thu-nghiem');
    const id = minh.attempt()!.id;
    await minh.press(button(r, 'Không'));
    expect(getAttempt(w.db, id)).toMatchObject({ status: 'cancelled', consentAt: null, consentText: null });
  });
});
