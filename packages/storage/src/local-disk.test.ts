import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalDiskStorage, type TempFile } from './local-disk.ts';
import { sniffMime } from './sniff.ts';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const keyOf = (data: Buffer) => {
  const sha = createHash('sha256').update(data).digest('hex');
  return `sha256/${sha.slice(0, 2)}/${sha}`;
};

/** Every file under `dir`, relative, so a test can see a stray `.tmp` left behind. */
const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));

type WriteFn = (real: TempFile, buf: Buffer, offset: number, length: number, position: number) => Promise<{ bytesWritten: number }>;

/** The real LocalDiskStorage, except that the temp file's write() goes through `writeFn` (a disk that stores less than asked). */
class FaultyDisk extends LocalDiskStorage {
  readonly writeFn: WriteFn;
  constructor(root: string, writeFn: WriteFn) {
    super(root);
    this.writeFn = writeFn;
  }
  protected override async openTemp(tmp: string): Promise<TempFile> {
    const real = await super.openTemp(tmp);
    return {
      write: (buf, offset, length, position) => this.writeFn(real, buf, offset ?? 0, length ?? buf.length - (offset ?? 0), position ?? offset ?? 0),
      sync: () => real.sync(),
      stat: () => real.stat(),
      close: () => real.close(),
    };
  }
}

/** Like a nearly full disk: the first write stores `room` bytes and reports so; the next one fails with ENOSPC. */
const diskFullAfter = (room: number): WriteFn => {
  let left = room;
  return async (real, buf, offset, length, position) => {
    if (left === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const n = Math.min(length, left);
    left -= n;
    return real.write(buf, offset, n, position);
  };
};

describe('LocalDiskStorage', () => {
  it('stores by content hash, once, and reads back the same bytes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aduan-storage-'));
    const s = new LocalDiskStorage(root);
    const a = await s.put(PNG_1x1);
    const b = await s.put(PNG_1x1);
    expect(a).toEqual(b);
    expect(a.storageKey).toBe(`sha256/${a.sha256.slice(0, 2)}/${a.sha256}`);
    expect(await s.get(a.storageKey)).toEqual(PNG_1x1);
    expect(await s.has(a.storageKey)).toBe(true);
    expect(readdirSync(join(root, 'sha256', a.sha256.slice(0, 2)))).toEqual([a.sha256]);
    // Citizens' photos: for this service's user only.
    expect(statSync(join(root, 'sha256', a.sha256.slice(0, 2), a.sha256)).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'sha256', a.sha256.slice(0, 2))).mode & 0o777).toBe(0o700);
    expect(await s.get(`sha256/00/${'0'.repeat(64)}`)).toBeNull();
    // Served as a stream with its size, without reading it whole first.
    const opened = await s.open(a.storageKey);
    expect(opened?.bytes).toBe(PNG_1x1.length);
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(PNG_1x1);
    expect(await s.open(`sha256/00/${'0'.repeat(64)}`)).toBeNull();
    await expect(s.open('../../etc/passwd')).rejects.toThrow(/invalid storage key/);
    expect(await s.has(`sha256/00/${'0'.repeat(64)}`)).toBe(false);
    expect(await s.has('../../etc/passwd')).toBe(false);
    await expect(s.get('../../etc/passwd')).rejects.toThrow(/invalid storage key/);
  });

  it('a full disk (short write, then ENOSPC) makes put reject and leaves no file at the key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aduan-storage-'));
    const data = randomBytes(20070);
    await expect(new FaultyDisk(root, diskFullAfter(8192)).put(data)).rejects.toThrow(/ENOSPC/);
    const s = new LocalDiskStorage(root);
    expect(await s.get(keyOf(data))).toBeNull();
    expect(await s.has(keyOf(data))).toBe(false);
    expect(filesUnder(root)).toEqual([]); // no temp file left either
    // Once there is space again, the same bytes are stored whole.
    const stored = await s.put(data);
    expect(stored).toEqual({ storageKey: keyOf(data), sha256: stored.sha256, bytes: 20070 });
    expect(await s.get(stored.storageKey)).toEqual(data);
  });

  it('writes the rest when write() stores only part of the buffer without failing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aduan-storage-'));
    const data = randomBytes(20070);
    const calls: number[] = [];
    const s = new FaultyDisk(root, async (real, buf, offset, length, position) => {
      const r = await real.write(buf, offset, Math.min(length, 4096), position);
      calls.push(r.bytesWritten);
      return r;
    });
    const stored = await s.put(data);
    expect(stored.bytes).toBe(20070);
    expect(calls).toEqual([4096, 4096, 4096, 4096, 3686]);
    expect(readFileSync(join(root, stored.storageKey))).toEqual(data);
    expect(filesUnder(root)).toEqual([stored.storageKey]);
  });

  it('a write that stores nothing is an error, not an endless loop or an empty file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aduan-storage-'));
    const data = randomBytes(5000);
    const s = new FaultyDisk(root, async () => ({ bytesWritten: 0 }));
    await expect(s.put(data)).rejects.toThrow(/stored 0 of 5000 bytes/);
    expect(filesUnder(root)).toEqual([]);
  });

  it('checks the size after sync: a write that claims more than it stored is caught before the rename', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aduan-storage-'));
    const data = randomBytes(20070);
    const s = new FaultyDisk(root, async (real, buf, offset, length, position) => {
      await real.write(buf, offset, Math.min(length, 8192), position);
      return { bytesWritten: length }; // lies
    });
    await expect(s.put(data)).rejects.toThrow(/holds 8192 bytes after sync, expected 20070/);
    expect(filesUnder(root)).toEqual([]);
  });

  it('replaces a file already at the key whose size or content is wrong, instead of trusting it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aduan-storage-'));
    const s = new LocalDiskStorage(root);
    const data = randomBytes(20070);
    const key = keyOf(data);
    mkdirSync(join(root, key, '..'), { recursive: true });

    // What the old code left behind on a full disk: the first 8192 bytes under the full content's key.
    writeFileSync(join(root, key), data.subarray(0, 8192), { mode: 0o600 });
    expect(await s.has(key)).toBe(false);
    expect(await s.put(data)).toEqual({ storageKey: key, sha256: key.slice(10), bytes: 20070 });
    expect(await s.get(key)).toEqual(data);
    expect(await s.has(key)).toBe(true);

    // Right size, wrong bytes.
    const corrupt = Buffer.from(data);
    corrupt[10_000] = corrupt[10_000]! ^ 0xff;
    writeFileSync(join(root, key), corrupt);
    expect(await s.has(key)).toBe(false);
    await s.put(data);
    expect(await s.get(key)).toEqual(data);
    expect(statSync(join(root, key)).mode & 0o777).toBe(0o600);
    expect(filesUnder(root)).toEqual([key]);
  });

  it('a put of bytes already stored makes the file new again (the retention command deletes by age)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aduan-storage-'));
    const s = new LocalDiskStorage(root);
    const { storageKey } = await s.put(PNG_1x1);
    const monthsAgo = new Date(Date.now() - 90 * 86_400_000);
    utimesSync(join(root, storageKey), monthsAgo, monthsAgo);
    const before = Date.now();
    await s.put(PNG_1x1);
    expect(statSync(join(root, storageKey)).mtimeMs).toBeGreaterThanOrEqual(before - 1_000);
    expect(filesUnder(root)).toEqual([storageKey]);
  });

  // A real short write: a 16 KiB tmpfs. Needs root (or CAP_SYS_ADMIN); skips itself where mount is unavailable (CI).
  it('on a real full filesystem (tmpfs), put rejects, stores nothing, and succeeds once space is freed', async (ctx) => {
    if (process.platform !== 'linux') return ctx.skip();
    const mnt = mkdtempSync(join(tmpdir(), 'aduan-storage-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,mode=0700', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      rmSync(mnt, { recursive: true, force: true });
      return ctx.skip();
    }
    try {
      const s = new LocalDiskStorage(mnt);
      const data = randomBytes(20070);
      await expect(s.put(data)).rejects.toThrow(/ENOSPC|disk may be full/);
      expect(await s.get(keyOf(data))).toBeNull();
      expect(filesUnder(mnt)).toEqual([]);
      execFileSync('mount', ['-o', 'remount,size=1m', mnt], { stdio: 'ignore' });
      await s.put(data);
      expect(await s.get(keyOf(data))).toEqual(data);
    } finally {
      execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('sniffs the type from bytes, not names', async () => {
    expect(await sniffMime(PNG_1x1)).toEqual({ mimeType: 'image/png', kind: 'image' });
    expect(await sniffMime(Buffer.from('just some text pretending to be a jpg'))).toBeNull();
  });
});
