import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEnv, ConfigError, EXIT_CONFIG } from '@aduan/config';
import { GatewayEnv } from './config.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('STATUS_TOKEN_SECRET', () => {
  it('unset or empty (docker-compose passes an unset variable as ""): the gateway generates one', () => {
    expect(parseEnv(GatewayEnv, {}).STATUS_TOKEN_SECRET).toBeUndefined();
    expect(parseEnv(GatewayEnv, { STATUS_TOKEN_SECRET: '' }).STATUS_TOKEN_SECRET).toBeUndefined();
  });

  it('a long secret is used as given; a short one or the published placeholder is refused, naming the variable', () => {
    expect(parseEnv(GatewayEnv, { STATUS_TOKEN_SECRET: 'k3Jd93hf-29dhF02-Jd83hfQ' }).STATUS_TOKEN_SECRET).toBe('k3Jd93hf-29dhF02-Jd83hfQ');
    expect(() => parseEnv(GatewayEnv, { STATUS_TOKEN_SECRET: 'short' })).toThrow(/STATUS_TOKEN_SECRET/);
    expect(() => parseEnv(GatewayEnv, { STATUS_TOKEN_SECRET: 'change-me-to-a-long-random-secret' })).toThrow(ConfigError);
    expect(() => parseEnv(GatewayEnv, { STATUS_TOKEN_SECRET: 'change-me-to-a-long-random-secret' })).toThrow(/published placeholder/);
  });
});

describe('WHATSAPP_PUBLIC_NUMBER', () => {
  it('takes the number as people write it, as E.164; refuses what is no phone number; unset or empty is not mentioned', () => {
    expect(parseEnv(GatewayEnv, { WHATSAPP_PUBLIC_NUMBER: '0812-3456 7890' }).WHATSAPP_PUBLIC_NUMBER).toBe('+6281234567890');
    expect(parseEnv(GatewayEnv, { WHATSAPP_PUBLIC_NUMBER: '' }).WHATSAPP_PUBLIC_NUMBER).toBeUndefined();
    expect(() => parseEnv(GatewayEnv, { WHATSAPP_PUBLIC_NUMBER: 'wa.me/pemkot' })).toThrow(/WHATSAPP_PUBLIC_NUMBER/);
  });
});

describe('an invalid configuration at start', () => {
  it('exits with EXIT_CONFIG and names the variable and the reason, without a stack trace', () => {
    const run = spawnSync(process.execPath, [main], {
      // No Redis is needed: the configuration is read before anything connects.
      env: { PATH: process.env.PATH, STATUS_TOKEN_SECRET: 'change-me-to-a-long-random-secret', RATE_LIMIT_PER_MINUTE: 'many' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(EXIT_CONFIG);
    expect(run.stderr).toMatch(/^Aduan cannot start: invalid configuration:/);
    expect(run.stderr).toMatch(/published placeholder[^\n]*\n\s*→ at STATUS_TOKEN_SECRET/);
    expect(run.stderr).toMatch(/→ at RATE_LIMIT_PER_MINUTE/);
    expect(run.stderr).not.toMatch(/\bat \S+ \(|node:internal|\.ts:\d+/);
    expect(run.stdout).toBe('');
  });

  it('reads an empty variable as unset: `PORT=` is the default port, not port 0', () => {
    const env = parseEnv(GatewayEnv, { PORT: '', RATE_LIMIT_PER_MINUTE: '', SESSION_IDLE_TIMEOUT: '', TRUST_PROXY: '', QUEUE_PREFIX: '' });
    expect(env).toMatchObject({ PORT: 3000, RATE_LIMIT_PER_MINUTE: 30, SESSION_IDLE_TIMEOUT: 2 * 3_600_000, TRUST_PROXY: false, QUEUE_PREFIX: 'aduan' });
  });

  it('reads TRUST_PROXY as the proxies to trust, by address, never as "trust everyone"', () => {
    const trust = (v: string) => parseEnv(GatewayEnv, { TRUST_PROXY: v }).TRUST_PROXY;
    expect(trust('true')).toBe('loopback');
    expect(trust('0')).toBe(false);
    expect(trust('10.0.0.5, 192.168.0.0/16,uniquelocal, ::1')).toBe('10.0.0.5,192.168.0.0/16,uniquelocal,::1');
    expect(() => trust('2')).toThrow(/"2" is not an address[\s\S]*TRUST_PROXY/);
    expect(() => trust('nginx')).toThrow(/"nginx" is not an address/);
    expect(() => trust('10.0.0.0/33')).toThrow(/"10.0.0.0\/33" is not an address/);
    expect(() => trust('0.0.0.0/0')).toThrow(/"0.0.0.0\/0" is not an address/);
    expect(trust('2001:db8::/48')).toBe('2001:db8::/48');
  });
});
