/**
 * Limits of the public web chat, checked *before* anything is stored: anyone on the internet
 * can post to `/api/chat`, and each new session id would otherwise add a person and a message
 * row. Four limits, each a sliding window (time/sliding-window.ts):
 * - per address: messages from one IP;
 * - new sessions per address: visitors one IP may start (a script making up session ids);
 * - per session: messages in one conversation (the person's flood limit, enforced here too,
 *   so a refused message is never written);
 * - global: all web messages together; over it, new visitors wait while the conversations
 *   already going on continue (each still under its own limits), so a distributed flood can
 *   neither starve the server nor cut off the people it is answering.
 * A refusal is a 429 with `Retry-After` and a Vietnamese message saying when to try again.
 */
import { createSlidingWindow } from '../../time/sliding-window.js';

/** One "at most `count` per `seconds`" limit. */
export interface Rate {
  count: number;
  seconds: number;
}

export interface WebLimitsConfig {
  perAddress: Rate;
  newSessionsPerAddress: Rate;
  perSession: Rate;
  global: Rate;
}

/**
 * Defaults: generous for a person, and for the many people behind one address (mobile carriers
 * share one public address among many subscribers: CGNAT), tight for a script.
 */
export const defaultWebLimits: WebLimitsConfig = {
  perAddress: { count: 120, seconds: 60 },
  newSessionsPerAddress: { count: 60, seconds: 3600 },
  perSession: { count: 8, seconds: 10 },
  global: { count: 300, seconds: 1 },
};

export type WebLimitVerdict = { ok: true } | { ok: false; limit: keyof WebLimitsConfig; retryAfter: number };

export interface WebLimits {
  /**
   * Counts one message from `address` in `session` (`isNew`: the session has never written
   * before) unless a limit refuses it; a refused message counts against nothing.
   */
  check(address: string, session: string, isNew: boolean, nowMs: number): WebLimitVerdict;
  /**
   * The per-address limit alone, counting nothing: checked when a request arrives, before its
   * body is read and parsed, so an address over its limit costs the least possible.
   */
  addressOver(address: string, nowMs: number): WebLimitVerdict;
}

export function createWebLimits(config: WebLimitsConfig = defaultWebLimits): WebLimits {
  const windows = {
    perAddress: createSlidingWindow({ windowMs: config.perAddress.seconds * 1000 }),
    newSessionsPerAddress: createSlidingWindow({ windowMs: config.newSessionsPerAddress.seconds * 1000 }),
    perSession: createSlidingWindow({ windowMs: config.perSession.seconds * 1000 }),
    global: createSlidingWindow({ windowMs: config.global.seconds * 1000 }),
  };
  return {
    check(address, session, isNew, nowMs) {
      const tests: [keyof WebLimitsConfig, string][] = [
        ['perAddress', address],
        ['perSession', session],
      ];
      if (isNew) tests.push(['global', '*'], ['newSessionsPerAddress', address]);
      for (const [limit, key] of tests)
        if (windows[limit].count(key, nowMs) >= config[limit].count) return { ok: false, limit, retryAfter: Math.ceil(config[limit].seconds) };
      for (const [limit, key] of tests) windows[limit].hit(key, nowMs);
      // Every accepted message counts towards the global load, whoever sent it.
      if (!isNew) windows.global.hit('*', nowMs);
      return { ok: true };
    },
    addressOver(address, nowMs) {
      return windows.perAddress.count(address, nowMs) >= config.perAddress.count
        ? { ok: false, limit: 'perAddress', retryAfter: Math.ceil(config.perAddress.seconds) }
        : { ok: true };
    },
  };
}
