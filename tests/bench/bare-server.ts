/**
 * The floor to compare against: bare fastify + zod validation + BullMQ add, no idempotency,
 * spool, status record, logging or router. Started by intake-bench.ts as a child process.
 */
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { z } from 'zod';

const Body = z.object({ text: z.string().min(10).max(5000), category: z.string().optional() });
const port = Number(process.argv[2]);
const redisUrl = String(process.argv[3]);
const prefix = String(process.argv[4]);
const queue = new Queue('intake', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
const app = Fastify({ logger: false });
let n = 0;
app.post('/api/v1/complaints', async (req, reply) => {
  const body = Body.safeParse(req.body);
  if (!body.success) return reply.code(400).send({ error: 'validation_failed' });
  const id = `bare-${process.pid}-${n++}`;
  await queue.add('intake', body.data, { jobId: id, removeOnComplete: true });
  return reply.code(202).send({ id });
});
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
process.once('SIGINT', () => void app.close().then(() => queue.close()).finally(() => process.exit(0)));
