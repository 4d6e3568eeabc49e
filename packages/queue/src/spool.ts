import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rename, stat, unlink, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { jsonLines } from '@aduan/config';
import { syncDirectory } from '@aduan/storage/durable-fs';
import { processAlive } from './process-alive.ts';


export interface SpoolRecord {
  queue: string;
  jobId: string;
  /** BullMQ job name when it is not the queue name (intake jobs are named by channel). */
  name?: string;
  data: unknown;
  spooledAt: string;
  /**
   * The guard the job was to be added with (guarded-add.ts), kept so the drain can run it: for a
   * complaint, its status record and Idempotency-Key claim, written when Redis is back.
   */
  guard?: { lua: string; keys: string[]; args: (string | number)[] };
}

/** A parsed line that is a spool record (a line of something else must not stop a drain). */
function isRecord(v: unknown): v is SpoolRecord {
  const r = v as SpoolRecord | null;
  return typeof r === 'object' && r !== null && typeof r.queue === 'string' && typeof r.jobId === 'string' && r.jobId !== '' && 'data' in r;
}

/** Who holds a spool directory: the lock file's content. */
interface LockOwner {
  host: string;
  pid: number;
  token: string;
}

/** Spool directories this process holds: two Spools on one directory would drain each other's open files. */
const heldHere = new Set<string>();
/** When this process started: a lock with our pid but refreshed since then is another live process's. */
const PROCESS_START_MS = Date.now() - process.uptime() * 1000;

/** The lock is refreshed this often while held... */
const LOCK_HEARTBEAT_MS = 5_000;
/** ...and counts as abandoned when it was not refreshed for this long. */
const LOCK_STALE_MS = 30_000;

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
  private lockToken = '';
  private locking: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Bytes of the active file that hold whole, acknowledged records. */
  private activeSize = 0;
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
   * another live writer (and that writer would go on appending to a file already drained and
   * deleted). The lock names its host, process and a random token, and is refreshed every 5 s.
   * It is taken over when its process is gone: at once when that process ran on this host
   * (same host name, its pid dead, or our own pid with another token and not refreshed since
   * this process started: a restarted container), otherwise once it was not refreshed for 30 s. PIDs say nothing across containers, where
   * every process may be pid 1; the heartbeat does.
   */
  private lock(): Promise<void> {
    if (this.locked) return Promise.resolve();
    // The first append and the first rotation may both ask at once: one attempt, shared.
    this.locking ??= this.takeLock().finally(() => (this.locking = undefined));
    return this.locking;
  }

  private async takeLock(): Promise<void> {
    const dir = resolve(this.dir);
    if (heldHere.has(dir)) throw new Error(`spool directory ${this.dir} is already used by another spool of this process; give each its own directory (SPOOL_DIR, INBOX_SPOOL_DIR)`);
    // Spooled complaints carry names, phones and text: readable by this service's user only.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const lockFile = join(this.dir, 'spool.lock');
    const me: LockOwner = { host: hostname(), pid: process.pid, token: randomUUID() };
    try {
      await writeFile(lockFile, JSON.stringify(me), { flag: 'wx' });
    } catch {
      const owner = await readLock(lockFile);
      if (!(await lockAbandoned(lockFile, owner, me))) throw inUse(this.dir, owner ?? { host: 'an unknown host', pid: 0, token: '' });
      // Taken over by writing a whole new file in its place; two processes doing this at once
      // both rename, and only the one whose token is there afterwards holds the lock.
      const tmp = join(this.dir, `spool.lock.${me.token}`);
      await writeFile(tmp, JSON.stringify(me));
      await rename(tmp, lockFile);
      await new Promise((ok) => setTimeout(ok, 50));
      const now = await readLock(lockFile);
      if (now?.token !== me.token) throw inUse(this.dir, now ?? owner ?? me);
    }
    if (heldHere.has(dir)) throw new Error(`spool directory ${this.dir} is already used by another spool of this process`);
    heldHere.add(dir);
    this.lockToken = me.token;
    this.locked = true;
    this.heartbeat = setInterval(() => void this.refreshLock(lockFile), LOCK_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Keeps the lock fresh; a lock another process took (we stalled for 30 s) is given up. */
  private async refreshLock(lockFile: string): Promise<void> {
    const owner = await readLock(lockFile);
    // Unreadable for a moment (too many open files, say): no sign that another took it.
    if (!owner) return;
    if (owner.token === this.lockToken) {
      const now = new Date();
      await utimes(lockFile, now, now).catch(() => {});
      return;
    }
    await this.exclusive(async () => {
      clearInterval(this.heartbeat);
      heldHere.delete(resolve(this.dir));
      this.locked = false;
      const fh = this.handle;
      this.handle = undefined;
      this.activeName = undefined;
      await fh?.close().catch(() => {});
    });
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
          await this.exclusive(() => this.writeBatch(Buffer.from(batch.map((b) => b.line).join(''))));
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

  /**
   * Writes a batch whole, then fsyncs it. A disk that fills up can take part of a write without
   * an error (a short write); the rest is written again, which then fails. Whatever failed, the
   * file is cut back to its last whole record (or, if that fails too, left for a new one), so a
   * torn batch never runs into the next one: the batch is refused (503), the records before it
   * stay readable.
   */
  private async writeBatch(buf: Buffer): Promise<void> {
    const fh = await this.activeHandle();
    try {
      for (let off = 0; off < buf.length; ) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off);
        if (bytesWritten <= 0) throw new Error('the disk took no more bytes');
        off += bytesWritten;
      }
      await fh.sync();
      // Still the file a drainer would read? One that took the directory over while this process
      // stalled has renamed (and maybe deleted) it: acknowledged here, the batch would be lost.
      const [mine, named] = await Promise.all([fh.stat(), stat(join(this.dir, this.activeName ?? '')).catch(() => undefined)]);
      if (!named || named.ino !== mine.ino || mine.nlink === 0) throw new Error('the spool file was taken by another process (the lock was lost)');
      this.activeSize += buf.length;
    } catch (err) {
      let cut = true;
      try {
        await fh.truncate(this.activeSize);
        await fh.sync();
      } catch {
        cut = false;
      }
      if (!cut) {
        this.handle = undefined;
        this.activeName = undefined;
        await fh.close().catch(() => {});
      }
      throw err;
    }
  }

  private async activeHandle(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    await this.lock();
    // Named before the file exists: a rotation's scan for files left by a crashed process skips it.
    this.activeName = `spool-${process.pid}-${Date.now()}-${this.seq++}.jsonl`;
    let fh: FileHandle | undefined;
    try {
      fh = await open(join(this.dir, this.activeName), 'a', 0o600);
      // The records' fsync keeps their bytes; the file's name needs the directory's own.
      await syncDirectory(this.dir);
    } catch (err) {
      this.activeName = undefined;
      await fh?.close().catch(() => {});
      throw err;
    }
    this.handle = fh;
    this.activeSize = 0;
    return fh;
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

  /**
   * A drain file's records, one at a time: an outage's spool can hold more than the heap does.
   * A torn last line (a crash mid-write, never acknowledged) is skipped; so is a line that is no
   * record (`onBad` hears of it), so one bad line never holds back every file after it.
   */
  static async *records(file: string | FileHandle, onBad?: (line: string) => void): AsyncGenerator<SpoolRecord> {
    const input = typeof file === 'string' ? createReadStream(file, { encoding: 'utf8' }) : file.createReadStream({ encoding: 'utf8' });
    for await (const line of jsonLines(input)) {
      if (!line.trim()) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        // torn write: the request that wrote it was never acknowledged
        continue;
      }
      if (isRecord(parsed)) yield parsed;
      else onBad?.(line);
    }
  }

  /**
   * Every record now waiting in the directory, oldest file first, without taking the files (a
   * drain may run meanwhile: a file renamed for draining is read under its new name, one drained
   * and removed is skipped, its records being in Redis). Needs no lock.
   */
  async *waiting(): AsyncGenerator<SpoolRecord> {
    for (const name of (await this.recordFileNames()).sort()) {
      const fh = await this.openListed(name);
      if (fh) yield* Spool.records(fh);
    }
  }

  /** The record files in the directory (`*.jsonl`, `*.jsonl.draining`); none when there is no directory yet. */
  private async recordFileNames(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => n.endsWith('.jsonl') || n.endsWith('.jsonl.draining'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /**
   * Opens a record file listed a moment ago. A drain may have renamed it since (`x.jsonl` to
   * `x.jsonl.draining`): then it is opened under its new name. One drained and removed is gone
   * (undefined): its records are in Redis.
   */
  private async openListed(name: string): Promise<FileHandle | undefined> {
    for (const candidate of name.endsWith('.jsonl') ? [name, `${name}.draining`] : [name]) {
      try {
        return await open(join(this.dir, candidate), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return undefined;
  }

  /** Every record of a drain file at once (small files; tests). */
  static async read(file: string): Promise<SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    for await (const rec of Spool.records(file)) out.push(rec);
    return out;
  }

  /**
   * Sets a record the drain cannot add aside, in `quarantine.bad` in the spool directory (mode
   * 0600, one JSON line each; never drained or counted): for the operator, not lost. Returns the file.
   */
  async quarantine(rec: SpoolRecord): Promise<string> {
    const file = join(this.dir, 'quarantine.bad');
    await appendFile(file, `${JSON.stringify(rec)}\n`, { mode: 0o600 });
    return file;
  }

  static async remove(file: string): Promise<void> {
    await unlink(file);
  }

  /**
   * Records waiting on disk (/readyz). Counts complete lines without parsing them, so a long
   * outage's big spool is cheap to report; a torn last line (never acknowledged) has no newline.
   * No directory yet is 0; a directory that cannot be read rejects (it is not an empty spool).
   */
  async pendingCount(): Promise<number> {
    let n = 0;
    for (const name of await this.recordFileNames()) {
      const fh = await this.openListed(name);
      if (!fh) continue;
      for await (const chunk of fh.createReadStream() as AsyncIterable<Buffer>) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
    clearInterval(this.heartbeat);
    const lockFile = join(this.dir, 'spool.lock');
    if (this.locked && (await readLock(lockFile))?.token === this.lockToken) await unlink(lockFile).catch(() => {});
    if (this.locked) heldHere.delete(resolve(this.dir));
    this.locked = false;
  }
}

async function readLock(file: string): Promise<LockOwner | undefined> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (!text) return undefined;
  // Locks written before the host and token were kept hold the pid alone.
  if (/^\d+$/.test(text)) return { host: hostname(), pid: Number(text), token: '' };
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    return { host: String(v.host ?? ''), pid: Number(v.pid ?? 0), token: String(v.token ?? '') };
  } catch {
    return undefined;
  }
}

/**
 * Whether a lock's holder is gone. An empty or unreadable lock (one being written this moment)
 * is not: it must go stale like any other. Our own pid with another token is a restarted
 * container's predecessor only if the lock was last refreshed before this process started;
 * refreshed since, it is a live process with our pid (another container with our host name).
 */
async function lockAbandoned(file: string, owner: LockOwner | undefined, me: LockOwner): Promise<boolean> {
  const mtime = await stat(file).then((st) => st.mtimeMs, () => 0);
  if (owner?.host === me.host && owner.pid === me.pid && owner.token !== me.token && mtime < PROCESS_START_MS) return true;
  if (owner?.host === me.host && owner.pid !== me.pid && !processAlive(owner.pid)) return true;
  return Date.now() - mtime > LOCK_STALE_MS;
}

function inUse(dir: string, owner: LockOwner): Error {
  return new Error(`spool directory ${dir} is in use by process ${owner.pid} on ${owner.host}; give each process its own SPOOL_DIR`);
}
