import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { GatewayEnv } from '@aduan/gateway';
import { InstagramEnv } from '@aduan/instagram';
import { RouterEnv } from '@aduan/router';
import { WhatsAppEnv } from '@aduan/whatsapp';

/**
 * docker-compose.yml cannot run here (no Docker engine), so what it promises is checked against
 * the code: every setting it passes is one its service reads (a misspelt or renamed variable is
 * ignored without a word), every setting a service requires is passed, files are kept on a
 * volume, and Redis gets the durable configuration.
 */
const root = join(import.meta.dirname, '..', '..');
interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
  logging?: { driver?: string; options?: Record<string, string> };
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

const schemas: Record<string, z.ZodObject> = { '@aduan/gateway': GatewayEnv, '@aduan/router': RouterEnv, '@aduan/whatsapp': WhatsAppEnv, '@aduan/instagram': InstagramEnv };
/** Optional in a schema (other commands of the service do without), required by its start. */
const REQUIRED_AT_START: Record<string, string[]> = { '@aduan/instagram': ['INSTAGRAM_USERNAME'] };
const aduanServices = Object.entries(compose.services).filter(([name]) => name !== 'redis');
const packageOf = (s: ComposeService) => {
  const at = s.command?.indexOf('--filter') ?? -1;
  return at >= 0 ? s.command?.[at + 1] : undefined;
};

describe('docker-compose.yml stays in step with the services', () => {
  it.each(aduanServices)('%s runs a workspace service through its start script', (_name, service) => {
    const pkg = packageOf(service);
    expect(pkg && schemas[pkg], `a known @aduan service in ${JSON.stringify(service.command)}`).toBeTruthy();
    expect(service.command?.at(-1)).toBe('start');
    const manifest = JSON.parse(readFileSync(join(root, 'services', pkg!.slice('@aduan/'.length), 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.start).toBeTruthy();
  });

  it.each(aduanServices)('%s is given only settings it reads, and every one it requires', (_name, service) => {
    const schema = schemas[packageOf(service)!]!;
    const given = Object.keys(service.environment ?? {});
    expect(given.filter((key) => !(key in schema.shape))).toEqual([]);
    const required = Object.entries(schema.shape)
      .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
      .map(([key]) => key);
    expect([...required, ...(REQUIRED_AT_START[packageOf(service)!] ?? [])].filter((key) => !given.includes(key))).toEqual([]);
  });

  it('each service listens on PORT, and no two share one; the settings they must agree on reach all', () => {
    const ports = aduanServices.map(([, s]) => s.environment?.PORT);
    expect(ports.every(Boolean)).toBe(true);
    expect(new Set(ports).size).toBe(ports.length);
    for (const [name, s] of aduanServices) {
      expect(s.environment?.REDIS_URL, name).toMatch(/^\$\{REDIS_URL:-redis:\/\/redis:6379\}$/);
      expect(s.environment?.QUEUE_PREFIX, name).toBe('${QUEUE_PREFIX:-}');
      if ('TICKET_PREFIX' in schemas[packageOf(s)!]!.shape) expect(s.environment?.TICKET_PREFIX, name).toBe('${TICKET_PREFIX:-}');
    }
    expect(compose.services.gateway?.environment?.DESK_HINT_DAYS).toBe(compose.services.router?.environment?.DESK_HINT_DAYS);
  });

  it('spools and attachments are kept on a named volume, one spool directory per service', () => {
    const spools: string[] = [];
    for (const [name, s] of aduanServices) {
      const mounts = (s.volumes ?? []).map((v) => v.split(':')).filter(([source]) => source! in compose.volumes).map(([, target]) => target!);
      for (const [key, value] of Object.entries(s.environment ?? {}).filter(([k]) => k.endsWith('_DIR'))) {
        expect(posix.isAbsolute(value), `${name} ${key}`).toBe(true);
        expect(mounts.some((m) => value === m || value.startsWith(`${m}/`)), `${name} ${key}=${value} on a volume`).toBe(true);
        if (key.endsWith('SPOOL_DIR')) spools.push(value);
      }
    }
    expect(spools.length).toBeGreaterThanOrEqual(5);
    expect(new Set(spools).size).toBe(spools.length);
  });

  it('Redis runs on infra/redis/redis.conf: AOF, noeviction, its data on a volume', () => {
    const redis = compose.services.redis!;
    const conf = redis.volumes?.find((v) => v.startsWith('./infra/redis/redis.conf:'));
    expect(conf).toBeDefined();
    expect(redis.command).toContain(conf!.split(':')[1]);
    const text = readFileSync(join(root, 'infra/redis/redis.conf'), 'utf8');
    expect(text).toMatch(/^appendonly yes$/m);
    expect(text).toMatch(/^maxmemory-policy noeviction$/m);
    const dir = /^dir (\S+)$/m.exec(text)?.[1];
    expect(redis.volumes?.some((v) => v.split(':')[0]! in compose.volumes && v.split(':')[1] === dir)).toBe(true);
    expect(existsSync(join(root, 'infra/docker/Dockerfile'))).toBe(true);
  });

  it("every service's log is bounded: Docker's default keeps a container's output forever", () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.logging?.driver, name).toBe('json-file');
      const size = /^(\d+)m$/.exec(s.logging?.options?.['max-size'] ?? '');
      const files = Number(s.logging?.options?.['max-file']);
      expect(size && files > 0 && Number(size[1]) * files <= 200, `${name}: at most 200 MB of logs`).toBe(true);
    }
  });
});
