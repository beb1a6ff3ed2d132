/**
 * Zalo webhook signatures: `X-ZEvent-Signature: mac=<hex sha256(appId + rawBody + timestamp +
 * oaSecretKey)>`. Plain SHA-256 over the exact bytes received, not an HMAC, and not over a
 * re-serialised body (key order and number formatting would change it). Some integrators
 * report the OA id in place of the app id, so every accepted first term is tried, each in
 * constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The hex digest Zalo puts after `mac=`. */
export function zaloMac(firstTerm: string, rawBody: Buffer, timestamp: string, oaSecretKey: string): Buffer {
  return createHash('sha256')
    .update(Buffer.from(firstTerm, 'utf8'))
    .update(rawBody)
    .update(Buffer.from(timestamp + oaSecretKey, 'utf8'))
    .digest();
}

/**
 * True when `header` is a valid signature of `rawBody` under one of `firstTerms` (app id, OA
 * id). Accepts `mac=<hex>` or a bare hex digest, any case.
 *
 * @example verifyZaloSignature(req.headers['x-zevent-signature'], req.rawBody, body.timestamp, [appId, oaId], key)
 */
export function verifyZaloSignature(
  header: string | string[] | undefined,
  rawBody: Buffer | undefined,
  timestamp: string,
  firstTerms: (string | undefined)[],
  oaSecretKey: string,
): boolean {
  if (typeof header !== 'string' || !rawBody || !oaSecretKey) return false;
  const hex = header.trim().replace(/^mac=/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  let ok = false;
  // Try every candidate even after a match, so the time taken does not tell which one matched.
  for (const term of new Set(firstTerms.filter((t): t is string => !!t)))
    ok = timingSafeEqual(given, zaloMac(term, rawBody, timestamp, oaSecretKey)) || ok;
  return ok;
}
