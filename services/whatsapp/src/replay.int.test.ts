import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { BufferJSON, proto } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { ACCOUNT, intakeJobs, notifyJobs } from './test-support/harness.ts';
import { MediaServer } from './test-support/media-server.ts';

const run = promisify(execFile);
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(32, 3)]);

describe('pnpm --filter @aduan/whatsapp replay <file.jsonl> (end to end, real Redis)', () => {
  const url = testRedisUrl();
  const prefix = uniquePrefix('warep');
  const dir = mkdtempSync(join(tmpdir(), 'aduan-wa-replay-'));
  const media = new MediaServer();
  beforeAll(() => media.start());
  afterAll(async () => {
    await media.stop();
    await deletePrefix(url, prefix);
  });

  const env = { ...process.env, REDIS_URL: url, QUEUE_PREFIX: prefix, WA_NUMBERS: ACCOUNT, ATTACHMENT_DIR: join(dir, 'att'), REPLAY_SPOOL_DIR: join(dir, 'spool'), CONVERSATION_QUIET: '5m' };
  const replayCmd = (file: string) => run('pnpm', ['--silent', '--filter', '@aduan/whatsapp', 'replay', file], { env, cwd: join(import.meta.dirname, '..', '..', '..') });

  it('queues one complaint per burst, splits by message time, skips junk, and is idempotent', async () => {
    const t = 1_767_240_000; // 2026-01-01T04:00:00Z
    const a = '6281234500001@s.whatsapp.net';
    const b = '6281234500002@s.whatsapp.net';
    const photo = await media.add('/replay/photo', PNG, 'image');
    const msgs = [
      { key: { remoteJid: a, id: 'R1', fromMe: false }, messageTimestamp: t, pushName: 'Budi', message: { conversation: 'Pak mau lapor' } },
      { key: { remoteJid: b, id: 'R2', fromMe: false }, messageTimestamp: t + 5, message: { conversation: 'lampu jalan mati di Jl. Mawar' } },
      { key: { remoteJid: a, id: 'R3', fromMe: false }, messageTimestamp: t + 20, pushName: 'Budi', message: { imageMessage: { ...photo, mimetype: 'image/jpeg', caption: 'parkir liar di trotoar' } } },
      { key: { remoteJid: a, id: 'R4', fromMe: false }, messageTimestamp: t + 40, message: { locationMessage: { degreesLatitude: -8.1, degreesLongitude: 112.16 } } },
      { key: { remoteJid: '1203630000@g.us', id: 'R5', fromMe: false, participant: a }, messageTimestamp: t + 41, message: { conversation: 'grup' } },
      // Two hours later: a new complaint from the same citizen.
      { key: { remoteJid: a, id: 'R6', fromMe: false }, messageTimestamp: t + 7_200, message: { conversation: 'sampah belum diangkut' } },
    ];
    const lines = msgs.map((m, i) =>
      // Both formats the command accepts: proto toJSON() and Baileys' BufferJSON.
      i % 2 === 0 ? JSON.stringify(proto.WebMessageInfo.fromObject(m).toJSON()) : JSON.stringify(m, BufferJSON.replacer),
    );
    lines.splice(3, 0, '{not json', '[1,2]', '');
    const file = join(dir, 'day.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const first = await replayCmd(file);
    const out = first.stdout.trim().split('\n');
    const summary = JSON.parse(out.at(-1)!);
    expect(summary).toMatchObject({ lines: 8, malformed: 2, complaints: 3, outcomes: { ingested: 5, ignored: 1 } });
    expect(out.filter((l) => l.startsWith('queued ADU-'))).toHaveLength(3);
    expect(first.stdout + first.stderr).not.toMatch(/Budi|6281234500001|parkir/);

    const jobs = await intakeJobs(url, prefix);
    expect(jobs).toHaveLength(3);
    expect(jobs.every((c) => c.intake.transport === 'replay' && c.source.account === ACCOUNT)).toBe(true);
    const burst = jobs.find((c) => c.source.messageIds.includes('R1'))!;
    expect(burst.source.messageIds).toEqual(['R1', 'R3', 'R4']);
    expect(burst.attachments).toHaveLength(1);
    expect(burst.location).toMatchObject({ lat: -8.1 });
    expect(burst.receivedAt).toBe(new Date(t * 1000).toISOString());
    expect(jobs.find((c) => c.source.messageIds.includes('R6'))!.text).toBe('sampah belum diangkut');
    expect((await notifyJobs(url, prefix)).filter((n) => n.kind === 'ack')).toHaveLength(3);

    // The same file named as an operator types it: relative to where pnpm was run, not to the package.
    const second = await replayCmd(relative(join(import.meta.dirname, '..', '..', '..'), file));
    expect(JSON.parse(second.stdout.trim().split('\n').at(-1)!)).toMatchObject({ complaints: 0 });
    expect(await intakeJobs(url, prefix)).toHaveLength(3);
  }, 60_000);
});
