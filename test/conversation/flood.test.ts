/**
 * The per-person flood limit (conversation/flood.ts): the short window (8 per 10 s by default)
 * and the hourly one, which bounds what a script kept just under the short limit can send.
 */
import { describe, expect, it } from 'vitest';
import { SUSTAINED_MINUTES, createFloodLimiter } from '../../src/conversation/flood.js';

const t0 = 1_800_000_000_000;

describe('the hourly limit', () => {
  it('lets a script paced under the short limit through for minutes, not for ever', () => {
    const f = createFloodLimiter(8, 10_000);
    const verdicts: string[] = [];
    // 8 messages every 10 s for an hour: never over the short limit.
    for (let s = 0; s < 3600; s += 10) for (let i = 0; i < 8; i++) verdicts.push(f.hit('telegram:1', t0 + s * 1000 + i));
    const ok = verdicts.filter((v) => v === 'ok').length;
    // Before: all 2,880 answered, each a question for staff when it matched nothing.
    expect(ok).toBe((8 * SUSTAINED_MINUTES * 60) / 10);
    // One warning, then silence: no reply per message while refused.
    expect(verdicts.filter((v) => v === 'warn').length).toBe(1);
    // An hour after the first, there is room again.
    expect(f.hit('telegram:1', t0 + 3600_000 + 1)).toBe('ok');
  });

  it('warns once while over the hourly limit, even after the short window emptied and idle keys were forgotten', () => {
    const f = createFloodLimiter(8, 10_000);
    let t = t0;
    for (let i = 0; i < 240; i++) expect(f.hit('web:s', (t += 1300))).toBe('ok');
    expect(f.hit('web:s', (t += 1300))).toBe('warn');
    // Other people's messages: enough operations for both windows to sweep their idle keys.
    for (let i = 0; i < 3000; i++) f.hit(`web:other-${i % 50}`, (t += 20));
    expect(f.hit('web:s', (t += 60_000))).toBe('drop');
  });

  it('never refuses a person typing at a person’s pace: one message every 20 s for two hours', () => {
    const f = createFloodLimiter(8, 10_000);
    for (let i = 0; i < 360; i++) expect(f.hit('zalo:p', t0 + i * 20_000)).toBe('ok');
  });

  it('scales with the configured limit: a limit set very high (tests, benches) stays out of the way', () => {
    const f = createFloodLimiter(1000, 1000);
    for (let i = 0; i < 5000; i++) expect(f.hit('web:bench', t0 + i * 2)).toBe('ok');
  });
});
