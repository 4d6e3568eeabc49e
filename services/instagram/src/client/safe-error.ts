/**
 * An Instagram error's message for a log line. The library puts the request path into its
 * messages, and paths carry thread and user ids (personal data): those are masked.
 */
export function safeErrMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\d{6,}/g, '[id]').slice(0, 300);
}
