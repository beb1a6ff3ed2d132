/**
 * The campaign list counts the deliveries of every campaign whose counts are not frozen in one
 * grouped query (progressCounts) instead of four queries a campaign (deliveryCounts): 60 such
 * campaigns took 600 ms a page. The figures must be exactly those of the former per-campaign SQL,
 * kept here as it was.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { progressCounts } from '../../src/db/campaigns.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

/** deliveryCounts as it was before progressCounts (the statements the list ran per campaign). */
function formerCounts(db: Db, campaignId: number) {
  const byStatus = db.prepare(`SELECT status, COUNT(*) AS n FROM deliveries WHERE campaign_id = ? GROUP BY status`).all(campaignId) as { status: string; n: number }[];
  const n = (s: string): number => byStatus.find((r) => r.status === s)?.n ?? 0;
  const retrying = db
    .prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE campaign_id = ? AND status = 'pending' AND reason IS NOT NULL AND next_attempt_at IS NOT NULL`)
    .get(campaignId) as { n: number };
  return {
    targeted: byStatus.reduce((a, r) => a + r.n, 0),
    pending: n('pending'),
    sending: n('sending'),
    sent: n('sent'),
    gone: n('gone'),
    outsideWindow: n('outside_window'),
    failed: n('failed'),
    optedOut: n('opted_out'),
    unknown: n('unknown'),
    cancelled: n('cancelled'),
    retrying: retrying.n,
  };
}

const STATUSES = ['pending', 'sending', 'sent', 'gone', 'outside_window', 'failed', 'opted_out', 'unknown', 'cancelled'];

function seed(db: Db, campaigns: number, perCampaign: number): void {
  let s = 7;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
  const at = '2026-06-01T00:00:00Z';
  db.transaction(() => {
    const person = db.prepare(`INSERT INTO people (channel, external_id, created_at, last_interaction_at) VALUES ('telegram', ?, ?, ?)`);
    for (let i = 0; i < perCampaign; i++) person.run(String(1000 + i), at, at);
    // Paused: the app's outbox neither sends nor fails their rows while the test reads them.
    const c = db.prepare(`INSERT INTO campaigns (id, status, text, channels, author, created_at, updated_at, started_at) VALUES (?, 'paused', 't', '["telegram"]', 'a', ?, ?, ?)`);
    const d = db.prepare(`INSERT INTO deliveries (campaign_id, person_id, channel, recipient, status, reason, next_attempt_at) VALUES (?, ?, 'telegram', ?, ?, ?, ?)`);
    for (let k = 1; k <= campaigns; k++) {
      c.run(k, at, at, at);
      // Campaign 3 has no deliveries at all; campaign 4 only pending ones.
      if (k === 3) continue;
      const n = Math.floor(rnd() * perCampaign);
      for (let j = 1; j <= n; j++) {
        const st = k === 4 ? 'pending' : STATUSES[Math.floor(rnd() * STATUSES.length)]!;
        // Pending rows: some waiting for a retry (reason and time), some with only one of the two.
        const r = rnd();
        d.run(k, j, String(1000 + j), st, r < 0.5 ? 'retry_after' : null, r < 0.3 || r > 0.8 ? '2026-06-01T00:05:00Z' : null);
      }
    }
  })();
}

describe('progressCounts', () => {
  it('counts every campaign exactly as the former per-campaign SQL did', () => {
    const db = openDb(':memory:');
    seed(db, 25, 400);
    const ids = Array.from({ length: 26 }, (_, i) => i + 1); // 26 has no row in campaigns
    const got = progressCounts(db, ids);
    expect([...got.keys()]).toEqual(ids);
    for (const id of ids) expect(got.get(id), `campaign ${id}`).toEqual(formerCounts(db, id));
    expect(got.get(4)!.pending).toBeGreaterThan(0);
    expect(got.get(4)!.retrying).toBeGreaterThan(0);
    expect(got.get(3)!.targeted).toBe(0);
    expect(progressCounts(db, []).size).toBe(0);
  });

  it('reads many campaigns in chunks (more than one IN list)', () => {
    const db = openDb(':memory:');
    seed(db, 3, 50);
    const ids = Array.from({ length: 1200 }, (_, i) => i + 1);
    const got = progressCounts(db, ids);
    expect(got.size).toBe(1200);
    for (const id of [1, 2, 3, 501, 1200]) expect(got.get(id)).toEqual(formerCounts(db, id));
  });
});

describe('the campaign list page', () => {
  it('shows the same figures and counts deliveries in a fixed number of statements, not four a campaign', async () => {
    const t = await startAdminApp();
    try {
      seed(t.app.db, 12, 60);
      // One campaign finished with frozen counts: shown from them, not counted.
      t.app.db.prepare(`UPDATE campaigns SET status = 'done', counts = ? WHERE id = 12`).run(
        JSON.stringify({ targeted: 9, pending: 0, sending: 0, sent: 7, gone: 1, outsideWindow: 0, failed: 1, failedByReason: {}, optedOut: 0, unknown: 0, cancelled: 0, optedOutSince: 0, retrying: 0 }),
      );
      addUser(t.app, 'lan', ['broadcaster']);
      const c = new AdminClient(t.url);
      expect((await c.login('lan', 'lan-mat-khau-1')).status).toBe(303);
      const db = t.app.db;
      const prepared: string[] = [];
      const orig = db.prepare.bind(db);
      db.prepare = ((sql: string) => (prepared.push(sql), orig(sql))) as typeof db.prepare;
      let page: string;
      try {
        page = (await c.get('/admin/campaigns')).text;
      } finally {
        db.prepare = orig;
      }
      expect(prepared.filter((q) => /FROM deliveries/.test(q)).length).toBeLessThanOrEqual(2);
      for (let id = 1; id <= 11; id++) {
        const k = formerCounts(db, id);
        const row = page.match(new RegExp(`<td>${id}</td>[\\s\\S]*?</tr>`))![0];
        if (k.targeted) expect(row, `campaign ${id}`).toContain(`${k.targeted - k.pending - k.sending}/${k.targeted}</td>`);
      }
      expect(page.match(/<td>12<\/td>[\s\S]*?<\/tr>/)![0]).toContain('9/9</td>');
      // The campaign page's live bar (polled every 2 s) counts the same way, one campaign.
      for (const id of [1, 3, 4, 7]) {
        const k = formerCounts(db, id);
        const live = JSON.parse((await c.get(`/admin/campaigns/${id}/live.json`)).text) as Record<string, number>;
        expect(live, `campaign ${id}`).toMatchObject({
          total: k.targeted,
          done: k.targeted ? k.targeted - k.pending - k.sending : 0,
          sent: k.sent,
          failed: k.failed,
          gone: k.gone,
          outsideWindow: k.outsideWindow,
          optedOut: k.optedOut,
          unknown: k.unknown,
          cancelled: k.cancelled,
          pending: k.pending,
          retrying: k.retrying,
        });
      }
    } finally {
      await t.close();
    }
  });
});
