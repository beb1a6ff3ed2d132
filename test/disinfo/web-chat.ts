/**
 * The web chat as a visitor behind a proxy uses it (LOA_TRUST_PROXY names loopback, and
 * X-Forwarded-For says where each visitor writes from), for the web chat's rumour-report tests.
 */
import { expect } from 'vitest';

/** POSTs one message or press to `/api/chat` of `url`; returns the replies' texts, one per line. */
export async function webChat(url: string, session: string, address: string, body: Record<string, string>): Promise<string> {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ session, ...body }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: { text: string }[] }).replies.map((r) => r.text).join('\n');
}
