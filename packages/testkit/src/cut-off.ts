import { createConsumer, createRedis, Queue } from '@aduan/queue';

/** Short locks, so that a job cut off is found stalled within ~1.5 s; long enough that a live worker on a busy CI machine keeps its own. */
const TIMING = { lockDurationMs: 800, stalledIntervalMs: 300 };

/**
 * Cuts a job off half-way, as a killed process or a lock lost while Redis was away does: a real
 * consumer (createConsumer, with short locks) takes the job and is closed without finishing it,
 * so its lock is not renewed and expires, and the next consumer's stalled-job check finds it.
 * Resolves 'taken' once the job was taken and cut off again, or 'failed' when the stalled-job
 * check failed it instead (cut off too often: MAX_STALLS).
 */
export async function cutOff(opts: { url: string; prefix: string; queue: string; jobId: string; schema?: Parameters<typeof createConsumer>[0]['schema']; timeoutMs?: number }): Promise<'taken' | 'failed'> {
  const connections = [createRedis(opts.url, 'worker'), createRedis(opts.url, 'worker')];
  const queue = new Queue(opts.queue, { connection: connections[0]!, prefix: opts.prefix });
  let took!: () => void;
  const taken = new Promise<'taken'>((resolve) => (took = () => resolve('taken')));
  const worker = createConsumer({
    connection: connections[1]!,
    prefix: opts.prefix,
    queue: opts.queue,
    ...(opts.schema ? { schema: opts.schema } : {}),
    ...TIMING,
    handler: (_data, job) => {
      if (job.id === opts.jobId) took();
      return new Promise<void>(() => {});
    },
  });
  let polling: NodeJS.Timeout | undefined;
  // The poll in flight, waited for before the connections close (else it rejects, unhandled).
  let poll: Promise<unknown> = Promise.resolve();
  const failed = new Promise<'failed'>((resolve) => {
    polling = setInterval(() => {
      poll = queue
        .getJob(opts.jobId)
        .then(async (job) => job && (await job.isFailed()) && resolve('failed'))
        .catch(() => {});
    }, 100);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`job ${opts.jobId} was neither handed out again nor failed`)), opts.timeoutMs ?? 10_000)));
  try {
    return await Promise.race([taken, failed, timeout]);
  } finally {
    clearInterval(polling);
    clearTimeout(timer);
    await poll;
    await worker.close(true);
    await queue.close();
    for (const c of connections) c.disconnect();
  }
}
