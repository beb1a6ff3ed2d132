/**
 * How long closing a case with many reporters takes (docs/disinformation.md §5; not part of the
 * test suite, never run by CI):
 *
 *   node bin/run-ts.js scripts/disinfo-close-measure.ts [--reporters 5000] [--load 40]
 *
 * A fresh on-disk database (WAL, as the app opens it) with one case of N Telegram reporters and,
 * beside it, a steady stream of citizens' replies (`--load` per second) through the same sender,
 * as on a busy day. It then records the closing step as the admin route does (setCaseStatus, then
 * tellReporters) and prints: the time the staff member's request is held (the step and the
 * outcome messages queued: the event loop is blocked that long), and once the sender has
 * caught up, how many outcome messages each reporter got (must be exactly 1) and how long citizens'
 * replies waited for their throttle slot while the notices were going out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { openDb } from '../src/db/index.js';
import { upsertPerson } from '../src/db/people.js';
import { recordReport, setCaseStatus } from '../src/db/disinfo.js';
import { tellReporters } from '../src/admin/disinfo.js';
import { createSender } from '../src/sender/sender.js';
import { createThrottle } from '../src/campaigns/throttle.js';
import type { Channel } from '../src/channels/channel.js';
import type { ChannelName } from '../src/messages.js';

const { values } = parseArgs({ options: { reporters: { type: 'string', default: '5000' }, load: { type: 'string', default: '40' }, rate: { type: 'string', default: '300' } } });
const N = Number(values.reporters);
const LOAD = Number(values.load);
const dir = mkdtempSync(join(tmpdir(), 'loa-disinfo-close-'));
const db = openDb(join(dir, 'loa.db'));

const t0 = new Date('2026-06-01T03:00:00Z');
let caseId = 0;
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const p = upsertPerson(db, 'telegram', String(900_000 + i), `Người ${i}`, t0);
    caseId = recordReport(db, { personId: p.id, channel: 'telegram', region: null, text: 'https://facebook.com/groups/1/posts/2', topic: 'khac', platform: 'facebook' }, t0).caseId;
  }
})();
setCaseStatus(db, caseId, { status: 'confirmed_false', actor: 'lan' }, t0);

const sentTo = new Map<string, number>();
const channel: Channel = {
  name: 'telegram',
  capabilities: { buttons: true, maxButtons: 10, nativeQuizPoll: true, maxTextLength: 4096, numberedReplies: false, canPush: true },
  async send(recipient) {
    sentTo.set(recipient, (sentTo.get(recipient) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 2));
    return { kind: 'ok' };
  },
} as Channel;
// A fast platform limit (--rate, default 300/s) so the measurement ends in seconds; the order of
// replies and notices at the throttle is what matters, not the absolute rate.
const throttles = new Map<ChannelName, ReturnType<typeof createThrottle>>([['telegram', createThrottle({ ratePerSecond: Number(values.rate) })]]);
const sender = createSender({ db, channels: new Map([['telegram', channel]]), throttles, pollMs: 200 });
sender.start();

// Citizens writing meanwhile: each reply's wait from enqueue to its send.
const replyWaits: number[] = [];
let citizen = 0;
const load = setInterval(() => {
  const id = `c${citizen++}`;
  const at = performance.now();
  void sender.enqueue({ channel: 'telegram', recipient: id, personId: null }, [{ text: 'Trả lời' }]).done.then(() => replyWaits.push(performance.now() - at));
}, 1000 / LOAD);

await new Promise((r) => setTimeout(r, 500));
const start = performance.now();
setCaseStatus(db, caseId, { status: 'handled', outcome: 'platform', actor: 'lan' });
const told = tellReporters({ db, sender, channels: new Map([['telegram', channel]]) }, caseId);
const held = performance.now() - start;
await new Promise((r) => setImmediate(r));
const firstTurn = performance.now() - start;
// Until every reporter got theirs (or 120 s).
while ([...sentTo.keys()].filter((k) => /^9\d{5}$/.test(k)).length < N && performance.now() - start < 120_000) await new Promise((r) => setTimeout(r, 100));
const allSent = performance.now() - start;
clearInterval(load);
await sender.stop();
const notices = [...sentTo.entries()].filter(([k]) => /^9\d{5}$/.test(k));
const twice = notices.filter(([, n]) => n !== 1).length;
const sorted = replyWaits.slice().sort((a, b) => a - b);
const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
console.log(
  JSON.stringify(
    {
      reporters: N,
      queued: told,
      requestHeldMs: Math.round(held),
      untilNextEventMs: Math.round(firstTurn),
      allSentMs: Math.round(allSent),
      reportersTold: notices.length,
      reportersToldOtherThanOnce: twice,
      replies: sorted.length,
      replyWaitP50Ms: Math.round(pct(0.5)),
      replyWaitP99Ms: Math.round(pct(0.99)),
      replyWaitMaxMs: Math.round(sorted[sorted.length - 1] ?? NaN),
    },
    null,
    1,
  ),
);
db.close();
rmSync(dir, { recursive: true, force: true });
