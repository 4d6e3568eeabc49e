import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts personal data at the top level and inside a complaint', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 't', destination: stream });
    log.info({ complaint: { id: 'c1', text: 'rumah saya di Jl. Mawar 3', reporter: { phone: '+6281234567890' } }, phone: '+6281', email: 'a@b.id' }, 'received');
    const out = JSON.stringify(lines);
    expect(out).not.toContain('Mawar');
    expect(out).not.toContain('+6281');
    expect(out).not.toContain('a@b.id');
    expect(out).toContain('c1');
  });

  it('removes query strings (status tokens) from request URLs', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 't', destination: stream });
    log.info({ req: { method: 'GET', url: '/api/v1/complaints/ADU-1?token=secret' } }, 'req');
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});

describe('redaction depth', () => {
  it('censors personal data however deep it is nested, and leaves ids alone', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 't', destination: stream });
    log.info({ job: { data: { complaint: { id: 'c9', source: { jid: '62812@s.whatsapp.net' }, reporter: { name: 'Ani' } } } }, headers: { cookie: 'sess=1', authorization: 'Bearer x' } }, 'deep');
    const out = JSON.stringify(lines);
    for (const secret of ['62812@', 'Ani', 'sess=1', 'Bearer x']) expect(out).not.toContain(secret);
    expect(out).toContain('c9');
  });
});

describe('errors', () => {
  it('logs an error by type, message, code, stack and cause, never the data a library hung on it', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 't', destination: stream });
    // As ioredis does: the failed command, its arguments included, on the error.
    const err = Object.assign(new Error('OOM command not allowed', { cause: Object.assign(new Error('socket closed'), { args: ['+6281234567890'] }) }), { code: 'ERR_OOM', command: { name: 'evalsha', args: ['Rina Wulandari', '+6281234567890'] } });
    log.error({ err, during: { step: 'add', failure: err } }, 'add failed');
    log.error(err);
    const out = JSON.stringify(lines);
    for (const secret of ['Rina', '6281234567890']) expect(out).not.toContain(secret);
    expect(lines[0]).toMatchObject({ err: { type: 'Error', message: 'OOM command not allowed', code: 'ERR_OOM', cause: { message: 'socket closed' } }, during: { failure: { message: 'OOM command not allowed' } } });
    expect(String((lines[0]!.err as { stack: string }).stack)).toContain('logger.test.ts');
    expect(lines[1]).toMatchObject({ err: { message: 'OOM command not allowed' }, msg: 'OOM command not allowed' });
  });
});
