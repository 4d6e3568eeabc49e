import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from './testing/harness.ts';
import { OpdKeyStore } from './opd/opd-keys.ts';
import { createRedis } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';

/** Routes validated by their zod route schema answer with the field codes of docs/errors.md, as the complaint intake does. */
const url = testRedisUrl();
const prefix = uniquePrefix('routeval');
const redis = createRedis(url, 'worker');
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let secret: string;

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: memoryLogger('routeval').logger, routerAlive: () => true });
  secret = (await new OpdKeyStore(redis, prefix).create('dishub', 'SIM Dishub')).secret;
});
afterAll(async () => {
  await gw.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const fieldsOf = (res: { statusCode: number; json: () => unknown }) => {
  const body = res.json() as { error: string; fields: Record<string, { code: string; message: string }> };
  expect([res.statusCode, body.error]).toEqual([400, 'validation_failed']);
  return body.fields;
};

describe('route schema refusals', () => {
  const report = (payload: object) =>
    gw.app.inject({ method: 'POST', url: '/api/v1/opd/complaints/01ARZ3NDEKTSV4RRFFQ69G5FAV/status', headers: { authorization: `Bearer ${secret}` }, payload });

  it('name each field of an OPD report with its own code', async () => {
    expect(fieldsOf(await report({ state: 'selesai', updateId: 'a-1' }))).toEqual({ state: { code: 'invalid_value', message: expect.stringContaining('in_progress') } });
    expect(fieldsOf(await report({ state: 'in_progress' }))).toEqual({ updateId: { code: 'required', message: 'updateId is required' } });
    // The queue contract's own rule, with its own code: the admin needs the reason.
    expect(fieldsOf(await report({ state: 'returned', updateId: 'a-2' })).message).toMatchObject({ code: 'required', message: expect.stringContaining('bukan kewenangan kami') });
    const two = fieldsOf(await report({ state: 'in_progress', updateId: 'a b', at: 'kemarin' }));
    expect([two.at?.code, two.updateId?.code]).toEqual(['invalid_datetime', 'invalid']);
    expect(fieldsOf(await report({ state: 'in_progress', updateId: 'a-3', message: 'x'.repeat(1001) })).message?.code).toBe('too_long');
  });

  it('name query, path and login fields the same way', async () => {
    const auth = { authorization: `Bearer ${secret}` };
    expect(fieldsOf(await gw.app.inject({ url: '/api/v1/opd/complaints?limit=1000', headers: auth })).limit?.code).toBe('out_of_range');
    expect(fieldsOf(await gw.app.inject({ url: '/api/v1/opd/complaints/bukan-id', headers: auth })).id?.code).toBe('invalid');
    expect(fieldsOf(await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'operator' } }))).toEqual({ password: { code: 'required', message: 'password is required' } });
  });
});
