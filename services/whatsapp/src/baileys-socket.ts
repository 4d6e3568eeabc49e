import makeWASocket, { Browsers, makeCacheableSignalKeyStore, type AuthenticationState } from '@whiskeysockets/baileys';
import type { Logger } from '@aduan/telemetry';
import type { WaSocketLike } from './socket.ts';

/**
 * The production socket. Full history sync is off (old chats are not complaints; Baileys still
 * gets the initial sync it needs for LID mappings), the number does
 * not show "online" on connect (so phones keep notifying the human operators), and Baileys logs
 * through our redacting logger at warn level (its debug lines carry JIDs and message keys).
 */
export function makeBaileysSocket(auth: AuthenticationState, logger: Logger): WaSocketLike {
  const baileysLogger = logger.child({ component: 'baileys' }, { level: 'warn' });
  return makeWASocket({
    auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, baileysLogger) },
    logger: baileysLogger,
    browser: Browsers.ubuntu('Aduan'),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    getMessage: async () => undefined,
  });
}
