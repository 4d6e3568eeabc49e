import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalDiskStorage } from './local-disk.ts';
import { sniffMime } from './sniff.ts';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('LocalDiskStorage', () => {
  it('stores by content hash, once, and reads back the same bytes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aduan-storage-'));
    const s = new LocalDiskStorage(root);
    const a = await s.put(PNG_1x1);
    const b = await s.put(PNG_1x1);
    expect(a).toEqual(b);
    expect(a.storageKey).toBe(`sha256/${a.sha256.slice(0, 2)}/${a.sha256}`);
    expect(await s.get(a.storageKey)).toEqual(PNG_1x1);
    expect(readdirSync(join(root, 'sha256', a.sha256.slice(0, 2)))).toEqual([a.sha256]);
    // Citizens' photos: for this service's user only.
    expect(statSync(join(root, 'sha256', a.sha256.slice(0, 2), a.sha256)).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'sha256', a.sha256.slice(0, 2))).mode & 0o777).toBe(0o700);
    expect(await s.get(`sha256/00/${'0'.repeat(64)}`)).toBeNull();
    await expect(s.get('../../etc/passwd')).rejects.toThrow(/invalid storage key/);
  });

  it('sniffs the type from bytes, not names', async () => {
    expect(await sniffMime(PNG_1x1)).toEqual({ mimeType: 'image/png', kind: 'image' });
    expect(await sniffMime(Buffer.from('just some text pretending to be a jpg'))).toBeNull();
  });
});
