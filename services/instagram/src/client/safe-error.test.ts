import { IgNotFoundError } from 'instagram-private-api';
import { describe, expect, it } from 'vitest';
import { igResponse } from '../testing/ig-fixtures.ts';
import { safeErrMessage } from './safe-error.ts';

describe('safeErrMessage', () => {
  it('masks thread and user ids in library error messages', () => {
    const res = igResponse({ message: 'Thread not found', status: 'fail' }, 404);
    (res.request.uri as { path: string }).path = '/api/v1/direct_v2/threads/340282366841710300949128100000000001/items/';
    const msg = safeErrMessage(new IgNotFoundError(res));
    expect(msg).toContain('/api/v1/direct_v2/threads/[id]/items/');
    expect(msg).not.toContain('340282366841710300949128100000000001');
  });
});
