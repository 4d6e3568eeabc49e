import { describe, expect, it } from 'vitest';
import { linksIn } from './links.ts';

describe('linksIn', () => {
  it.each([
    ['Lampu PJU di Jl.Merdeka sudah diganti.Mohon dicek kembali.', []],
    ['Petugas DLH.Sampah sdh diangkut, Kel.Sukorejo', []],
    ['Silakan sampaikan lewat SP4N-LAPOR! (lapor.go.id).', []],
    ['Foto hasil perbaikan: https://blitarkota.go.id/aduan/7K3M.', ['https://blitarkota.go.id/aduan/7K3M']],
    ['(lihat www.blitarkota.go.id), atau http://x.id/a?b=1!', ['www.blitarkota.go.id', 'http://x.id/a?b=1']],
    ['https://a.id dan https://a.id lagi', ['https://a.id']],
    ['ketik www. lalu https://', []],
  ])('%s', (text, links) => {
    expect(linksIn(text)).toEqual(links);
  });
});
