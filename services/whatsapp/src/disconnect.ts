import { DisconnectReason } from '@whiskeysockets/baileys';

export type DisconnectAction = 'reconnect' | 'relogin' | 'fatal';

export interface DisconnectDecision {
  action: DisconnectAction;
  /** Reconnect at once instead of after the back-off (WhatsApp asked for a restart). */
  immediate: boolean;
  reason: string;
}

/** Baileys closes with a Boom whose output.statusCode is a DisconnectReason; plain errors have none. */
export function disconnectStatus(error: unknown): number | undefined {
  const e = error as { output?: { statusCode?: unknown }; statusCode?: unknown } | undefined;
  const code = e?.output?.statusCode ?? e?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * What to do after the socket closed. Only a real logout (or a device mismatch that cannot be
 * repaired) clears the auth state and asks for a new pairing; a transient failure never does.
 * 440 means another client took the session over: fighting back would flap both, so stop.
 * 403 means WhatsApp refuses the number (banned/blocked): retrying only makes it worse.
 */
export function classifyDisconnect(error: unknown): DisconnectDecision {
  const status = disconnectStatus(error);
  switch (status) {
    case DisconnectReason.loggedOut:
      return { action: 'relogin', immediate: false, reason: 'logged-out' };
    case DisconnectReason.multideviceMismatch:
      return { action: 'relogin', immediate: false, reason: 'multidevice-mismatch' };
    case DisconnectReason.connectionReplaced:
      return { action: 'fatal', immediate: false, reason: 'connection-replaced' };
    case DisconnectReason.forbidden:
      return { action: 'fatal', immediate: false, reason: 'forbidden' };
    case DisconnectReason.restartRequired:
      return { action: 'reconnect', immediate: true, reason: 'restart-required' };
    case DisconnectReason.connectionClosed:
      return { action: 'reconnect', immediate: false, reason: 'connection-closed' };
    case DisconnectReason.connectionLost:
      return { action: 'reconnect', immediate: false, reason: 'connection-lost' };
    case DisconnectReason.badSession:
      return { action: 'reconnect', immediate: false, reason: 'bad-session' };
    case DisconnectReason.unavailableService:
      return { action: 'reconnect', immediate: false, reason: 'service-unavailable' };
    default:
      return { action: 'reconnect', immediate: false, reason: status === undefined ? 'unknown-error' : `status-${status}` };
  }
}

/** Exponential back-off with full jitter: attempt 0 -> up to 1 s, capped at `maxMs`. */
export function backoffMs(attempt: number, opts: { baseMs?: number; maxMs?: number; random?: () => number } = {}): number {
  const base = opts.baseMs ?? 1_000;
  const cap = Math.min(opts.maxMs ?? 60_000, base * 2 ** Math.min(attempt, 16));
  return Math.round(cap / 2 + (opts.random ?? Math.random)() * (cap / 2));
}
