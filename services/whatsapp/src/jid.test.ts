import { describe, expect, it } from 'vitest';
import { ignoredChat, jidForPhone, phoneFromJid } from './jid.ts';

describe('jid helpers', () => {
  it('normalizes the phone of a phone-number JID to E.164', () => {
    expect(phoneFromJid('6281234567890@s.whatsapp.net')).toBe('+6281234567890');
    expect(phoneFromJid('6281234567890:12@s.whatsapp.net')).toBe('+6281234567890');
    expect(phoneFromJid('081234567890@s.whatsapp.net')).toBe('+6281234567890');
    expect(phoneFromJid('123456789012345@lid')).toBeUndefined();
    expect(phoneFromJid(undefined)).toBeUndefined();
    expect(jidForPhone('+6281234567890')).toBe('6281234567890@s.whatsapp.net');
  });

  it('tells private chats from groups, status, newsletters and broadcasts', () => {
    expect(ignoredChat('6281234567890@s.whatsapp.net')).toBeNull();
    expect(ignoredChat('123456789012345@lid')).toBeNull();
    expect(ignoredChat('120363000000000000@g.us')).toBe('group');
    expect(ignoredChat('status@broadcast')).toBe('status');
    expect(ignoredChat('120363000000000001@newsletter')).toBe('newsletter');
    expect(ignoredChat('1234@broadcast')).toBe('broadcast');
    expect(ignoredChat(null)).toBe('no-jid');
  });
});
