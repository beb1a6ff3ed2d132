/**
 * The outcome messages a closing step queued, read back from the sender's rows (`sends`, kind
 * `notice`): what the disinformation tests check instead of a fake sender's calls.
 */
import type { Db } from '../../src/db/index.js';
import type { TellDeps } from '../../src/admin/disinfo.js';

/** One queued outcome message. */
export interface QueuedOutcome {
  id: number;
  channel: string;
  recipient: string;
  personId: number | null;
  kind: string;
  status: string;
  text: string;
}

/** The outcome rows queued so far, oldest first. */
export function queuedOutcomes(db: Db): QueuedOutcome[] {
  return (
    db
      .prepare(`SELECT id, channel, recipient, person_id AS personId, kind, status, reply FROM sends WHERE kind = 'notice' ORDER BY id`)
      .all() as (Omit<QueuedOutcome, 'text'> & { reply: string })[]
  ).map(({ reply, ...r }) => {
    const x = JSON.parse(reply) as { title?: string; text: string };
    return { ...r, text: x.title ? `${x.title}\n${x.text}` : x.text };
  });
}

/** What tellReporters needs, with a sender whose passes are counted and a web chat that cannot be pushed to. */
export function tellDeps(db: Db): TellDeps & { polls: () => number } {
  let polls = 0;
  return {
    db,
    sender: { poll: () => void polls++ },
    channels: new Map([
      ['telegram', { capabilities: { canPush: true } }],
      ['zalo', { capabilities: { canPush: true } }],
      ['web', { capabilities: { canPush: false } }],
    ]),
    polls: () => polls,
  };
}
