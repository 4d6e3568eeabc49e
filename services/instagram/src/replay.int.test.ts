import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notification } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createIgMetrics } from './metrics.ts';
import { runReplay } from './replay.ts';
import { intakeQueue, notifyQueue, PNG_1x1, queuedJobs, startMediaServer, testEnv } from './testing/harness.ts';
import { makeItems, textItem, VIEWER_ID } from './testing/ig-fixtures.ts';

const url = testRedisUrl();
const run = promisify(execFile);

function replayFile(mediaUrl: (p: string) => string): string {
  const t0 = Date.parse('2026-02-10T08:00:00Z');
  const a = { pk: 6660001, username: 'warga.a', full_name: 'Warga A' };
  const b = { pk: 6660002, username: 'warga.b', full_name: 'Warga B' };
  const items = makeItems(a.pk, t0, mediaUrl);
  const line = (thread: string, user: typeof a, item: object) => JSON.stringify({ thread_id: thread, viewer_id: String(VIEWER_ID), user, item });
  return [
    line('th-a', a, textItem('ra1', a.pk, t0, 'Selamat pagi, mau lapor')),
    line('th-a', a, { ...items.photo, item_id: 'ra2' }),
    // A line break pasted from a phone's notes (U+2028): still one line of the file.
    line('th-a', a, textItem('ra3', a.pk, t0 + 20_000, 'Reklame roboh di Jl. Anggrek,\u2028menutup trotoar')),
    line('th-a', a, textItem('ra4', VIEWER_ID, t0 + 30_000, 'Terima kasih, kami cek')), // our own reply
    line('th-a', a, { ...items.like, item_id: 'ra5' }),
    line('th-b', b, textItem('rb1', b.pk, t0 + 5_000, 'Halo')),
    '{"thread_id": "th-x", "item": {}}',
    'not json',
    // Two hours later the same citizen starts a new complaint: the quiet period splits it.
    line('th-a', a, textItem('ra6', a.pk, t0 + 2 * 3_600_000, 'Lampu lalu lintas di perempatan Herwido mati')),
  ].join('\n');
}

describe('replay', () => {
  let prefix: string;
  let media: Awaited<ReturnType<typeof startMediaServer>>;
  beforeEach(async () => {
    prefix = uniquePrefix('igreplay');
    media = await startMediaServer({ '/photo.png': PNG_1x1 });
  });
  afterEach(async () => {
    await media.close();
    await deletePrefix(url, prefix);
  });

  it('runs each line through the polling code path, closes open conversations, reports what it queued', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ig-replay-')), 'dm.jsonl');
    writeFileSync(file, replayFile(media.url));
    const bad: string[] = [];
    const result = await runReplay({ file, env: testEnv(prefix), redisUrl: url, account: 'pemkotblitar', logger: memoryLogger().logger, metrics: createIgMetrics(new Registry()), onBadLine: (e) => bad.push(e.message) });
    expect(result.badLines).toBe(2);
    expect(bad[1]).toBe('replay line 8: not JSON');
    expect(result.items).toEqual({ ingested: 5, duplicate: 0, skipped: 2 });
    expect(result.complaints).toHaveLength(2);
    const [first, second] = result.complaints.map((c) => c.complaint).sort((x, y) => x.receivedAt.localeCompare(y.receivedAt));
    expect(first!.source.messageIds).toEqual(['ra1', 'ra2', 'ra3']);
    expect(first!.attachments).toHaveLength(1);
    expect(first!.intake.transport).toBe('replay');
    expect(first!.text).toContain('Anggrek,\u2028menutup trotoar');
    expect(second!.source.messageIds).toEqual(['ra6']);
    const notes = (await queuedJobs<Notification>(url, prefix, notifyQueue)).map((j) => j.data);
    expect(notes.filter((n) => n.kind === 'ack').map((n) => n.to)).toEqual(['th-a', 'th-a']);
    // Greeting openers ("Selamat pagi, mau lapor", "Halo") get the guide at once; a bare greeting makes no ticket.
    expect(notes.filter((n) => n.kind === 'guide').map((n) => n.to).sort()).toEqual(['th-a', 'th-b']);
    expect(await queuedJobs(url, prefix, intakeQueue)).toHaveLength(2);

    // Replaying the same file again queues nothing new.
    const again = await runReplay({ file, env: testEnv(prefix), redisUrl: url, account: 'pemkotblitar', logger: memoryLogger().logger, metrics: createIgMetrics(new Registry()) });
    expect(again.items).toMatchObject({ ingested: 0, duplicate: 5 });
    expect(again.complaints).toHaveLength(0);
    expect(await queuedJobs(url, prefix, intakeQueue)).toHaveLength(2);
  });

  it('the CLI honours REDIS_URL and prints the queued complaints without personal data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ig-replay-cli-'));
    const file = join(dir, 'dm.jsonl');
    writeFileSync(file, replayFile(media.url));
    const env = testEnv(prefix);
    const out = await run(process.execPath, ['src/cli/replay.ts', file], {
      cwd: join(import.meta.dirname, '..'),
      env: { PATH: process.env.PATH ?? '', REDIS_URL: url, QUEUE_PREFIX: prefix, INSTAGRAM_ACCOUNT: 'pemkotblitar', ATTACHMENT_DIR: env.ATTACHMENT_DIR, SPOOL_DIR: join(dir, 's'), INBOX_SPOOL_DIR: join(dir, 'i') },
    }).catch((err: { stdout: string; stderr: string; code: number }) => err);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.queued === 'intake')).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ summary: true, badLines: 2, complaints: 2, notifications: { ack: 2, guide: 2 } });
    expect(out.stdout).not.toContain('warga.a');
    expect(out.stdout).not.toContain('Reklame');
    expect(out.stderr).toContain('replay line 8: not JSON');
    expect(await queuedJobs(url, prefix, intakeQueue)).toHaveLength(2);
  });
});
