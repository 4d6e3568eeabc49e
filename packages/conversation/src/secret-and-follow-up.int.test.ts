import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { complaints, m, notes, quiet, rig, type Rig } from './test-support/engine-rig.ts';

/** Two kinds of words the engine once took for something else than the complaint they belong to. */
describe('a complaint that asks for secrecy, or tells how long the problem has lasted', () => {
  let prefix: string;
  let r: Rig;
  beforeEach(async () => {
    prefix = uniquePrefix('secret-follow');
    r = await rig(prefix);
  });
  afterEach(async () => {
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });

  it('files a second complaint that asks for secrecy minutes after the first was acknowledged, as a confidential complaint of its own', async () => {
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Merdeka depan SDN 1 mati'));
    expect(await quiet(r)).toBe(1);
    r.now.ms += 5 * 60_000;
    await r.engine.ingest(m(r, 'Satu lagi pak, di kantor kelurahan Sentul ada pungli pembuatan KTP, minta 50 ribu. Mohon nama saya dirahasiakan'));
    expect(await quiet(r)).toBe(1);
    const [, second] = await complaints(r);
    expect(second!.text).toContain('pungli');
    expect(second!.reporter.confidential).toBe(true);
    // Told it was filed (without identity), not that "the complaint was already recorded with your identity".
    expect((await notes(r)).map((n) => n.text).join('\n')).not.toContain('telanjur tercatat');
  });

  it('still takes the request alone, with its reason, minutes after an acknowledgement, as about the complaint just filed', async () => {
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Merdeka depan SDN 1 mati'));
    expect(await quiet(r)).toBe(1);
    r.now.ms += 5 * 60_000;
    await r.engine.ingest(m(r, 'tolong rahasiakan nama saya karena saya takut ada yang tidak suka'));
    expect(await quiet(r)).toBe(0);
    expect(await complaints(r)).toHaveLength(1);
    expect((await notes(r)).at(-1)!.text).toContain('telanjur tercatat');
  });

  it('keeps "dari bulan lalu belum diperbaiki pak" in the complaint being written, with no look-up answer', async () => {
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Merdeka depan SDN 1 mati'));
    const second = await r.engine.ingest(m(r, 'Dari bulan lalu belum diperbaiki pak'));
    expect(second.kind).toBe('content');
    expect(await quiet(r)).toBe(1);
    const [filed] = await complaints(r);
    expect(filed!.text).toContain('Dari bulan lalu belum diperbaiki pak');
    expect((await notes(r)).filter((n) => n.kind === 'lookup')).toEqual([]);
  });

  it('still answers "sudah ada kabar?" as a look-up after a greeting alone, or once the chat has gone quiet', async () => {
    await r.engine.ingest(m(r, 'Selamat pagi min'));
    expect((await r.engine.ingest(m(r, 'sudah ada kabar?'))).kind).toBe('check');
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Merdeka depan SDN 1 mati'));
    r.now.ms += 10 * 60_000;
    expect((await r.engine.ingest(m(r, 'sudah ada kabar?'))).kind).toBe('check');
  });
});
