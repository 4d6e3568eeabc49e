import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';

/**
 * Staff accounts on the admins' page (`/admin/akun`), end to end on real Redis: accounts of
 * each role added with a password the server makes and shows on its own page after a redirect
 * (a reload sends nothing again; a few minutes, that admin's session only), that password
 * logging in once to be replaced by the account's own, a reset ending the old password and
 * sessions, disabling and enabling, an operator's station, an OPD account's WhatsApp number, the
 * refusals (fields, the admin's own account, other roles, other sites), and the audit lines,
 * which never hold a password.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('accounts');
const log = memoryLogger('accounts');
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const cookies: Record<string, string> = {};
/** Every password the page showed, and those the accounts chose: none may reach a log line. */
const shown: string[] = [];

async function login(username: string, password: string): Promise<{ status: number; cookie: string; changeRequired: boolean }> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username, password } });
  return { status: res.statusCode, cookie: `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')?.value}`, changeRequired: res.statusCode === 200 && res.json().passwordChangeRequired };
}
/**
 * Logs in with a password the page made: the account is asked for its own first (403 on
 * anything else), chooses it, and goes on with the session the change gave it.
 */
async function loginAndChoose(username: string, made: string): Promise<string> {
  const first = await login(username, made);
  expect([first.status, first.changeRequired]).toEqual([200, true]);
  expect((await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: first.cookie } })).json().error).toBe('password_change_required');
  const own = `${username}-sendiri-77`;
  shown.push(own);
  const changed = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/password', headers: { cookie: first.cookie }, payload: { currentPassword: made, newPassword: own } });
  expect(changed.statusCode).toBe(200);
  return `aduan_session=${changed.cookies.find((c) => c.name === 'aduan_session')?.value}`;
}
const page = (who: string, path: string) => gw.app.inject({ url: path, headers: { cookie: cookies[who] ?? '' } });
const post = (who: string, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  gw.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies[who] ?? '', ...headers }, payload: new URLSearchParams(fields).toString() });
/** The page a password the page made is shown on: the answer to the form redirects there. */
async function madePage(res: { statusCode: number; headers: Record<string, unknown> }, username: string): Promise<string> {
  expect([res.statusCode, res.headers.location]).toEqual([303, `/admin/akun/${username}/sandi-baru`]);
  const shownPage = await page('kepala', `/admin/akun/${username}/sandi-baru`);
  expect(shownPage.statusCode).toBe(200);
  expect(shownPage.headers['cache-control']).toBe('no-store');
  return shownPage.body;
}
/** The password the answer page shows, as typed (its groups joined). */
function passwordOn(body: string): string {
  const m = /<p id="kata-sandi"[^>]*>(.*?)<\/p>/s.exec(body);
  const password = (m?.[1] ?? '').replace(/<[^>]+>/g, '');
  expect(password).toMatch(/^[a-z2-9]{16}$/);
  shown.push(password);
  return password;
}
const audits = () => log.lines.filter((l) => l.event === 'account_changed').map(({ admin, account, action }) => ({ admin, account, action }));
/** A field's error paragraph. */
const fieldError = (body: string, field: string) => new RegExp(`<p class="error" id="${field}-error">([^<]*)</p>`).exec(body)?.[1];

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger });
  const users = gw.deps.auth.users;
  await users.add({ username: 'kepala', password: 'kata-sandi-kepala-91', role: 'admin' });
  await users.add({ username: 'siti', password: 'kata-sandi-siti-91', role: 'operator', station: 'Radio Patria FM' });
  await users.add({ username: 'sari', password: 'kata-sandi-sari-91', role: 'opd', opd: 'dlh' });
  for (const [who, pw] of [['kepala', 'kata-sandi-kepala-91'], ['siti', 'kata-sandi-siti-91'], ['sari', 'kata-sandi-sari-91']] as const) cookies[who] = (await login(who, pw)).cookie;
});
afterAll(async () => {
  await gw?.close();
  await deletePrefix(url, prefix);
});

describe('staff accounts page', () => {
  it('lists every account with its role, station or OPD by name, WhatsApp, status and date, never a password hash; linked from triage', async () => {
    const list = await page('kepala', '/admin/akun');
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.body).toMatch(/<a href="\/admin\/akun\/sari">sari<\/a><\/th><td[^>]*>Staf instansi<\/td><td[^>]*>Dinas Lingkungan Hidup<\/td><td[^>]*>–<\/td><td[^>]*>Aktif<\/td><td[^>]*>\d+ \w+ \d{4}, \d\d\.\d\d<\/td>/);
    expect(list.body).toMatch(/>siti<\/a><\/th><td[^>]*>Operator radio<\/td><td[^>]*>Radio Patria FM<\/td>/);
    expect(list.body).toMatch(/>kepala<\/a><\/th><td[^>]*>Admin<\/td>/);
    expect(list.body).not.toContain('scrypt$');
    // The form's OPDs: the directory's, without "external".
    expect(list.body).toContain('<option value="dishub">Dishub — Dinas Perhubungan</option>');
    expect(list.body).not.toContain('<option value="external"');
    expect((await page('kepala', '/admin/triage')).body).toContain('<a href="/admin/akun">Akun petugas</a>');
    // The triage page's link for a late OPD nobody reads begins its staff's account.
    const begun = (await page('kepala', '/admin/akun?instansi=dishub')).body;
    expect(begun).toContain('id="role-opd" name="role" value="opd" checked');
    expect(begun).toContain('<option value="dishub" selected>');
    const external = (await page('kepala', '/admin/akun?instansi=external')).body;
    expect(external).not.toContain(' checked');
    expect(external).toContain('<option value="" selected>Tidak ada</option>');
  });

  it('adds an account of each role with a password it shows on its own page, which logs in once to choose its own', async () => {
    const opdAdded = await post('kepala', '/admin/akun', { username: 'Budi.Dishub', role: 'opd', station: '', opd: 'dishub', whatsapp: '0812 3456 7890' });
    const opd = await madePage(opdAdded, 'budi.dishub');
    expect(opd).toContain('Akun budi.dishub dibuat');
    expect(opd).toContain('Staf instansi · Dinas Perhubungan');
    expect(opd).toContain('secara pribadi');
    expect(opd).toContain('diminta mengganti kata sandi ini');
    const budiPassword = passwordOn(opd);
    cookies.budi = await loginAndChoose('budi.dishub', budiPassword);
    expect((await page('budi', '/opd')).body).toContain('Kotak masuk Dinas Perhubungan');
    expect(await gw.deps.auth.users.get('budi.dishub')).toMatchObject({ role: 'opd', opd: 'dishub', whatsapp: '+6281234567890', disabled: false, passwordChangeDue: false });
    // The password the page made no longer logs in.
    expect((await login('budi.dishub', budiPassword)).status).toBe(401);

    const operator = await madePage(await post('kepala', '/admin/akun', { username: 'joko', role: 'operator', station: ' Radio Mayangkara ', opd: '', whatsapp: '' }), 'joko');
    expect(operator).toContain('Operator radio · Radio Mayangkara');
    cookies.joko = await loginAndChoose('joko', passwordOn(operator));
    expect((await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: cookies.joko } })).json()).toEqual({ username: 'joko', role: 'operator', station: 'Radio Mayangkara' });

    const admin = await madePage(await post('kepala', '/admin/akun', { username: 'wakil', role: 'admin', station: '', opd: '', whatsapp: '' }), 'wakil');
    const wakil = await loginAndChoose('wakil', passwordOn(admin));
    expect((await gw.app.inject({ url: '/admin/akun', headers: { cookie: wakil } })).statusCode).toBe(200);

    // Shown on its own page only: the list and the account's page show no password.
    const list = await page('kepala', '/admin/akun');
    expect(list.body).toMatch(/>budi\.dishub<\/a><\/th><td[^>]*>Staf instansi<\/td><td[^>]*>Dinas Perhubungan<\/td><td[^>]*>0812-3456-7890<\/td>/);
    for (const p of shown) expect(list.body + (await page('kepala', '/admin/akun/budi.dishub')).body).not.toContain(p);
    expect(audits()).toEqual(expect.arrayContaining([
      { admin: 'kepala', account: 'budi.dishub', action: 'added' },
      { admin: 'kepala', account: 'joko', action: 'added' },
      { admin: 'kepala', account: 'wakil', action: 'added' },
    ]));
  });

  it("shows a password it made again on a reload, to that admin's session only, for at most 5 minutes, never in Redis as it is", async () => {
    const added = await post('kepala', '/admin/akun', { username: 'rina', role: 'operator', station: 'Radio Patria FM', opd: '', whatsapp: '' });
    const first = passwordOn(await madePage(added, 'rina'));
    // A reload is a GET of the same page: the same password, no second account, no "name taken".
    const reload = await page('kepala', '/admin/akun/rina/sandi-baru');
    expect([reload.statusCode, passwordOn(reload.body)]).toEqual([200, first]);
    // A double click sends the form twice: the second answer is the first one's page, not "name taken".
    const twice = await post('kepala', '/admin/akun', { username: 'rina', role: 'operator', station: 'Radio Patria FM', opd: '', whatsapp: '' });
    expect([twice.statusCode, twice.headers.location]).toEqual([303, '/admin/akun/rina/sandi-baru']);
    expect(passwordOn(await madePage(twice, 'rina'))).toBe(first);
    expect(audits().filter((a) => a.account === 'rina')).toEqual([{ admin: 'kepala', account: 'rina', action: 'added' }]);
    // Kept for this session of this admin only, a few minutes, and encrypted.
    const redis = gw.deps.redis;
    const keys = await redis.keys(`${prefix}:shown-password:*`);
    const values = await Promise.all(keys.map((k) => redis.get(k)));
    for (const v of values) expect(v).not.toContain(first);
    const ttls = await Promise.all(keys.map((k) => redis.pttl(k)));
    for (const ttl of ttls) expect(ttl > 0 && ttl <= 5 * 60_000).toBe(true);
    const other = (await login('wakil', 'wakil-sendiri-77')).cookie;
    const elsewhere = await gw.app.inject({ url: '/admin/akun/rina/sandi-baru', headers: { cookie: other } });
    expect(elsewhere.statusCode).toBe(410);
    expect(elsewhere.body).toContain('Kata sandi ini tidak dapat ditampilkan lagi');
    expect(elsewhere.body).not.toContain(first);
    // Expired (the key's TTL run out): the page says so, and that a reset makes a new one.
    for (const k of keys) await redis.pexpire(k, 1);
    await new Promise((r) => setTimeout(r, 20));
    const gone = await page('kepala', '/admin/akun/rina/sandi-baru');
    expect(gone.statusCode).toBe(410);
    expect(gone.headers['cache-control']).toBe('no-store');
    expect(gone.body).toContain('atur ulang kata sandinya');
    expect(gone.body).toContain('href="/admin/akun/rina#sandi"');
    expect(gone.body).not.toContain(first);
  });

  it("moves an operator to another station with the CLI's rules, said next to the field when refused", async () => {
    const before = await page('kepala', '/admin/akun/joko');
    expect(before.body).toContain('id="stasiun" name="stasiun" maxlength="100" value="Radio Mayangkara"');
    // The stations in use are offered: one station, one spelling.
    expect(before.body).toContain('<option value="Radio Patria FM">');
    const moved = await post('kepala', '/admin/akun/joko/stasiun', { stasiun: ' Radio Patria FM ' });
    expect([moved.statusCode, moved.headers.location]).toEqual([303, '/admin/akun/joko?selesai=stasiun']);
    expect((await page('kepala', '/admin/akun/joko?selesai=stasiun')).body).toContain('Stasiun radio joko disimpan');
    // The desk reads the station from the account at each request: joko's session keys for the new one.
    expect((await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: cookies.joko! } })).json().station).toBe('Radio Patria FM');

    const none = await post('kepala', '/admin/akun/joko/stasiun', { stasiun: '  ' });
    expect(none.statusCode).toBe(400);
    expect(fieldError(none.body, 'stasiun')).toBe('Tulis nama stasiun radio tempat operator ini bertugas.');
    expect(none.body).toContain('aria-invalid="true"');
    const long = await post('kepala', '/admin/akun/joko/stasiun', { stasiun: 'R'.repeat(101) });
    expect([long.statusCode, fieldError(long.body, 'stasiun')]).toEqual([400, 'Nama stasiun paling banyak 100 karakter.']);
    expect((await gw.deps.auth.users.get('joko'))?.station).toBe('Radio Patria FM');
    // An admin may have one, or none; an OPD account has none: no field, and a form sent anyway is refused.
    expect((await post('kepala', '/admin/akun/wakil/stasiun', { stasiun: '' })).statusCode).toBe(303);
    expect((await page('kepala', '/admin/akun/sari')).body).not.toContain('id="stasiun"');
    expect((await post('kepala', '/admin/akun/sari/stasiun', { stasiun: 'Radio Patria FM' })).statusCode).toBe(400);
    expect((await gw.deps.auth.users.get('sari'))?.station).toBe('');
    expect((await post('kepala', '/admin/akun/joko/stasiun', { stasiun: 'Radio Lain' }, { origin: 'https://contoh.example' })).statusCode).toBe(403);
    expect((await post('siti', '/admin/akun/joko/stasiun', { stasiun: 'Radio Lain' })).statusCode).toBe(403);
    expect((await gw.deps.auth.users.get('joko'))?.station).toBe('Radio Patria FM');
    expect(log.lines.filter((l) => l.action === 'station_changed').map(({ admin, account, station }) => ({ admin, account, station }))).toEqual([
      { admin: 'kepala', account: 'joko', station: 'Radio Patria FM' },
      { admin: 'kepala', account: 'wakil', station: '' },
    ]);
  });

  it('refuses wrong fields next to each field, keeping what was typed', async () => {
    const none = await post('kepala', '/admin/akun', { username: 'a b', station: '', opd: '', whatsapp: '' });
    expect(none.statusCode).toBe(400);
    expect(fieldError(none.body, 'role')).toBe('Pilih peran akun.');
    expect(fieldError(none.body, 'username')).toContain('Nama pengguna 2 sampai 40 karakter');
    expect(none.body).toContain('id="username" name="username" value="a b"');
    expect(none.body).toContain('id="error-summary"');

    const opd = await post('kepala', '/admin/akun', { username: 'tini', role: 'opd', station: 'Radio Patria FM', opd: '', whatsapp: '0812 abc' });
    expect(opd.statusCode).toBe(400);
    expect(fieldError(opd.body, 'station')).toBe('Akun staf instansi tidak memakai stasiun radio. Kosongkan isian ini.');
    expect(fieldError(opd.body, 'opd')).toBe('Pilih instansi tempat staf ini bekerja.');
    expect(fieldError(opd.body, 'whatsapp')).toBe('Nomor WhatsApp belum benar. Contoh: 0812 3456 7890.');
    expect(opd.body).toContain('id="role-opd" name="role" value="opd" checked');
    expect(opd.body).toContain('value="0812 abc"');
    expect(opd.body).toContain('aria-invalid="true"');

    // "external" is nobody's inbox, whatever the form sends.
    const external = await post('kepala', '/admin/akun', { username: 'tini', role: 'opd', station: '', opd: 'external', whatsapp: '' });
    expect([external.statusCode, fieldError(external.body, 'opd')]).toEqual([400, 'Pilih instansi tempat staf ini bekerja.']);

    const operator = await post('kepala', '/admin/akun', { username: 'tono', role: 'operator', station: '', opd: 'dishub', whatsapp: '0812 0000 4444' });
    expect(operator.statusCode).toBe(400);
    expect(fieldError(operator.body, 'station')).toBe('Tulis nama stasiun radio tempat operator ini bertugas.');
    expect(fieldError(operator.body, 'opd')).toContain('Hanya akun staf instansi yang terhubung ke instansi');
    expect(fieldError(operator.body, 'whatsapp')).toContain('Hanya akun staf instansi yang menerima ringkasan');
    expect(operator.body).toContain('<option value="dishub" selected>');

    const taken = await post('kepala', '/admin/akun', { username: 'SITI', role: 'operator', station: 'Radio Patria FM', opd: '', whatsapp: '' });
    expect(taken.statusCode).toBe(409);
    expect(fieldError(taken.body, 'username')).toBe('Nama pengguna “siti” sudah dipakai. Pilih nama lain.');
    for (const name of ['tini', 'tono']) expect(await gw.deps.auth.users.get(name)).toBeNull();
    expect((await gw.deps.auth.users.get('siti'))?.station).toBe('Radio Patria FM');
  });

  it('resets a password after a confirmation: the old password and the old session stop working, the new one logs in', async () => {
    const old = 'kata-sandi-sari-91';
    const asked = await post('kepala', '/admin/akun/sari/sandi', {});
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Atur ulang kata sandi sari?');
    expect(asked.body).toContain('<input type="hidden" name="yakin" value="ya">');
    // Only asked: nothing changed yet.
    expect((await page('sari', '/opd')).statusCode).toBe(200);

    const reset = await post('kepala', '/admin/akun/sari/sandi', { yakin: 'ya' });
    const resetPage = await madePage(reset, 'sari');
    expect(resetPage).toContain('Kata sandi baru untuk sari');
    const fresh = passwordOn(resetPage);
    const before = await page('sari', '/opd');
    expect([before.statusCode, before.headers.location]).toEqual([303, '/login?next=%2Fopd&expired=1']);
    expect((await login('sari', old)).status).toBe(401);
    cookies.sari = await loginAndChoose('sari', fresh);
    expect((await page('sari', '/opd')).statusCode).toBe(200);
    expect(audits()).toContainEqual({ admin: 'kepala', account: 'sari', action: 'password_reset' });
  });

  it('disables an account after a confirmation (its session ends, it cannot log in) and enables it again', async () => {
    const asked = await post('kepala', '/admin/akun/siti/nonaktifkan', {});
    expect([asked.statusCode, asked.body.includes('Nonaktifkan akun siti?')]).toEqual([200, true]);
    expect((await page('siti', '/desk')).statusCode).toBe(200);

    const disabled = await post('kepala', '/admin/akun/siti/nonaktifkan', { yakin: 'ya' });
    expect([disabled.statusCode, disabled.headers.location]).toEqual([303, '/admin/akun/siti?selesai=nonaktif']);
    expect((await page('kepala', '/admin/akun/siti?selesai=nonaktif')).body).toContain('Akun siti dinonaktifkan');
    expect((await page('siti', '/desk')).statusCode).toBe(403);
    expect((await login('siti', 'kata-sandi-siti-91')).status).toBe(403);
    expect((await page('kepala', '/admin/akun')).body).toMatch(/>siti<\/a>.*?<strong style="color:#b00020">Nonaktif<\/strong>/s);

    const enabled = await post('kepala', '/admin/akun/siti/aktifkan', {});
    expect([enabled.statusCode, enabled.headers.location]).toEqual([303, '/admin/akun/siti?selesai=aktif']);
    const back = await login('siti', 'kata-sandi-siti-91');
    expect(back.status).toBe(200);
    cookies.siti = back.cookie;
    expect(audits()).toEqual(expect.arrayContaining([
      { admin: 'kepala', account: 'siti', action: 'disabled' },
      { admin: 'kepala', account: 'siti', action: 'enabled' },
    ]));
  });

  it("refuses to disable the admin's own account, with a sentence", async () => {
    const own = await page('kepala', '/admin/akun/kepala');
    expect(own.body).toContain('Ini akun Anda sendiri. Anda tidak dapat menonaktifkannya');
    expect(own.body).not.toContain('/admin/akun/kepala/nonaktifkan');
    const refused = await post('kepala', '/admin/akun/kepala/nonaktifkan', { yakin: 'ya' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Anda tidak dapat menonaktifkan akun Anda sendiri. Bila perlu, minta admin lain.');
    expect((await gw.deps.auth.users.get('kepala'))?.disabled).toBe(false);
    expect((await page('kepala', '/admin/akun')).statusCode).toBe(200);
    // Their own password is theirs to choose, on the change page: no reset that would make one and end their session.
    expect(own.body).toContain('id="sandi-sendiri"');
    const ownReset = await post('kepala', '/admin/akun/kepala/sandi', { yakin: 'ya' });
    expect([ownReset.statusCode, ownReset.headers.location]).toEqual([303, '/akun/sandi?next=%2Fadmin%2Fakun%2Fkepala']);
    expect((await page('kepala', '/admin/akun')).statusCode).toBe(200);
    expect((await login('kepala', 'kata-sandi-kepala-91')).status).toBe(200);
  });

  it("sets and removes an OPD account's WhatsApp number, refusing one that is not a number", async () => {
    const set = await post('kepala', '/admin/akun/sari/whatsapp', { nomor: '+62 812 0000 5555' });
    expect([set.statusCode, set.headers.location]).toEqual([303, '/admin/akun/sari?selesai=wa']);
    expect((await gw.deps.auth.users.get('sari'))?.whatsapp).toBe('+6281200005555');
    expect((await page('kepala', '/admin/akun/sari')).body).toContain('0812-0000-5555');

    const wrong = await post('kepala', '/admin/akun/sari/whatsapp', { nomor: '0812 OOOO' });
    expect(wrong.statusCode).toBe(400);
    expect(fieldError(wrong.body, 'nomor')).toBe('Nomor WhatsApp belum benar. Contoh: 0812 3456 7890.');
    expect(wrong.body).toContain('value="0812 OOOO"');
    expect((await gw.deps.auth.users.get('sari'))?.whatsapp).toBe('+6281200005555');

    const removed = await post('kepala', '/admin/akun/sari/whatsapp', { hapus: 'ya' });
    expect([removed.statusCode, removed.headers.location]).toEqual([303, '/admin/akun/sari?selesai=wa-hapus']);
    expect((await gw.deps.auth.users.get('sari'))?.whatsapp).toBeUndefined();
    // An operator has no digest: the page offers no field, and a form sent anyway is refused.
    expect((await page('kepala', '/admin/akun/siti')).body).not.toContain('id="nomor"');
    expect((await post('kepala', '/admin/akun/siti/whatsapp', { nomor: '0812 0000 6666' })).statusCode).toBe(400);
    expect(audits()).toEqual(expect.arrayContaining([
      { admin: 'kepala', account: 'sari', action: 'whatsapp_set' },
      { admin: 'kepala', account: 'sari', action: 'whatsapp_removed' },
    ]));
  });

  it('is for admins only: 403 for an operator and an OPD account, a login for nobody, 404 for no such account', async () => {
    for (const who of ['siti', 'sari']) {
      expect((await page(who, '/admin/akun')).statusCode).toBe(403);
      expect((await page(who, '/admin/akun/kepala')).statusCode).toBe(403);
      expect((await post(who, '/admin/akun', { username: 'penyusup', role: 'admin' })).statusCode).toBe(403);
      expect((await post(who, '/admin/akun/kepala/sandi', { yakin: 'ya' })).statusCode).toBe(403);
      expect((await post(who, '/admin/akun/budi.dishub/nonaktifkan', { yakin: 'ya' })).statusCode).toBe(403);
    }
    const anonymous = await gw.app.inject({ url: '/admin/akun' });
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([303, '/login?next=%2Fadmin%2Fakun']);
    // A form sent after the session ended: back to the account's page once logged in.
    const lapsed = await gw.app.inject({ method: 'POST', url: '/admin/akun/sari/sandi', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'yakin=ya' });
    expect([lapsed.statusCode, lapsed.headers.location]).toEqual([303, '/login?next=%2Fadmin%2Fakun%2Fsari%2Fsandi']);
    const after = await page('kepala', '/admin/akun/sari/sandi');
    expect([after.statusCode, after.headers.location]).toEqual([303, '/admin/akun/sari']);
    expect((await page('kepala', '/admin/akun/tidak-ada')).statusCode).toBe(404);
    expect((await post('kepala', '/admin/akun/tidak-ada/sandi', { yakin: 'ya' })).statusCode).toBe(404);
    expect(await gw.deps.auth.users.get('penyusup')).toBeNull();
    expect((await gw.deps.auth.users.get('budi.dishub'))?.disabled).toBe(false);
  });

  it("refuses a form sent from another site, though it carries the admin's session", async () => {
    const crossSite = await post('kepala', '/admin/akun', { username: 'penyusup', role: 'admin', station: '', opd: '', whatsapp: '' }, { origin: 'https://contoh.example' });
    expect(crossSite.statusCode).toBe(403);
    expect(await gw.deps.auth.users.get('penyusup')).toBeNull();
    const reset = await post('kepala', '/admin/akun/budi.dishub/sandi', { yakin: 'ya' }, { origin: 'https://contoh.example' });
    expect(reset.statusCode).toBe(403);
    expect(reset.body).not.toContain('id="kata-sandi"');
    expect((await page('budi', '/opd')).statusCode).toBe(200);
    const disable = await post('kepala', '/admin/akun/budi.dishub/nonaktifkan', { yakin: 'ya' }, { referer: 'https://contoh.example/halaman' });
    expect(disable.statusCode).toBe(403);
    expect((await gw.deps.auth.users.get('budi.dishub'))?.disabled).toBe(false);
  });

  it('logs each change with the admin and the account, never a password', () => {
    const lines = log.lines.filter((l) => l.event === 'account_changed');
    const byAdmin = lines.filter((l) => l.action !== 'password_changed');
    expect(byAdmin.length).toBeGreaterThanOrEqual(10);
    for (const l of byAdmin) expect(l).toMatchObject({ admin: 'kepala', account: expect.any(String), action: expect.any(String) });
    // Each account then chose its own password: logged as its own change, the one it was required to make.
    const own = lines.filter((l) => l.action === 'password_changed');
    expect(own.map((l) => [l.account, l.admin, l.required])).toEqual(['budi.dishub', 'joko', 'wakil', 'sari'].map((a) => [a, undefined, true]));
    expect(lines.find((l) => l.account === 'budi.dishub')).toMatchObject({ action: 'added', role: 'opd', opd: 'dishub', whatsapp: 'set' });
    const text = log.text();
    expect(shown.length).toBeGreaterThanOrEqual(9);
    for (const p of shown) expect(text).not.toContain(p);
    expect(text).not.toContain('+6281234567890');
  });
});
