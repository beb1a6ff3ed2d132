/** `loa chat`: the same conversation as the web chat, in the terminal (numbered buttons). */
import { createInterface } from 'node:readline/promises';
import { stdin, stdout } from 'node:process';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { openDb } from '../db/index.js';
import { createKnowledge } from '../knowledge/knowledge.js';
import { createConversation } from '../conversation/conversation.js';
import { createSubscriptionFeature } from '../conversation/subscription.js';
import { createQuizFeature } from '../quiz/feature.js';
import { webCapabilities } from '../channels/web/web.js';
import type { Reply } from '../messages.js';
import { createLogger } from '../logger.js';

export async function run(_args: string[]): Promise<number> {
  const config = loadConfig();
  const logger = createLogger('warn');
  const db = openDb(join(config.dataDir, 'loa.sqlite'));
  const knowledge = createKnowledge({ contentDir: config.contentDir, dataDir: config.dataDir, logger });
  const conversation = createConversation({ db, knowledge, config, features: [createQuizFeature({ contentDir: config.contentDir }), createSubscriptionFeature()] });
  const session = `cli-${process.pid}-${Date.now()}`;
  let n = 0;
  const print = (replies: Reply[]): void => {
    for (const r of replies) {
      if (r.title) console.log(`\n\x1b[1m${r.title}\x1b[0m`);
      console.log(r.text);
      r.buttons?.forEach((b, i) => console.log(`  [${i + 1}] ${b.label}`));
      r.links?.forEach((l) => console.log(`  ↗ ${l.label}: ${l.url}`));
    }
  };
  const send = async (text: string): Promise<void> =>
    print(await conversation.handle({ channel: 'web', userId: session, dedupeKey: `${session}:${n++}`, type: 'text', text }, webCapabilities));
  await send('/start');
  const rl = createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
  console.log('\n(Gõ câu hỏi; gõ số để chọn; Ctrl+D để thoát)');
  for await (const line of rl) {
    if (line.trim()) await send(line);
    if (stdin.isTTY) stdout.write('> ');
  }
  knowledge.close();
  db.close();
  return 0;
}
