import { Boom } from '@hapi/boom';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { backoffMs, classifyDisconnect } from './disconnect.ts';

const boom = (statusCode: number) => new Boom('Connection Failure', { statusCode });

describe('classifyDisconnect', () => {
  it.each([
    [DisconnectReason.loggedOut, 'relogin', false],
    [DisconnectReason.multideviceMismatch, 'relogin', false],
    [DisconnectReason.connectionReplaced, 'fatal', false],
    [DisconnectReason.forbidden, 'fatal', false],
    [DisconnectReason.restartRequired, 'reconnect', true],
    [DisconnectReason.connectionClosed, 'reconnect', false],
    [DisconnectReason.connectionLost, 'reconnect', false],
    [DisconnectReason.timedOut, 'reconnect', false],
    [DisconnectReason.badSession, 'reconnect', false],
    [DisconnectReason.unavailableService, 'reconnect', false],
    [499, 'reconnect', false],
  ])('status %i -> %s', (status, action, immediate) => {
    const d = classifyDisconnect(boom(status));
    expect(d.action).toBe(action);
    expect(d.immediate).toBe(immediate);
  });

  it('treats a plain error or nothing as transient', () => {
    expect(classifyDisconnect(new Error('socket hang up')).action).toBe('reconnect');
    expect(classifyDisconnect(undefined)).toMatchObject({ action: 'reconnect', reason: 'unknown-error' });
  });
});

describe('backoffMs', () => {
  it('grows exponentially, stays within [cap/2, cap] and is capped', () => {
    expect(backoffMs(0, { random: () => 0 })).toBe(500);
    expect(backoffMs(0, { random: () => 1 })).toBe(1_000);
    expect(backoffMs(3, { random: () => 1 })).toBe(8_000);
    expect(backoffMs(30, { random: () => 1 })).toBe(60_000);
    expect(backoffMs(30, { random: () => 0 })).toBe(30_000);
  });
});
