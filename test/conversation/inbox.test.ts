/** The inbox: what accept stores before a webhook answers, and the writes of processing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { createInbox, type Inbox } from '../../src/conversation/inbox.js';
import { createGroupCommit } from '../../src/db/group-commit.js';
import { getPersonByExternal } from '../../src/db/people.js';
import type { Channel, ChannelName, Inbound, Reply } from '../../src/channels/channel.js';
import { webCapabilities } from '../../src/channels/web/web.js';
import { shippedKnowledge, testConfig } from '../support/app.js';

let db: Db;
let convo: Conversation;
let inbox: Inbox;
const sent: { to: string; reply: Reply }[] = [];
let clock = new Date('2026-11-23T03:00:00.000Z');
const config = testConfig();
const knowledge = shippedKnowledge();

beforeAll(() => {
  db = openDb(':memory:');
  convo = createConversation({ db, knowledge, config, now: () => clock });
  const channel: Channel = {
    name: 'web',
    // The web's rendering on a channel that can push, so the sender sends instead of holding.
    capabilities: { ...webCapabilities, canPush: true },
    send: async (to, reply) => {
      sent.push({ to, reply });
      return { kind: 'ok', messageId: String(sent.length) };
    },
  };
  inbox = createInbox({ db, conversation: convo, channels: new Map<ChannelName, Channel>([['web', channel]]) });
});
afterAll(() => {
  db.close();
  config.cleanup();
});

const changes = (): number => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
let n = 0;
// The help button: one reply without buttons, so the conversation itself writes nothing.
const help = (userId: string): Inbound => ({ channel: 'web', userId, dedupeKey: `k${n++}`, type: 'action', action: 'help' });

describe('inbox', () => {
  it('stores the event, the person and the time of the interaction before accept returns', () => {
    const e = help('u1');
    expect(inbox.accept(e, { process: false })).toBe(true);
    const person = getPersonByExternal(db, 'web', 'u1')!;
    expect(person.lastInteractionAt).toBe(clock.toISOString());
    const row = db.prepare('SELECT person_id, processed_at FROM messages WHERE dedupe_key = ?').get(e.dedupeKey);
    expect(row).toEqual({ person_id: person.id, processed_at: null });
  });

  it('a duplicate is refused and does not count as an interaction', () => {
    const e = help('u2');
    inbox.accept(e, { process: false });
    clock = new Date(clock.getTime() + 60_000);
    expect(inbox.accept(e, { process: false })).toBe(false);
    expect(getPersonByExternal(db, 'web', 'u2')!.lastInteractionAt).toBe(new Date(clock.getTime() - 60_000).toISOString());
  });

  it('processing queues the reply with the processed mark and records its send, without touching the person again in the same second', async () => {
    const e = help('u3');
    inbox.accept(e);
    const before = changes();
    await inbox.drain();
    // The reply's row (stored already claimed) with the processed mark, then its result and the
    // logged attempt; the interaction was recorded by accept.
    expect(changes() - before).toBe(4);
    expect(sent.at(-1)!.to).toBe('u3');
    const person = getPersonByExternal(db, 'web', 'u3')!.id;
    const rows = db.prepare(`SELECT direction, processed_at IS NOT NULL AS done FROM messages WHERE person_id = ? ORDER BY id`).all(person);
    expect(rows).toEqual([{ direction: 'in', done: 1 }]);
    expect(db.prepare(`SELECT kind, status, attempts FROM sends WHERE person_id = ?`).all(person)).toEqual([{ kind: 'reply', status: 'sent', attempts: 1 }]);
  });

  it('a later message records the newer interaction time', async () => {
    inbox.accept(help('u4'));
    await inbox.drain();
    clock = new Date(clock.getTime() + 5_000);
    inbox.accept(help('u4'));
    await inbox.drain();
    expect(getPersonByExternal(db, 'web', 'u4')!.lastInteractionAt).toBe(clock.toISOString());
  });
});

describe('conversation records', () => {
  it('question statistics go through record(), which the app points at its group commit', async () => {
    const queued: (() => void)[] = [];
    const c = createConversation({ db, knowledge, config, now: () => clock, record: (w) => void queued.push(w) });
    const qa = knowledge.state.qa.find((q) => q.topics.length > 0 && knowledge.qaByTopic(q.topics[0]!).some((x) => x.id === q.id))!;
    const questions = () => (db.prepare('SELECT count(*) AS n FROM questions').get() as { n: number }).n;
    const before = questions();
    const [reply] = await c.handle({ channel: 'web', userId: 'u5', dedupeKey: `k${n++}`, type: 'action', action: `qa:${qa.id}` }, webCapabilities);
    expect(reply!.title).toBe(qa.question);
    expect(questions()).toBe(before);
    // The statistic and the choices the answer offers (topic:…, menu), both through record().
    expect(queued).toHaveLength(2);
    for (const w of queued) w();
    expect(questions()).toBe(before + 1);
  });
});

describe('conversation records, committed later', () => {
  it('handle resolves only once the records of its turn are committed', async () => {
    let commit!: () => void;
    const pending: (() => void)[] = [];
    const c = createConversation({
      db,
      knowledge,
      config,
      now: () => clock,
      record: (w) => new Promise<void>((resolve) => (commit = () => (w(), resolve()), pending.push(commit))),
    });
    const qa = knowledge.state.qa.find((q) => q.topics.length > 0 && knowledge.qaByTopic(q.topics[0]!).some((x) => x.id === q.id))!;
    let done = false;
    const turn = c.handle({ channel: 'web', userId: 'u6', dedupeKey: `k${n++}`, type: 'action', action: `qa:${qa.id}` }, webCapabilities).then((r) => ((done = true), r));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    // The statistic and the answer's choices: the turn waits for both.
    expect(pending).toHaveLength(2);
    pending[0]!();
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    commit();
    expect((await turn)[0]!.title).toBe(qa.question);
  });
});

describe('answerNow (the web chat)', () => {
  it("stores the event in one commit, then the turn's records, the replies and the processed mark in one more", async () => {
    const wdb = openDb(':memory:');
    // The group commit's transactions, counted: each call is one commit.
    let commits = 0;
    const counting = Object.create(wdb) as Db;
    counting.transaction = ((fn: (...a: unknown[]) => unknown) => {
      const tx = wdb.transaction(fn);
      return Object.assign((...a: unknown[]) => (commits++, tx(...a)), tx);
    }) as Db['transaction'];
    const group = createGroupCommit(counting);
    const c = createConversation({ db: wdb, knowledge, config, now: () => clock, record: (w) => group.run(w) });
    const web: Channel = { name: 'web', capabilities: webCapabilities, send: async () => ({ kind: 'failed', reason: 'no push' }) };
    const box = createInbox({ db: wdb, conversation: c, channels: new Map<ChannelName, Channel>([['web', web]]), group });
    const qa = knowledge.state.qa.find((q) => q.id === 'bhyt-tre-em-duoi-6-tuoi') ?? knowledge.state.qa[0]!;
    const answered = await box.answerNow({ channel: 'web', userId: 'visitor-1', dedupeKey: 'visitor-1:a', type: 'text', text: qa.question });
    expect(answered!.replies[0]!.title).toBe(qa.question);
    expect(commits).toBe(2);
    // What the turn recorded, the reply and the mark are all there.
    const personId = getPersonByExternal(wdb, 'web', 'visitor-1')!.id;
    expect(answered!.personId).toBe(personId);
    expect(answered!.lang).toBe('vi'); // the language the person is answered in, read with the records
    expect(wdb.prepare('SELECT answer_id FROM answer_feedback WHERE person_id = ?').all(personId)).toEqual([{ answer_id: qa.id }]);
    expect(wdb.prepare('SELECT COUNT(*) AS n FROM questions WHERE person_id = ?').get(personId)).toEqual({ n: 1 });
    expect(wdb.prepare("SELECT COUNT(*) AS n FROM messages WHERE person_id = ? AND direction = 'out'").get(personId)).toEqual({ n: 1 });
    expect(wdb.prepare("SELECT processed_at IS NOT NULL AS done FROM messages WHERE dedupe_key = 'visitor-1:a'").get()).toEqual({ done: 1 });
    wdb.close();
  });
});

describe('inProgress (the knowledge base searches on the main thread only while a turn is alone)', () => {
  it('counts the events stored and not yet handled to the end, in every person', async () => {
    const idb = openDb(':memory:');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // A conversation whose turns wait until released: the inbox holds them in progress.
    const slow: Conversation = { ...createConversation({ db: idb, knowledge, config, now: () => clock }), handle: async () => (await held, []) };
    const web: Channel = { name: 'web', capabilities: webCapabilities, send: async () => ({ kind: 'failed', reason: 'no push' }) };
    const box = createInbox({ db: idb, conversation: slow, channels: new Map<ChannelName, Channel>([['web', web]]) });
    expect(box.inProgress()).toBe(0);
    box.accept(help('p1'));
    box.accept(help('p1')); // the same person's next message waits in their order: in progress too
    box.accept(help('p2'));
    expect(box.inProgress()).toBe(3);
    release();
    await box.drain();
    expect(box.inProgress()).toBe(0);
    idb.close();
  });
});
