import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
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

  it('counts every waiting record while a drain renames files under the count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool(dir);
    let expected = 0;
    for (let round = 0; round < 40; round++) {
      await Promise.all(Array.from({ length: 5 }, (_, i) => s.append(rec(round * 5 + i))));
      expected += 5;
      // The count lists the directory, then reads each file; the rotation renames the active file in between.
      const [count] = await Promise.all([s.pendingCount(), s.rotate()]);
      expect(count).toBe(expected);
    }
    await s.close();
  });

  it('keeps a record whose text holds a Unicode line or paragraph separator (JSON leaves them unescaped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const s = new Spool(dir);
    // Pasted text and some keyboards bring U+2028/U+2029; a line reader that splits on them cut the record in pieces.
    const text = 'Lampu jalan mati\u2028di Jl. Merdeka\u2029mohon diperbaiki\u0085segera\r\n';
    await s.append({ ...rec(1), data: { text } });
    await s.append(rec(2));
    const files = await s.rotate();
    const read = (await Promise.all(files.map((f) => Spool.read(f)))).flat();
    expect(read.map((r) => [r.jobId, r.data])).toEqual([['J1', { text }], ['J2', { n: 2 }]]);
    expect(await s.pendingCount()).toBe(2);
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

  it('refuses a directory another container holds (pid 1 there too), and takes it over once its lock goes stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    writeFileSync(join(dir, 'spool-1-1-0.jsonl'), `${JSON.stringify(rec(7))}\n`);
    // Another container: its own host name, its own pid namespace (so its pid says nothing here).
    writeFileSync(join(dir, 'spool.lock'), JSON.stringify({ host: 'gateway-replica-2', pid: 1, token: 'theirs' }));
    await expect(new Spool(dir).rotate()).rejects.toThrow(/in use by process 1 on gateway-replica-2/);
    expect(readdirSync(dir)).toContain('spool-1-1-0.jsonl');
    // Not refreshed for a minute: that container is gone; its records are drained here.
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'spool.lock'), old, old);
    const s = new Spool(dir);
    const files = await s.rotate();
    expect((await Promise.all(files.map((f) => Spool.read(f)))).flat().map((r) => r.jobId)).toEqual(['J7']);
    expect(JSON.parse(readFileSync(join(dir, 'spool.lock'), 'utf8'))).toMatchObject({ host: hostname(), pid: process.pid });
    await s.close();
  });

  it('takes over at once a lock its own pid left before this process started (a restarted container, pid 1 again), not one refreshed since', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const lock = join(dir, 'spool.lock');
    writeFileSync(lock, JSON.stringify({ host: hostname(), pid: process.pid, token: 'someone-else' }));
    // Refreshed just now: another live process with our pid and host name (containers alike).
    await expect(new Spool(dir).append(rec(1))).rejects.toThrow(/in use by process/);
    // Last refreshed before this process started: our predecessor's.
    const before = new Date(Date.now() - process.uptime() * 1000 - 5_000);
    utimesSync(lock, before, before);
    const s = new Spool(dir);
    await s.append(rec(1));
    expect(await s.pendingCount()).toBe(1);
    // A second spool on the same directory in this process is refused, not handed the lock.
    await expect(new Spool(dir).append(rec(2))).rejects.toThrow(/already used by another spool of this process/);
    await s.close();
  });

  it('skips a line that is no record, and keeps draining what follows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    writeFileSync(join(dir, 'spool-999999-1-0.jsonl'), `null\n[1,2]\n${JSON.stringify(rec(1))}\n{"queue":"intake"}\n`);
    writeFileSync(join(dir, 'spool-999999-2-0.jsonl'), `${JSON.stringify(rec(2))}\n`);
    const bad: string[] = [];
    const s = new Spool(dir);
    const seen: string[] = [];
    for (const f of await s.rotate()) for await (const r of Spool.records(f, (line) => bad.push(line))) seen.push(r.jobId);
    expect(seen).toEqual(['J1', 'J2']);
    expect(bad).toEqual(['null', '[1,2]', '{"queue":"intake"}']);
    await s.close();
  });

  it('on a full disk, refuses the batch that did not fit and keeps every record acknowledged before and after it', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // needs root (CI has it); the code path is the same as a real disk filling up
    }
    try {
      writeFileSync(join(dir, 'filler'), Buffer.alloc(8192));
      const s = new Spool(join(dir, 'spool'));
      await s.append(rec(1));
      // Far more than the space left: part of it is written, then the disk is full.
      const big = { ...rec(2), data: { text: 'x'.repeat(20_000) } };
      await expect(s.append(big)).rejects.toThrow(/spool/);
      execFileSync('rm', [join(dir, 'filler')]);
      await s.append(rec(3));
      const files = await s.rotate();
      const ids = (await Promise.all(files.map((f) => Spool.read(f)))).flat().map((r) => r.jobId);
      expect(ids).toEqual(['J1', 'J3']);
      await s.close();
    } finally {
      // Lazy: a test that failed midway may still hold a file open there; the mount must not outlive it.
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    }
  });
});
