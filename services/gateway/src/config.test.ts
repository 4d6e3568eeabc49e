import { describe, expect, it } from 'vitest';
import { parseEnv, ConfigError } from '@aduan/config';
import { GatewayEnv } from './config.ts';

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
