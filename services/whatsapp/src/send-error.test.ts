import { Boom } from '@hapi/boom';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { classifySendError } from './send-error.ts';

const netError = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

describe('classifySendError: which failed sends wait (no attempt used) and which use up attempts', () => {
  it.each([
    // Error nodes in WhatsApp's answers, as Baileys' assertNodeErrorFree throws them (code in data).
    ['rate-overlimit (429)', new Boom('rate-overlimit', { data: 429 }), { action: 'wait', reason: 'rate-limited' }],
    ['service-unavailable (503)', new Boom('service-unavailable', { data: 503 }), { action: 'wait', reason: 'connection' }],
    ['internal-server-error (500)', new Boom('internal-server-error', { data: 500 }), { action: 'wait', reason: 'connection' }],
    ['item-not-found (404)', new Boom('item-not-found', { data: 404 }), { action: 'retry', reason: 'refused' }],
    ['not-acceptable (406)', new Boom('not-acceptable', { data: 406 }), { action: 'retry', reason: 'refused' }],
    ['forbidden (403)', new Boom('forbidden', { data: 403 }), { action: 'retry', reason: 'refused' }],
    // The socket's own errors (DisconnectReason as statusCode).
    ['query timed out', new Boom('Timed Out', { statusCode: DisconnectReason.timedOut }), { action: 'wait', reason: 'timeout' }],
    ['connection closed', new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed }), { action: 'wait', reason: 'connection' }],
    ['connection terminated by server', new Boom('Connection Terminated by Server', { statusCode: DisconnectReason.connectionClosed }), { action: 'wait', reason: 'connection' }],
    ['restart required', new Boom('Stream Errored (restart required)', { statusCode: DisconnectReason.restartRequired }), { action: 'wait', reason: 'connection' }],
    ['not authenticated yet', new Boom('Not authenticated'), { action: 'wait', reason: 'connection' }],
    ['network reset', netError('ECONNRESET'), { action: 'wait', reason: 'connection' }],
    ['network timeout', netError('ETIMEDOUT'), { action: 'wait', reason: 'timeout' }],
    ['a timeout as the cause', new Error('send failed', { cause: new Boom('Timed Out', { statusCode: DisconnectReason.timedOut }) }), { action: 'wait', reason: 'timeout' }],
    // Retrying soon would not help: attempts, then the failed set.
    ['all encryptions failed', new Boom('All encryptions failed', { statusCode: 500 }), { action: 'retry', reason: 'other' }],
    ['logged out', new Boom('Intentional Logout', { statusCode: DisconnectReason.loggedOut }), { action: 'retry', reason: 'other' }],
    ['a bug of ours', new TypeError("Cannot read properties of undefined (reading 'user')"), { action: 'retry', reason: 'other' }],
    ['not an error', 'boom', { action: 'retry', reason: 'other' }],
  ])('%s', (_name, err, expected) => {
    expect(classifySendError(err)).toEqual(expected);
  });
});
