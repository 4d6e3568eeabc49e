import { appendFileSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from './spool.ts';

const rec = (i: number) => ({ queue: 'intake', jobId: `J${i}`, data: { n: i }, spooledAt: new Date().toISOString() });

describe('Spool', () => {
  it('keeps every acknowledged record across rotation, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => s.append(rec(i))));
    const files = await s.rotate();
    const read = (await Promise.all(files.map((f) => Spool.read(f)))).flat();
    expect(read.map((r) => r.jobId)).toEqual(Array.from({ length: 50 }, (_, i) => `J${i}`));
    // Complaints with names and phones: for this service's user only.
    expect(files.map((f) => statSync(f).mode & 0o777)).toEqual(files.map(() => 0o600));
    await s.append(rec(99));
    expect(await s.pendingCount()).toBe(51);
    await s.close();
  });

  it('never loses an append that races a rotation (drain loop vs. incoming complaints)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool(dir);
    const drained: string[] = [];
    const appends: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      appends.push(s.append(rec(i)));
      if (i % 7 === 0) {
        for (const f of await s.rotate()) {
          drained.push(...(await Spool.read(f)).map((r) => r.jobId));
          await Spool.remove(f);
        }
      }
    }
    await Promise.all(appends);
    for (const f of await s.rotate()) drained.push(...(await Spool.read(f)).map((r) => r.jobId));
    expect(new Set(drained).size).toBe(200);
    await s.close();
  });

  it('skips a torn last line and drains the files a crashed process left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    writeFileSync(join(dir, 'spool-999999-1-0.jsonl'), `${JSON.stringify(rec(1))}\n`);
    appendFileSync(join(dir, 'spool-999999-1-0.jsonl'), '{"queue":"intake","jobId":"J2","da');
    writeFileSync(join(dir, 'spool.lock'), '999999');
    const s = new Spool(dir);
    // The torn line was never acknowledged: it is not counted as pending either.
    expect(await s.pendingCount()).toBe(1);
    const files = await s.rotate();
    expect(files).toHaveLength(1);
    expect((await Spool.read(files[0] as string)).map((r) => r.jobId)).toEqual(['J1']);
    await s.close();
    expect(readdirSync(dir)).not.toContain('spool.lock');
  });

  it('refuses a directory that a live process is using', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    writeFileSync(join(dir, 'spool.lock'), String(process.ppid));
    await expect(new Spool(dir).append(rec(1))).rejects.toThrow(/in use by process/);
  });
});
