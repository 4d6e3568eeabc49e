import { mkdir, open, readdir, readFile, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SpoolRecord {
  queue: string;
  jobId: string;
  /** BullMQ job name when it is not the queue name (intake jobs are named by channel). */
  name?: string;
  data: unknown;
  spooledAt: string;
}

/** The local spool could not keep a record (disk full, read-only): the caller must refuse (503). */
export class SpoolWriteError extends Error {
  readonly code = 'ADUAN_ERR_SPOOL_WRITE';
  constructor(cause: unknown) {
    super(`could not write to the local spool: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'SpoolWriteError';
  }
}

/**
 * Append-only, fsync'd JSON-lines file for jobs that could not reach Redis. Appends arriving
 * together share one write and one fsync (group commit), so a burst while Redis is down costs
 * one disk flush per batch, not per complaint. A record is acknowledged only after its fsync.
 *
 * Draining renames the active file to `*.draining` first; a crash mid-drain leaves that file
 * and the next drain replays it again, which is harmless because jobIds are deterministic.
 */
export class Spool {
  private handle: FileHandle | undefined;
  private activeName: string | undefined;
  private pending: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private seq = 0;
  private locked = false;
  /** Serializes file operations: a batch write never meets a rotation closing its handle. */
  private fileOps: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.fileOps.then(fn, fn);
    this.fileOps = run.catch(() => undefined);
    return run;
  }

  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * One process per spool directory: draining renames files, which would steal records from
   * another live writer. A stale lock (its process is gone) is taken over.
   */
  private async lock(): Promise<void> {
    if (this.locked) return;
    // Spooled complaints carry names, phones and text: readable by this service's user only.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const lockFile = join(this.dir, 'spool.lock');
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
    } catch {
      const owner = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (owner && owner !== process.pid && processAlive(owner)) {
        throw new Error(`spool directory ${this.dir} is in use by process ${owner}; give each process its own SPOOL_DIR`);
      }
      await writeFile(lockFile, String(process.pid));
    }
    this.locked = true;
  }

  async append(record: SpoolRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const done = new Promise<void>((resolve, reject) => this.pending.push({ line, resolve, reject }));
    this.flushing ??= this.flushLoop();
    return done;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          await this.exclusive(async () => {
            const fh = await this.activeHandle();
            await fh.write(batch.map((b) => b.line).join(''));
            await fh.sync();
          });
          for (const b of batch) b.resolve();
        } catch (err) {
          const failure = new SpoolWriteError(err);
          for (const b of batch) b.reject(failure);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async activeHandle(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    await this.lock();
    this.activeName = `spool-${process.pid}-${Date.now()}-${this.seq++}.jsonl`;
    this.handle = await open(join(this.dir, this.activeName), 'a', 0o600);
    return this.handle;
  }

  /** Close the active file so the next append starts a new one; returns the files ready to drain. */
  async rotate(): Promise<string[]> {
    await this.lock();
    await this.exclusive(async () => {
      if (this.handle && this.activeName) {
        const fh = this.handle;
        const name = this.activeName;
        this.handle = undefined;
        this.activeName = undefined;
        await fh.close();
        await rename(join(this.dir, name), join(this.dir, `${name}.draining`));
      }
    });
    const names = await readdir(this.dir).catch(() => [] as string[]);
    // Files of a crashed process are drained too; the active file of this process is not.
    const ready: string[] = [];
    for (const name of names.sort()) {
      if (name.endsWith('.draining')) ready.push(join(this.dir, name));
      else if (name.endsWith('.jsonl') && name !== this.activeName) {
        await rename(join(this.dir, name), join(this.dir, `${name}.draining`));
        ready.push(join(this.dir, `${name}.draining`));
      }
    }
    return ready;
  }

  /** Reads a drain file; a torn last line (crash mid-write, never acknowledged) is skipped. */
  static async read(file: string): Promise<SpoolRecord[]> {
    const text = await readFile(file, 'utf8');
    const out: SpoolRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as SpoolRecord);
      } catch {
        // torn write: the request that wrote it was never acknowledged
      }
    }
    return out;
  }

  static async remove(file: string): Promise<void> {
    await unlink(file);
  }

  /**
   * Records waiting on disk (/readyz). Counts complete lines without parsing them, so a long
   * outage's big spool is cheap to report; a torn last line (never acknowledged) has no newline.
   */
  async pendingCount(): Promise<number> {
    try {
      const names = await readdir(this.dir);
      let n = 0;
      for (const name of names) {
        if (!name.includes('.jsonl')) continue;
        const bytes = await readFile(join(this.dir, name));
        for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++;
      }
      return n;
    } catch {
      return 0;
    }
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
    if (this.locked) await unlink(join(this.dir, 'spool.lock')).catch(() => {});
    this.locked = false;
  }
}
