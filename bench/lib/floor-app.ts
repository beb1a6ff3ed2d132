/**
 * The floor of the chat benchmark (20-chat.bench.ts): a bare Fastify server, in its own process
 * like Loa's, with Loa's logger level and its request check (`chatRequestSchema`), answering every
 * `POST /api/chat` with one fixed body: a real reply Loa sent in the same run (file in
 * LOA_FLOOR_REPLY). No database, no conversation, no search. Its latency is what this machine, this
 * client and HTTP over loopback cost on their own; what Loa adds is the difference.
 * IPC as bench/lib/telegram-app.ts: 'stats' -> { cpuMicros }, 'stop' -> exits.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { chatRequestSchema } from '../../src/channels/web/web.js';

const body = readFileSync(process.env.LOA_FLOOR_REPLY ?? '', 'utf8');
const app = Fastify({ logger: { level: process.env.LOA_LOG_LEVEL ?? 'warn' } });
app.post('/api/chat', async (req, reply) => {
  const parsed = chatRequestSchema.safeParse(req.body);
  if (!parsed.success) return reply.code(400).send({ ok: false });
  return reply.type('application/json; charset=utf-8').send(body);
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ url });
process.on('message', (m: unknown) => {
  if (m === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({ cpuMicros: cpu.user + cpu.system });
  } else if (m === 'stop') void app.close().finally(() => process.exit(0));
});
