/**
 * A web chat visitor's network source, as a short keyed digest (docs/disinformation.md §2).
 *
 * Why: a web chat session is whatever id the browser (or a script) sends, so "distinct sessions"
 * is not "distinct people": one script made a rumour case look reported by hundreds. Telegram and
 * Zalo accounts each cost a phone number; a web visitor's only other sign is the address they
 * write from (an IPv6 /64, as the web chat's limits count it: `http/server.ts addressKey`). A
 * case therefore counts web reports once per source.
 *
 * Why a digest of {@link SOURCE_BITS} bits: enough to tell apart the few web sources of one case
 * (two of 100 collide with a chance of 0.03%), too short to give an address back (each digest is
 * shared by about 256 IPv4 addresses), and keyed with a secret made per database (migration 112)
 * so it cannot be recomputed from an address elsewhere. The address itself is never stored.
 */
import { createHmac } from 'node:crypto';
import type { Db } from './index.js';

/** Bits kept of the digest. */
export const SOURCE_BITS = 24;

/**
 * The digest of `address` (an address key: IPv4, or an IPv6 /64), 4 base64url characters.
 *
 * @example webSourceOf(db, '203.0.113.9') // e.g. 'k3Zq'
 */
export function webSourceOf(db: Db, address: string): string {
  const secret = db.prepare(`SELECT secret FROM web_source_key WHERE id = 1`).pluck().get() as string | undefined;
  if (!secret) throw new Error('db: web_source_key is empty; run the migrations (loa start does) before taking web chat messages');
  return createHmac('sha256', secret).update(address, 'utf8').digest().subarray(0, SOURCE_BITS / 8).toString('base64url');
}
