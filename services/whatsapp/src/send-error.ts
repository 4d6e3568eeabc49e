import { DisconnectReason } from '@whiskeysockets/baileys';

/**
 * What a failed send means for the notification:
 * - `wait`: WhatsApp or the connection is not taking messages for now (rate limit, timeout,
 *   connection closed or restarting). Every send on the number would fail alike, so the job is
 *   put aside without using an attempt, and the number rests for a while.
 * - `retry`: anything else (the recipient refused, a bad request, an error of our own). Retrying
 *   soon is unlikely to help: the job uses up its attempts with BullMQ's back-off, then fails.
 */
export type SendFailure = { action: 'wait'; reason: 'rate-limited' | 'timeout' | 'connection' } | { action: 'retry'; reason: 'refused' | 'other' };

/** Node's own network errors: the socket under Baileys broke. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ENOTCONN', 'ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH', 'EAI_AGAIN', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

const CONNECTION_STATUS = new Set<number>([DisconnectReason.connectionClosed, DisconnectReason.connectionReplaced, DisconnectReason.restartRequired, DisconnectReason.unavailableService]);

/**
 * Classifies an error thrown by Baileys' sendMessage. Baileys throws Boom errors: socket
 * errors carry a DisconnectReason as `output.statusCode` (428 Connection Closed, 408 Timed Out);
 * an error node in WhatsApp's answer to a query carries the server's code in `data` (429
 * rate-overlimit, 503 service-unavailable, 404 item-not-found...) with statusCode 500. A plain
 * Error is ours: retried with attempts.
 */
export function classifySendError(err: unknown): SendFailure {
  const e = err as { isBoom?: boolean; output?: { statusCode?: number }; data?: unknown; code?: unknown; message?: unknown; cause?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : '';
  const serverCode = e?.isBoom && typeof e.data === 'number' ? e.data : undefined;
  const status = e?.isBoom ? e.output?.statusCode : undefined;
  if (serverCode === 429 || status === 429 || /rate-?overlimit|rate.?limit/i.test(message)) return { action: 'wait', reason: 'rate-limited' };
  if (serverCode === 408 || serverCode === 504 || status === DisconnectReason.timedOut || /timed? ?out/i.test(message)) return { action: 'wait', reason: 'timeout' };
  if (serverCode === 500 || serverCode === 503) return { action: 'wait', reason: 'connection' };
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return { action: 'wait', reason: e.code.includes('TIMEDOUT') ? 'timeout' : 'connection' };
  if (serverCode === undefined && status !== undefined && CONNECTION_STATUS.has(status)) return { action: 'wait', reason: 'connection' };
  if (/connection (closed|lost|terminated|failure)|not authenticated|websocket error/i.test(message)) return { action: 'wait', reason: 'connection' };
  if (e?.cause && e.cause !== err) {
    const inner = classifySendError(e.cause);
    if (inner.action === 'wait') return inner;
  }
  if (serverCode !== undefined && serverCode >= 400 && serverCode < 500) return { action: 'retry', reason: 'refused' };
  return { action: 'retry', reason: 'other' };
}
