/**
 * Inviting officials to a training, and reminding those not yet trained (issue 17, item 2).
 *
 * Each message goes through the one sender (`sender/sender.ts`, kind `notice`), as the answer
 * notices and the disinformation outcomes do: the channel's throttle (shared with campaigns,
 * replies first), retries, and "gone" apply, and a message to someone who blocked the bot marks
 * them gone. Why not a campaign: a campaign's audience is the subscribers who consented to
 * news (`db/subscribers.ts`), and its delivery claim skips everyone else; officials are reached
 * because they are on the office's list, not because they subscribed, and must not join the
 * news audience by being invited. The reminder therefore goes to exactly the untrained officials
 * of the staff member's scope, and each send is audited.
 */
import type { Db } from '../db/index.js';
import type { Sender } from '../sender/sender.js';
import type { ChannelName } from '../messages.js';
import { getPerson, setPendingChoices, upsertPerson } from '../db/people.js';
import { recordInvitation, trainingAttemptsOf, type Official } from '../db/training.js';
import { recordAudit } from '../db/audit.js';
import type { Training } from './definition.js';
import { invitationReply, type TrainingFeatureDeps } from './feature.js';

/** What {@link inviteOfficials} needs. */
export interface InviteDeps {
  db: Db;
  sender: Pick<Sender, 'enqueue'>;
  quiz: TrainingFeatureDeps['quiz'];
}

/** What an invitation round did. */
export interface InviteResult {
  /** Messages handed to the sender. */
  queued: number;
  /**
   * Officials skipped: their account blocked the bot, their data was erased (no account left), or
   * they are already trained (reminders).
   */
  skipped: number;
  /**
   * Officials not trained who used every try of the training: not messaged, since the button
   * would only tell them to contact staff (more tries: a larger `attempts` in training.yaml).
   */
  outOfTries: number;
}

/**
 * Queues an invitation (or a reminder) for each official, records it, and writes one audit entry
 * (`training.invite` / `training.remind`) with the counts. A reminder skips officials already
 * trained; both skip accounts known to have blocked the bot, and officials who used every try
 * of the training without passing (counted apart: staff must act, a message would not help). The person row of an official who
 * never wrote to the bot is created here (the sender keys retries, "gone" and erasure on it).
 *
 * @example inviteOfficials(deps, training, listOfficials(db, { untrained: true, scope }), { kind: 'reminder', actor: 'hoa' })
 */
export function inviteOfficials(
  deps: InviteDeps,
  training: Training,
  officials: readonly Official[],
  opts: { kind: 'invite' | 'reminder'; actor: string; ip?: string; now?: Date },
): InviteResult {
  const now = opts.now ?? new Date();
  let queued = 0;
  let skipped = 0;
  let outOfTries = 0;
  for (const o of officials) {
    // An official who asked to be forgotten (db/erasure.ts) has no account left to write to: the
    // row stays for the figures only. Sending would create a person 'erased:<n>' (or reach an
    // erased citizen's row of that number) and queue a message to no one.
    if (o.removedAt || o.externalId.startsWith('erased:') || (opts.kind === 'reminder' && o.trainedAt)) {
      skipped++;
      continue;
    }
    if (!o.trainedAt && training.attempts && trainingAttemptsOf(deps.db, o.id, training.id).length >= training.attempts) {
      outOfTries++;
      continue;
    }
    const channel = o.channel as ChannelName;
    let personId = o.personId;
    if (personId === null) {
      personId = upsertPerson(deps.db, channel, o.externalId, undefined, now).id;
      deps.db.prepare(`UPDATE training_officials SET person_id = ? WHERE id = ?`).run(personId, o.id);
    }
    if (getPerson(deps.db, personId)?.status !== 'active') {
      skipped++;
      continue;
    }
    const reply = invitationReply(deps, o, training, opts.kind);
    // Where buttons are numbered text (Zalo), a typed "1" must open the training, as after a reply.
    setPendingChoices(deps.db, personId, reply.buttons!.map((b) => b.action));
    deps.sender.enqueue({ channel, recipient: o.externalId, personId }, [reply], { kind: 'notice' });
    recordInvitation(deps.db, { officialId: o.id, trainingId: training.id, kind: opts.kind, actor: opts.actor }, now);
    queued++;
  }
  recordAudit(
    deps.db,
    {
      actor: opts.actor,
      action: opts.kind === 'invite' ? 'training.invite' : 'training.remind',
      targetType: 'training',
      targetId: training.id,
      details: { queued, skipped, outOfTries },
      ...(opts.ip ? { ip: opts.ip } : {}),
    },
    now,
  );
  return { queued, skipped, outOfTries };
}
