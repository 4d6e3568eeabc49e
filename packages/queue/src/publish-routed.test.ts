import { describe, expect, it } from 'vitest';
import type { RoutedComplaint } from '@aduan/schema';
import { forOpd } from './publish-routed.ts';

const routed = (text: string, reporter: RoutedComplaint['reporter'], caption?: string): RoutedComplaint =>
  ({
    schemaVersion: 1, id: '01JCZQ3W6Y0000000000000000', ticket: 'ADU-7K3M-9Q2X', channel: 'instagram',
    source: { account: '17841400000000', senderId: '5566778899', threadId: 'thread-1', messageIds: ['m1'] },
    receivedAt: '2026-11-28T01:00:00.000Z', submittedAt: '2026-11-28T01:00:00.000Z', reporter, text, language: 'id', intake: { transport: 'instagram-private-api' },
    attachments: caption ? [{ kind: 'image', mimeType: 'image/jpeg', bytes: 10, sha256: 'a'.repeat(64), storageKey: `sha256/aa/${'a'.repeat(64)}`, caption }] : [],
    routing: { opd: 'dpupr', opdName: 'Dinas PUPR', confidence: 0.9, reasons: [], alternatives: [], decidedBy: 'rules', triage: false, revision: 0, routedAt: '2026-11-28T01:00:01.000Z', routerVersion: 't' },
    supporters: 0,
  }) as RoutedComplaint;

describe('forOpd', () => {
  it('masks what names a confidential reporter in the text and captions: handle, number as written, name, own story link', () => {
    const text = [
      '(Menyebut akun kami di story: https://www.instagram.com/stories/budi.santoso88/3456789012345678901/)',
      'Jalan berlubang di Jl. Merdeka depan toko Budi Santoso Jaya? bukan, saya Budi Santoso, IG @budi.santoso88, hubungi 0812-3456 7890 atau +62 812 3456 7890.',
      'Rumah saya di RT 3 RW 2.',
    ].join('\n');
    const c = forOpd(routed(text, { name: 'Budi Santoso', handle: 'budi.santoso88', phone: '+6281234567890', anonymous: false, confidential: true }, 'foto dari budi.santoso88, wa 081234567890'));
    expect(c.reporter).toBeUndefined();
    expect(c.source).toEqual({ account: '17841400000000', messageIds: ['m1'] });
    const all = `${c.text}\n${c.attachments[0]!.caption}`;
    for (const leak of ['budi.santoso88', 'Budi Santoso', '0812-3456', '812 3456', '081234567890', '3456789012345678901']) expect(all, leak).not.toContain(leak);
    expect(c.text).toContain('instagram.com/stories/[disembunyikan])');
    // What the OPD needs to act stays.
    expect(c.text).toContain('Jalan berlubang di Jl. Merdeka');
    expect(c.text).toContain('Rumah saya di RT 3 RW 2.');
  });

  it('masks a number written with its area code in brackets, or with slashes or dashes between the groups', () => {
    // Blitar's landlines are written "(0342) 801234"; a mobile number often the same way.
    const landline = forOpd(routed('Telp rumah (0342) 801234 atau +62 (342) 801-234.', { phone: '+62342801234', anonymous: false, confidential: true }));
    expect(landline.text).toBe('Telp rumah [disembunyikan] atau [disembunyikan].');
    const mobile = forOpd(routed('WA (0812) 3456 7890, 0812/3456/7890, 0812–3456–7890', { phone: '+6281234567890', anonymous: false, confidential: true }));
    for (const leak of ['3456', '7890']) expect(mobile.text, leak).not.toContain(leak);
  });

  it('masks the reporter\'s e-mail address, and a number written with underscores or commas', () => {
    const c = forOpd(routed('Kabari saya di Budi.Santoso77@gmail.com atau WA 0812_3456_7890 / 0812,3456,7890. Surat ke dinas@blitarkota.go.id belum dibalas.', { email: 'budi.santoso77@gmail.com', phone: '+6281234567890', anonymous: false, confidential: true }));
    expect(c.text).toBe('Kabari saya di [disembunyikan] atau WA [disembunyikan] / [disembunyikan]. Surat ke dinas@blitarkota.go.id belum dibalas.');
  });

  it("masks them in the place description and file names the reporter typed too, as the radio desk does", () => {
    const reporter = { name: 'Siti Aminah', phone: '+6281234567890', anonymous: false, confidential: true };
    const c = routed('Jalan berlubang besar', reporter, 'lubangnya');
    const typed = forOpd({ ...c, location: { description: 'Depan rumah Siti Aminah (WA 0812-3456-7890), Jl. Kalimantan', kelurahan: 'Sananwetan' }, attachments: c.attachments.map((a) => ({ ...a, fileName: 'foto siti aminah 081234567890.jpg' })) });
    expect(typed.location).toEqual({ description: 'Depan rumah [disembunyikan] (WA [disembunyikan]), Jl. Kalimantan', kelurahan: 'Sananwetan' });
    expect(typed.attachments[0]).toMatchObject({ caption: 'lubangnya', fileName: 'foto [disembunyikan] [disembunyikan].jpg' });
  });

  it('leaves a complaint that is not confidential as it is', () => {
    const c = routed('Hubungi saya di 0812-3456-7890', { name: 'Budi', phone: '+6281234567890', anonymous: false, confidential: false });
    expect(forOpd(c)).toBe(c);
  });
});
