import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startCommand } from '@aduan/testkit/start-command';

/**
 * V8 rounds `--max-semi-space-size` up to a power of two: 6 runs as 8 (session 9 set 6 for the
 * all-in-one and measured a difference that was noise). A start script's flag must say what V8
 * really does, so this runs Node with each script's flags, lets the young generation grow to its
 * largest, and compares the new space's size (two semi-spaces) with the flag.
 */
const packages = ['.', 'services/gateway', 'services/router', 'services/standalone', 'services/whatsapp', 'services/instagram'];

// Keeps a share of what it allocates alive across scavenges, so V8 grows the semi-spaces to their maximum.
const grow = `
const v8 = require('node:v8');
let keep = [];
for (let i = 0; i < 3e6; i++) { const o = { a: i, b: [i] }; if (i % 50 === 0) keep.push(o); if (keep.length > 20000) keep = []; }
const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
process.stdout.write(String(s.space_size / 2 ** 20));
`;

const withFlag = packages.flatMap((dir) => {
  const flag = startCommand(dir).nodeFlags.find((f) => f.startsWith('--max-semi-space-size='));
  return flag ? [{ dir, flag }] : [];
});

describe('start scripts', () => {
  it.each(withFlag)('$dir: $flag is the semi-space V8 uses', ({ flag }) => {
    const mb = Number(flag.split('=')[1]);
    const newSpaceMb = Number(execFileSync(process.execPath, [flag, '-e', grow], { encoding: 'utf8' }));
    expect(newSpaceMb).toBe(2 * mb);
  });
});

describe('start scripts of the Node services', () => {
  // Tuned together (docs/adr/0003-native-type-stripping.md, "Memory flags"): a flag changed in
  // one script and not the others would make the all-in-one and the separate processes differ.
  it('all pass the same V8 flags', () => {
    const flags = ['.', 'services/gateway', 'services/router', 'services/standalone'].map((dir) => startCommand(dir).nodeFlags.join(' '));
    expect(new Set(flags).size).toBe(1);
    expect(flags[0]).toContain('--no-parallel-scavenge');
  });
});
