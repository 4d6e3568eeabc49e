/**
 * Closes a BullMQ Queue/Worker/QueueEvents without hanging shutdown: after a Redis restart a
 * blocked connection can keep close() waiting forever. Gives up after `ms`; the caller then
 * disconnects the underlying connection.
 */
export async function closeWithin(closable: { close(): Promise<unknown> }, ms = 3_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closable.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
