/** Background connection (channels/connection.ts): the backoff, the states and their reasons. */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ConnectError, backoffDelay, connectInBackground, createChannelHealth } from '../../src/channels/connection.js';

describe('connectInBackground', () => {
  it('backs off 1 s, 2 s, 4 s … and never waits more than 5 minutes', () => {
    expect([1, 2, 3, 4, 9, 10, 50].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000, 300_000]);
  });

  it('retries a passing failure with its reason, stops at a permanent one, and connects when it can', async () => {
    const health = createChannelHealth(['web', 'telegram', 'zalo'], ['telegram']);
    expect(health.get('zalo').state).toBe('off');
    expect(health.get('telegram').state).toBe('retrying');
    const answers: (Error | null)[] = [new ConnectError('net', 'Không kết nối được (thử lại)', false), new ConnectError('net', 'Vẫn chưa được', false), null];
    const conn = connectInBackground({
      name: 'telegram',
      start: async () => {
        const a = answers.shift();
        if (a) throw a;
      },
      health,
      logger: pino({ level: 'silent' }),
      backoff: { minMs: 1, maxMs: 5 },
    });
    const reasons: string[] = [];
    health.onChange((_n, s) => s.reason && reasons.push(s.reason));
    await health.waitFor('telegram', 'connected');
    expect(reasons).toContain('Vẫn chưa được');
    conn.stop();

    const failing = connectInBackground({
      name: 'zalo',
      start: async () => {
        throw new ConnectError('bad secret', 'ZALO_APP_SECRET sai', true);
      },
      health,
      logger: pino({ level: 'silent' }),
      backoff: { minMs: 1, maxMs: 5 },
    });
    await failing.firstAttempt;
    expect(health.get('zalo')).toMatchObject({ state: 'failed', reason: 'ZALO_APP_SECRET sai' });
    failing.stop();
  });
});
