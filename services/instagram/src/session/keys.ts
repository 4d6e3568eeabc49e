/** Redis keys of one Instagram account, all under the queue prefix (hash-tag friendly). */
export function igKeys(prefix: string, account: string) {
  const base = `${prefix}:instagram:${account}`;
  return {
    session: `${base}:session`,
    lock: `${base}:lock`,
    cursor: `${base}:cursor`,
    since: `${base}:since`,
    item: (itemId: string) => `${base}:item:${itemId}`,
    sent: (jobId: string) => `${base}:sent:${jobId}`,
  };
}
export type IgKeys = ReturnType<typeof igKeys>;
