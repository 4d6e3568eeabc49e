import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { verifyPassword } from './password.ts';
import { UserStore } from './user-store.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('usercli');
const script = fileURLToPath(new URL('../../scripts/user.ts', import.meta.url));

function cli(args: string[], input = '', redisUrl = url) {
  const r = spawnSync(process.execPath, [script, ...args], { input, encoding: 'utf8', env: { ...process.env, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix }, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => deletePrefix(url, prefix));

describe('user CLI', () => {
  it('adds an operator with the password from stdin, lists, disables', async () => {
    const add = cli(['add', 'Rina', '--role', 'operator', '--station', 'Radio Patria FM'], 'sandi-yang-panjang-9\n');
    expect(add.err).toBe('');
    expect(add.out).toContain('added rina (operator, Radio Patria FM)');
    const redis = createRedis(url, 'worker');
    try {
      const u = await new UserStore(redis, prefix).get('RINA');
      expect(await verifyPassword('sandi-yang-panjang-9', u!.passwordHash)).toBe(true);
      expect(cli(['list']).out).toMatch(/^rina\toperator\tRadio Patria FM\tactive/m);
      expect(cli(['disable', 'rina']).code).toBe(0);
      expect((await new UserStore(redis, prefix).get('rina'))?.disabled).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it("moves an account to another station (the next desk complaint's source), and keeps an operator from having none", async () => {
    expect(cli(['add', 'dewi', '--role', 'operator', '--station', 'Radio Patria'], 'sandi-yang-panjang-9\n').code).toBe(0);
    const moved = cli(['station', 'Dewi', '--station', ' Radio Patria FM ']);
    expect(moved.err).toBe('');
    expect(moved.out).toContain('dewi now keys calls for Radio Patria FM');
    expect(cli(['list']).out).toMatch(/^dewi\toperator\tRadio Patria FM\tactive/m);
    const none = cli(['station', 'dewi', '--station', '']);
    expect([none.code, none.err]).toEqual([1, expect.stringContaining('station_required')]);
    expect(cli(['station', 'nobody', '--station', 'Radio Patria FM']).err).toContain('no_such_user');
    expect(cli(['station', 'dewi']).code).toBe(2);
    // An admin may be given one, or have it taken away.
    expect(cli(['add', 'kepala', '--role', 'admin'], 'sandi-yang-panjang-9\n').code).toBe(0);
    expect(cli(['station', 'kepala', '--station', 'Radio Mayangkara']).out).toContain('kepala now keys calls for Radio Mayangkara');
    expect(cli(['station', 'kepala', '--station', '']).out).toContain('kepala now keys calls for no station');
  });

  it("adds an OPD's staff account for an OPD of the directory, and refuses one with no OPD or an unknown one", () => {
    const add = cli(['add', 'Budi', '--role', 'opd', '--opd', 'dishub'], 'sandi-yang-panjang-9\n');
    expect(add.err).toBe('');
    expect(add.out).toContain('added budi (opd, dishub)');
    expect(cli(['list']).out).toMatch(/^budi\topd\tdishub\tactive/m);
    const none = cli(['add', 'joni', '--role', 'opd'], 'sandi-yang-panjang-9\n');
    expect([none.code, none.err]).toEqual([1, expect.stringContaining('opd_required')]);
    const unknown = cli(['add', 'joni', '--role', 'opd', '--opd', 'dinas-rahasia'], 'sandi-yang-panjang-9\n');
    expect([unknown.code, unknown.err]).toEqual([1, expect.stringContaining('error (unknown_opd): "dinas-rahasia" is not an OPD code')]);
    // "external" is a routing decision, nobody's inbox; a station is for operators.
    expect(cli(['add', 'joni', '--role', 'opd', '--opd', 'external'], 'sandi-yang-panjang-9\n').err).toContain('error (unknown_opd): "external"');
    expect(cli(['add', 'joni', '--role', 'opd', '--opd', 'dishub', '--station', 'Radio Patria FM'], 'sandi-yang-panjang-9\n').err).toContain('invalid_station');
    expect(cli(['station', 'budi', '--station', 'Radio Patria FM']).err).toContain('invalid_station');
    expect(cli(['list']).out).toMatch(/^budi\topd\tdishub\tactive/m);
    // The inbox digest's number: kept as E.164, listed, removed; for OPD accounts only.
    expect(cli(['whatsapp', 'budi', '--number', '0812 3456 7890']).out).toContain('budi gets the inbox digest on WhatsApp at +6281234567890');
    expect(cli(['list']).out).toMatch(/^budi\topd\tdishub\tactive\t\S+\t\+6281234567890$/m);
    expect(cli(['whatsapp', 'budi', '--number', 'bukan nomor']).err).toContain('error (invalid_whatsapp)');
    expect(cli(['whatsapp', 'budi', '--none']).out).toContain('budi gets no inbox digest');
    expect(cli(['list']).out).toMatch(/^budi\topd\tdishub\tactive\t\S+\t-$/m);
    expect(cli(['whatsapp', 'budi']).code).toBe(2);
    expect(cli(['add', 'wati', '--role', 'opd', '--opd', 'dlh', '--whatsapp', '+62 812 0000 3333'], 'sandi-yang-panjang-9\n').out).toContain('added wati (opd, dlh)');
    expect(cli(['list']).out).toMatch(/^wati\topd\tdlh\tactive\t\S+\t\+6281200003333$/m);
    expect(cli(['add', 'tono', '--role', 'operator', '--station', 'Radio Patria FM', '--whatsapp', '0812 0000 4444'], 'sandi-yang-panjang-9\n').err).toContain('invalid_whatsapp');
  });

  it("asks an account for its own password at its next login, unless --own-password says its holder typed it", async () => {
    const added = cli(['add', 'wulan', '--role', 'operator', '--station', 'Radio Patria FM'], 'sandi-yang-panjang-9\n');
    expect(added.out).toContain('added wulan (operator, Radio Patria FM); it must choose its own password at its next login');
    // The first admin, made by the server's operator for themself.
    const own = cli(['add', 'kota', '--role', 'admin', '--own-password'], 'sandi-yang-panjang-9\n');
    expect([own.code, own.out]).toEqual([0, 'added kota (admin)\n']);
    const redis = createRedis(url, 'worker');
    try {
      const users = new UserStore(redis, prefix);
      expect((await users.get('wulan'))?.passwordChangeDue).toBe(true);
      expect((await users.get('kota'))?.passwordChangeDue).toBe(false);
      expect(cli(['passwd', 'kota'], 'sandi-baru-yang-panjang\n').out).toContain('password of kota changed; it must choose its own password at its next login');
      expect((await users.get('kota'))?.passwordChangeDue).toBe(true);
      expect(cli(['passwd', 'kota', '--own-password'], 'sandi-lain-yang-panjang\n').out).toBe('password of kota changed\n');
      expect((await users.get('kota'))?.passwordChangeDue).toBe(false);
      expect(cli(['passwd', 'kota'], 'p'.repeat(201)).err).toContain('error (password_too_long)');
      expect(cli(['disable', 'kota', '--own-password']).code).toBe(2);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses bad input with a clear message and exit code', () => {
    const noStation = cli(['add', 'joko', '--role', 'operator'], 'sandi-yang-panjang-9');
    expect(noStation.code).toBe(1);
    expect(noStation.err).toContain('station_required');
    expect(cli(['add', 'joko', '--role', 'boss'], 'x').code).toBe(2);
    // An OPD given to an operator would be dropped without a word: refused, as a station for an OPD account is.
    const opdForOperator = cli(['add', 'joko', '--role', 'operator', '--station', 'Radio Patria FM', '--opd', 'dishub'], 'sandi-yang-panjang-9');
    expect([opdForOperator.code, opdForOperator.err]).toEqual([1, expect.stringContaining('error (invalid_opd)')]);
    // No Redis there: a clear message and exit 1, not a command waiting for Redis forever.
    const gone = cli(['list'], '', 'redis://127.0.0.1:1');
    expect(gone.code).toBe(1);
    expect(gone.err).toContain('error (redis): Redis at 127.0.0.1:1 did not answer within 5 s');
  });
});
