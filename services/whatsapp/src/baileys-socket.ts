import makeWASocket, { Browsers, makeCacheableSignalKeyStore, type AuthenticationState } from '@whiskeysockets/baileys';
import type { Logger } from '@aduan/telemetry';
import { baileysLogger } from './baileys-logger.ts';
import type { WaSocketLike } from './socket.ts';

/**
 * The production socket. Full history sync is off (old chats are not complaints; Baileys still
 * gets the initial sync it needs for LID mappings), the number does
 * not show "online" on connect (so phones keep notifying the human operators), and Baileys logs
 * through our redacting logger at warn level, its values scrubbed of numbers (baileys-logger.ts).
 */
export function makeBaileysSocket(auth: AuthenticationState, logger: Logger): WaSocketLike {
  const log = baileysLogger(logger);
  return makeWASocket({
    auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, log) },
    logger: log,
    browser: Browsers.ubuntu('Aduan'),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    getMessage: async () => undefined,
  });
}
