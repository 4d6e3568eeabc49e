import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StoredObject {
  /** Content-addressed key: `sha256/<aa>/<sha256>`. The same bytes always get the same key. */
  storageKey: string;
  sha256: string;
  bytes: number;
}

/** Where attachments live. Local disk today; an S3-compatible store can implement the same three calls. */
export interface AttachmentStorage {
  put(data: Buffer): Promise<StoredObject>;
  get(storageKey: string): Promise<Buffer | null>;
  has(storageKey: string): Promise<boolean>;
}

export class LocalDiskStorage implements AttachmentStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  private path(storageKey: string): string {
    if (!/^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(storageKey)) throw new Error(`invalid storage key: ${storageKey}`);
    return join(this.root, storageKey);
  }

  /** Writes to a temporary file, fsyncs, then renames: a crash never leaves a half file under a real key. */
  async put(data: Buffer): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const storageKey = `sha256/${sha256.slice(0, 2)}/${sha256}`;
    const target = this.path(storageKey);
    if (!(await this.has(storageKey))) {
      // Citizens' photos: readable by this service's user only.
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.write(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
    }
    return { storageKey, sha256, bytes: data.length };
  }

  async get(storageKey: string): Promise<Buffer | null> {
    try {
      return await readFile(this.path(storageKey));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async has(storageKey: string): Promise<boolean> {
    try {
      await stat(this.path(storageKey));
      return true;
    } catch {
      return false;
    }
  }
}
