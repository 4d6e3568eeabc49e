import { Command } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { evalshaWire } from './lua.ts';

describe('evalshaWire', () => {
  it('writes the bytes ioredis writes for the same EVALSHA', () => {
    const sha = 'a'.repeat(40);
    const cases: [string[], (string | number)[]][] = [
      [[], []],
      [['q:intake:wait', 'q:ticket:ADU-1234-5678'], ['01KB0000000000000000000000', 34_560_000, '']],
      // Byte lengths, not character lengths: citizens write in Indonesian, with emoji.
      [['q:complaint:é'], ['{"text":"Jalan rusak 🚧 di Kepanjenkidul — mohon dicek"}', 0, -1, 1.5]],
    ];
    for (const [keys, args] of cases) {
      const ours = evalshaWire(sha, keys, args);
      const theirs = new Command('evalsha', [sha, keys.length, ...keys, ...args]).toWritable({});
      expect(ours).toBe(String(theirs));
    }
  });

  it('leaves a call with a Buffer argument to ioredis', () => {
    expect(evalshaWire('a'.repeat(40), ['k'], [Buffer.from('x')])).toBeUndefined();
  });
});
