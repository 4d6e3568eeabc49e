import { isJidBroadcast, isJidGroup, isJidNewsletter, isJidStatusBroadcast, isLidUser, isPnUser, jidDecode } from '@whiskeysockets/baileys';

/** Why a chat is not a citizen's private chat with us, or null when it is. */
export function ignoredChat(jid: string | null | undefined): string | null {
  if (!jid) return 'no-jid';
  if (isJidStatusBroadcast(jid)) return 'status';
  if (isJidGroup(jid)) return 'group';
  if (isJidNewsletter(jid)) return 'newsletter';
  if (isJidBroadcast(jid)) return 'broadcast';
  if (!isPnUser(jid) && !isLidUser(jid)) return 'not-a-user';
  return null;
}

/**
 * "6281234567890:12@s.whatsapp.net" -> "+6281234567890". Only phone-number JIDs carry a phone;
 * a LID ("…@lid") hides it, so the caller tries the alternate JID Baileys 7 provides.
 * Indonesian numbers written locally ("0812…") are not expected in JIDs but are handled.
 */
export function phoneFromJid(jid: string | null | undefined): string | undefined {
  if (!jid || !isPnUser(jid)) return undefined;
  const user = jidDecode(jid)?.user;
  if (!user || !/^\d{8,15}$/.test(user)) return undefined;
  const digits = user.startsWith('0') ? `62${user.slice(1)}` : user;
  return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : undefined;
}

/** E.164 number -> the JID Baileys uses for it. */
export function jidForPhone(e164: string): string {
  return `${e164.replace(/^\+/, '')}@s.whatsapp.net`;
}
