/**
 * What a refused web chat message costs (issue 15: a flood's refusals must cost next to
 * nothing): a refusal by the address's or the session's limit needs no database look-up, so
 * the chat asks whether the visitor is new only when those limits let the message through.
 */
import { describe, expect, it } from 'vitest';
import { createWebLimits, defaultWebLimits } from '../../src/channels/web/limits.js';

describe('the look-up of a new visitor', () => {
  const limits = () => createWebLimits({ ...defaultWebLimits, perAddress: { count: 3, seconds: 60 }, perSession: { count: 2, seconds: 10 }, newSessionsPerAddress: { count: 1, seconds: 3600 } });

  it('is not made for a message the session\'s or the address\'s limit refuses', () => {
    const l = limits();
    let lookUps = 0;
    const known = () => {
      lookUps++;
      return false;
    };
    const t = 1_000_000;
    expect(l.check('10.0.0.1', 'session-a', known, t).ok).toBe(true);
    expect(l.check('10.0.0.1', 'session-a', known, t).ok).toBe(true);
    expect(lookUps).toBe(2);
    // Over the session's limit: refused without asking.
    expect(l.check('10.0.0.1', 'session-a', known, t + 1)).toMatchObject({ ok: false, limit: 'perSession' });
    expect(lookUps).toBe(2);
    expect(l.check('10.0.0.1', 'session-b', known, t + 2).ok).toBe(true);
    expect(lookUps).toBe(3);
    // Over the address's limit: refused without asking, whichever session.
    expect(l.check('10.0.0.1', 'session-c', () => true, t + 3)).toMatchObject({ ok: false, limit: 'perAddress' });
    expect(l.check('10.0.0.1', 'session-d', known, t + 4)).toMatchObject({ ok: false, limit: 'perAddress' });
    expect(lookUps).toBe(3);
  });

  it('is made when only the new visitors\' limits can refuse, and they refuse a new visitor as before', () => {
    const l = limits();
    let lookUps = 0;
    const fresh = () => {
      lookUps++;
      return true;
    };
    const t = 2_000_000;
    expect(l.check('10.0.0.2', 'new-1', fresh, t).ok).toBe(true);
    expect(l.check('10.0.0.2', 'new-2', fresh, t + 1)).toMatchObject({ ok: false, limit: 'newSessionsPerAddress' });
    expect(lookUps).toBe(2);
    // A visitor already talking is not a new one: let through.
    expect(l.check('10.0.0.2', 'old-1', false, t + 2).ok).toBe(true);
  });
});
