import { describe, expect, it } from 'vitest';
import { throttledErrors } from './consumer.ts';

describe('throttledErrors', () => {
  it('reports an error the first time, then once per period with how many were held back; another message at once', () => {
    let t = 0;
    const heard: [string, number][] = [];
    const onError = throttledErrors((err, repeated) => heard.push([err.message, repeated]), 10_000, () => t);
    const oom = new Error('OOM command not allowed when used memory > maxmemory');
    // A worker retrying at once against a full Redis: thousands a second.
    for (let i = 0; i < 5_000; i++) onError(oom);
    onError(new Error('Connection is closed'));
    t = 9_999;
    onError(oom);
    t = 10_000;
    onError(oom);
    expect(heard).toEqual([
      ['OOM command not allowed when used memory > maxmemory', 0],
      ['Connection is closed', 0],
      ['OOM command not allowed when used memory > maxmemory', 5_000],
    ]);
  });
});
