/** Builders for campaign tests: an in-memory store, staff accounts, subscribers, a manual clock. */
import { openDb, type Db } from '../../src/db/index.js';
import { createUser } from '../../src/db/users.js';
import { setRegion, subscribe, upsertPerson } from '../../src/db/people.js';
import type { Region } from '../../src/knowledge/content.js';
import type { ChannelName } from '../../src/channels/channel.js';
import type { Clock } from '../../src/campaigns/throttle.js';

/** A nested region tree: province > ward > quarter. */
export const tree: Region[] = [
  {
    slug: 'hung-yen',
    name: 'Tỉnh Hưng Yên',
    children: [
      { slug: 'pho-hien', name: 'Phường Phố Hiến', children: [{ slug: 'khu-1', name: 'Khu phố 1' }, { slug: 'khu-2', name: 'Khu phố 2' }] },
      { slug: 'son-nam', name: 'Phường Sơn Nam' },
    ],
  },
];

export const topics = ['quyen-tre-em', 'bao-hiem-y-te', 'ho-tich'];

/** A fresh in-memory store with the usual staff: broadcasters, an approver, a viewer. */
export function storeWithStaff(): Db {
  const db = openDb(':memory:');
  createUser(db, { username: 'lan', roles: ['broadcaster'] });
  createUser(db, { username: 'minh', roles: ['approver'] });
  createUser(db, { username: 'hoa', roles: ['broadcaster', 'approver'] });
  createUser(db, { username: 'tuan', roles: ['viewer'] });
  createUser(db, { username: 'xa', roles: ['broadcaster', 'approver'], region: 'pho-hien' });
  return db;
}

/** Adds a subscriber; returns the person id. */
export function addSubscriber(
  db: Db,
  o: { channel?: ChannelName; id: string; topics?: string[]; region?: string | null; lastInteraction?: Date },
): number {
  const p = upsertPerson(db, o.channel ?? 'telegram', o.id, `Người ${o.id}`);
  subscribe(db, p.id, o.topics ?? ['quyen-tre-em'], null);
  setRegion(db, p.id, o.region ?? null);
  if (o.lastInteraction) db.prepare('UPDATE people SET last_interaction_at = ? WHERE id = ?').run(o.lastInteraction.toISOString(), p.id);
  return p.id;
}

/** A clock that moves only when told; `advance` runs every timer due, in order. */
export function manualClock(): Clock & { advance(ms: number): Promise<void>; readonly t: number } {
  let t = 0;
  let seq = 0;
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  };
  return {
    get t() {
      return t;
    },
    now: () => t,
    sleep: (ms) => new Promise<void>((resolve) => timers.push({ at: t + Math.max(0, ms), seq: seq++, resolve })),
    async advance(ms) {
      const target = t + ms;
      await flush();
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers[0];
        if (!next || next.at > target) break;
        timers.shift();
        t = Math.max(t, next.at);
        next.resolve();
        await flush();
      }
      t = target;
      await flush();
    },
  };
}
