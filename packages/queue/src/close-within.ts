/** Waits for `done` to settle (either way) for at most `ms`: true when it did. */
export async function settlesWithin(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    done.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, ms));
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

/**
 * Closes a BullMQ Queue/Worker/QueueEvents without hanging shutdown: after a Redis restart a
 * blocked connection can keep close() waiting forever. Gives up after `ms`; the caller then
 * disconnects the underlying connection.
 */
export async function closeWithin(closable: { close(): Promise<unknown> }, ms = 3_000): Promise<void> {
  await settlesWithin(closable.close(), ms);
}
