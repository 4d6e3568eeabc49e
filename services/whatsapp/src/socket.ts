import type { WASocket } from '@whiskeysockets/baileys';

/**
 * The seam at the Baileys boundary: the part of a WASocket the service uses. Production passes
 * a real socket from makeWASocket; tests pass an object with Baileys' own event emitter
 * (makeEventBuffer) and a recording sendMessage.
 */
export type WaSocketLike = Pick<WASocket, 'ev' | 'sendMessage' | 'end' | 'user' | 'updateMediaMessage' | 'sendPresenceUpdate'> &
  Partial<Pick<WASocket, 'requestPairingCode' | 'logout'>>;
