// A downstream consumer: Dinas Perhubungan's system reads its queue and reports progress.
import { Queue } from 'bullmq';
import { createConsumer, createRedis, defaultJobOptions } from '@aduan/queue';
import { RoutedComplaint, type StatusUpdate } from '@aduan/schema';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'worker');
const prefix = process.env.QUEUE_PREFIX ?? 'aduan';
// The contract's retries and clean-up for `status` jobs: a report the router fails to apply once is tried again.
const status = new Queue('status', { connection: redis, prefix, defaultJobOptions: defaultJobOptions('status') });
createConsumer({
  connection: redis, prefix, queue: 'opd.dishub', schema: RoutedComplaint,
  handler: async (c) => {
    console.log(c.ticket, c.routing.reasons.join('; '), c.text.slice(0, 80));
    const update: StatusUpdate = { schemaVersion: 1, complaintId: c.id, opd: 'dishub', state: 'in_progress', message: 'Petugas menuju lokasi', at: new Date().toISOString(), updateId: `dishub-${c.id}-1` };
    await status.add('status', update, { jobId: update.updateId });
  },
});
