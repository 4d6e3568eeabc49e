/**
 * The floor to compare against: bare fastify + zod validation + BullMQ add, no idempotency,
 * spool, status record, logging or router. Started by intake-bench.ts as a child process.
 *
 * With a fifth argument `writes` (`BENCH_FLOOR=writes pnpm bench`), the floor also writes what
 * the gateway writes to Redis for each complaint, as a plain server would: the Idempotency-Key's
 * claim and the ticket's index (each SET NX EX), the status record (HSET of the same fields) and
 * its EXPIRE, in one MULTI beside the add. Not the issue's floor: a measure of how much of the
 * gap is those writes (option 2 of issue #2's decision, docs/performance.md, session 25).
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { z } from 'zod';

const Body = z.object({ text: z.string().min(10).max(5000), category: z.string().optional() });
const port = Number(process.argv[2]);
const redisUrl = String(process.argv[3]);
const prefix = String(process.argv[4]);
const withWrites = process.argv[5] === 'writes';
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue('intake', { connection: redis, prefix });
const app = Fastify({ logger: false });
const KEEP_SECONDS = 400 * 86_400;
let n = 0;
app.post('/api/v1/complaints', async (req, reply) => {
  const body = Body.safeParse(req.body);
  if (!body.success) return reply.code(400).send({ error: 'validation_failed' });
  const id = `bare-${process.pid}-${n++}`;
  if (!withWrites) {
    await queue.add('intake', body.data, { jobId: id, removeOnComplete: true });
    return reply.code(202).send({ id });
  }
  const key = req.headers['idempotency-key'];
  const ticket = `ADU-${randomUUID().slice(0, 9).toUpperCase()}`;
  const now = new Date().toISOString();
  const multi = redis.multi();
  if (typeof key === 'string') multi.set(`${prefix}:idem:${key}`, id, 'EX', 86_400, 'NX');
  multi
    .set(`${prefix}:ticket:${ticket}`, id, 'EX', KEEP_SECONDS, 'NX')
    .hset(`${prefix}:complaint:${id}`, { state: 'received', updatedAt: now, id, ticket, channel: 'webform', receivedAt: now })
    .expire(`${prefix}:complaint:${id}`, KEEP_SECONDS);
  await Promise.all([multi.exec(), queue.add('intake', body.data, { jobId: id, removeOnComplete: true })]);
  return reply.code(202).send({ id, ticket });
});
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
process.once('SIGINT', () => void app.close().then(() => queue.close()).finally(() => process.exit(0)));
