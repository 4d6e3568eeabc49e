import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncCreatedDirectories, syncDirectory } from './durable-fs.ts';

export interface StoredObject {
  /** Content-addressed key: `sha256/<aa>/<sha256>`. The same bytes always get the same key. */
  storageKey: string;
  sha256: string;
  bytes: number;
}

/** Where attachments live. Local disk today; an S3-compatible store can implement the same calls. */
export interface AttachmentStorage {
  put(data: Buffer): Promise<StoredObject>;
  get(storageKey: string): Promise<Buffer | null>;
  /** The stored bytes as a stream, and how many (to serve a file without holding it whole), or null. */
  open(storageKey: string): Promise<{ stream: NodeJS.ReadableStream; bytes: number } | null>;
  has(storageKey: string): Promise<boolean>;
  /** Deletes the stored bytes (a citizen's erasure request); false when there were none. */
  delete(storageKey: string): Promise<boolean>;
}

/**
 * The part of a `FileHandle` that `put` writes through. `LocalDiskStorage.openTemp` returns a
 * real `FileHandle`; tests override it to simulate a disk that stores less than it was given.
 */
export interface TempFile {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

async function sha256OfFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
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

  /**
   * Writes to a temporary file (every byte: a short write is retried, a write that stores nothing
   * is an error), fsyncs, checks the size, then renames: a crash or a full disk never leaves a
   * half file under a real key. On any failure the temporary file is removed and `put` rejects.
   * A file already at the key is kept only if its size and SHA-256 match `data`; otherwise
   * (a truncated file from before this check existed, say) it is replaced by the good bytes.
   * A file kept so is touched (its modification time set to now): the retention command
   * (`attachments:prune`) deletes files by age, and a photo just sent again is new again.
   */
  async put(data: Buffer): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const storageKey = `sha256/${sha256.slice(0, 2)}/${sha256}`;
    const target = this.path(storageKey);
    if (!((await this.intact(target, sha256, data.length)) && (await this.touch(target)))) {
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const created = await this.writeInShard(tmp, data);
        await rename(tmp, target);
        // The photo is part of an acknowledged complaint: its name must survive a power cut too.
        await syncDirectory(dirname(target));
        // The shard directory's own name: by this request if it made it, else by the one that did,
        // which may not have got there yet (two requests making one shard at once).
        await (created ? syncCreatedDirectories(dirname(target), created) : syncDirectory(dirname(dirname(target))));
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
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

  async open(storageKey: string): Promise<{ stream: NodeJS.ReadableStream; bytes: number } | null> {
    let fh;
    try {
      fh = await open(this.path(storageKey), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const { size } = await fh.stat();
    // The stream closes the file when it ends or is destroyed (a client that went away).
    return { stream: fh.createReadStream(), bytes: size };
  }

  /** True only if the file at the key exists and its bytes hash to the key's SHA-256 (reads the whole file). */
  async has(storageKey: string): Promise<boolean> {
    let file: string;
    try {
      file = this.path(storageKey);
    } catch {
      return false;
    }
    return this.intact(file, basename(file));
  }

  /** Unlinks the file and fsyncs its directory, so the deletion survives a power cut like a put does. */
  async delete(storageKey: string): Promise<boolean> {
    const file = this.path(storageKey);
    try {
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    await syncDirectory(dirname(file));
    return true;
  }

  /**
   * Makes the shard directory and writes the temporary file in it; returns the first directory
   * it made, if any. The retention command removes a shard directory it emptied: one removed
   * between the two steps is made again, once.
   */
  private async writeInShard(tmp: string, data: Buffer): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      // Citizens' photos: readable by this service's user only.
      const created = await mkdir(dirname(tmp), { recursive: true, mode: 0o700 });
      try {
        await this.writeTemp(tmp, data);
        return created;
      } catch (err) {
        if (attempt > 1 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  /** Opens the temporary file `put` writes to. A seam for tests; production uses a real FileHandle. */
  protected openTemp(tmp: string): Promise<TempFile> {
    return open(tmp, 'wx', 0o600);
  }

  private async writeTemp(tmp: string, data: Buffer): Promise<void> {
    const fh = await this.openTemp(tmp);
    try {
      // write() may store only part of the buffer (a nearly full disk does) without throwing.
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await fh.write(data, written, data.length - written, written);
        if (!(bytesWritten > 0)) throw new Error(`attachment write stored ${written} of ${data.length} bytes (the disk may be full)`);
        written += bytesWritten;
      }
      await fh.sync();
      const { size } = await fh.stat();
      if (size !== data.length) throw new Error(`attachment file holds ${size} bytes after sync, expected ${data.length}`);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    await fh.close();
  }

  /**
   * Sets the file's modification time to now; false when it is gone (the retention command set it
   * aside between the check and now: `put` then writes it again).
   */
  private async touch(file: string): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(file, now, now);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Whether `file` is a regular file with the expected size (when given) and SHA-256. */
  private async intact(file: string, sha256: string, bytes?: number): Promise<boolean> {
    try {
      const st = await stat(file);
      if (!st.isFile() || (bytes !== undefined && st.size !== bytes)) return false;
      return (await sha256OfFile(file)) === sha256;
    } catch {
      return false;
    }
  }
}
