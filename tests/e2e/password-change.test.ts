import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';

/**
 * Staff change their own password (`/akun/sandi`, and `POST /api/v1/desk/password`), end to end
 * on a real gateway and Redis: every role reaches it from its bar; the rules said next to each
 * field; a wrong current password is a guess the login throttle counts and logs; a change ends
 * every other session and keeps this browser logged in; and an account whose password someone
 * else chose is held on the page (pages redirected, API calls 403) until it has chosen its own,
 * while an account stored before the flag existed goes on as before.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('password-change');
const log = memoryLogger('password-change');
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const MAX_FAILURES = 3;
const PASSWORDS = { kepala: 'kata-sandi-kepala-31', siti: 'kata-sandi-siti-31', sari: 'kata-sandi-sari-31', tono: 'kata-sandi-tono-31', baru: 'kata-sandi-baru-budi-1', lama: 'kata-sandi-lama-lina-7' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

const sessionOf = (res: { cookies: { name: string; value: string }[] }) => {
  const value = res.cookies.find((c) => c.name === 'aduan_session')?.value;
  return value ? `aduan_session=${value}` : undefined;
};
async function login(username: string, password: string): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username, password } });
  expect(res.statusCode).toBe(200);
  return sessionOf(res)!;
}
const get = (cookie: string, path: string) => gw.app.inject({ url: path, headers: { cookie } });
const change = (cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  gw.app.inject({ method: 'POST', url: '/akun/sandi', headers: { ...form, cookie, ...headers }, payload: new URLSearchParams(fields).toString() });
const api = (cookie: string, payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  gw.app.inject({ method: 'POST', url: '/api/v1/desk/password', headers: { ...headers, cookie }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
const fieldError = (body: string, field: string) => new RegExp(`<p class="error" id="${field}-error">([^<]*)</p>`).exec(body)?.[1];
const loginWorks = async (username: string, password: string) => (await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username, password } })).statusCode === 200;

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, env: { LOGIN_MAX_FAILURES: String(MAX_FAILURES) } });
  const users = gw.deps.auth.users;
  await users.add({ username: 'kepala', password: PASSWORDS.kepala, role: 'admin' });
  await users.add({ username: 'siti', password: PASSWORDS.siti, role: 'operator', station: 'Radio Patria FM' });
  await users.add({ username: 'sari', password: PASSWORDS.sari, role: 'opd', opd: 'dlh' });
  await users.add({ username: 'tono', password: PASSWORDS.tono, role: 'operator', station: 'Radio Patria FM' });
});
afterAll(async () => {
  await gw?.close();
  await deletePrefix(url, prefix);
});

describe('changing one\'s own password', () => {
  it('is linked from every role\'s bar and opens for each, without JavaScript; a login for nobody', async () => {
    const kepala = await login('kepala', PASSWORDS.kepala);
    expect((await get(kepala, '/admin/triage')).body).toContain('<a href="/akun/sandi?next=%2Fadmin%2Ftriage">Ganti kata sandi</a>');
    expect((await get(kepala, '/admin/akun')).body).toContain('<a href="/akun/sandi?next=%2Fadmin%2Fakun">Ganti kata sandi</a>');
    const sari = await login('sari', PASSWORDS.sari);
    expect((await get(sari, '/opd')).body).toContain('<a href="/akun/sandi?next=%2Fopd">Ganti kata sandi</a>');
    const siti = await login('siti', PASSWORDS.siti);
    expect((await get(siti, '/desk')).body).toContain('<a href="/akun/sandi?next=%2Fdesk">Ganti kata sandi</a>');
    for (const [cookie, back] of [[kepala, '/admin/triage'], [sari, '/opd'], [siti, '/desk']] as const) {
      const page = await get(cookie, `/akun/sandi?next=${encodeURIComponent(back)}`);
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('<h1>Ganti kata sandi</h1>');
      expect(page.body).toContain('<form method="post" action="/akun/sandi" novalidate>');
      expect(page.body).toContain(`<input type="hidden" name="next" value="${back}">`);
      for (const [id, autocomplete] of [['current', 'current-password'], ['password', 'new-password'], ['again', 'new-password']]) {
        expect(page.body).toContain(`<input type="password" id="${id}" name="${id}" autocomplete="${autocomplete}"`);
      }
      expect(page.body).not.toContain('id="wajib-ganti"');
      expect(page.body).not.toContain('<script');
    }
    const nobody = await gw.app.inject({ url: '/akun/sandi' });
    expect([nobody.statusCode, nobody.headers.location]).toEqual([303, '/login?next=%2Fakun%2Fsandi']);
  });

  it('refuses a new password against the rules next to each field, with a summary, and counts no guess', async () => {
    const cookie = await login('siti', PASSWORDS.siti);
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ current: '', password: '', again: '' }, { current: 'Tulis kata sandi Anda yang sekarang.', password: 'Tulis kata sandi baru.' }],
      [{ current: PASSWORDS.siti, password: 'pendek-9', again: 'pendek-9' }, { password: 'Kata sandi baru minimal 10 karakter.' }],
      [{ current: PASSWORDS.siti, password: 'p'.repeat(201), again: 'p'.repeat(201) }, { password: 'Kata sandi baru paling banyak 200 karakter.' }],
      [{ current: PASSWORDS.siti, password: PASSWORDS.siti, again: PASSWORDS.siti }, { password: 'Kata sandi baru harus berbeda dari kata sandi sekarang.' }],
      [{ current: PASSWORDS.siti, password: 'kata-sandi-baru-siti', again: 'kata-sandi-baru-sit' }, { again: 'Kedua kata sandi baru tidak sama. Ketik ulang kata sandi baru.' }],
      [{ current: PASSWORDS.siti, password: 'kata-sandi-baru-siti', again: '' }, { again: 'Ketik ulang kata sandi baru.' }],
    ];
    for (const [fields, errors] of cases) {
      const res = await change(cookie, { ...fields, next: '/desk' });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('<div class="summary" role="alert" id="error-summary" tabindex="-1" autofocus><strong>Kata sandi belum diganti. Mohon perbaiki:</strong>');
      for (const [field, message] of Object.entries(errors)) {
        expect(fieldError(res.body, field)).toBe(message);
        expect(res.body).toContain(`<li><a href="#${field}">${message}</a></li>`);
        expect(res.body).toMatch(new RegExp(`id="${field}" name="${field}"[^>]*aria-describedby="[^"]*${field}-error" aria-invalid="true" class="invalid"`));
      }
      // Nothing typed comes back: a password is never written into a page.
      for (const typed of Object.values(fields)) if (typed) expect(res.body).not.toContain(typed);
      expect(res.body).toContain('<input type="hidden" name="next" value="/desk">');
    }
    expect(log.lines.filter((l) => l.via === 'password_change')).toEqual([]);
    expect(await loginWorks('siti', PASSWORDS.siti)).toBe(true);
  });

  it('takes a wrong current password for a failed login: logged without it, and past LOGIN_MAX_FAILURES refused, login included', async () => {
    const cookie = await login('tono', PASSWORDS.tono);
    const wrong = (n: number) => `tebakan-salah-nomor-${n}`;
    for (let n = 1; n <= MAX_FAILURES; n++) {
      const res = await change(cookie, { current: wrong(n), password: 'kata-sandi-baru-tono', again: 'kata-sandi-baru-tono' });
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, 'current')).toBe('Kata sandi sekarang salah. Periksa lalu coba lagi.');
    }
    const failed = log.lines.filter((l) => l.event === 'login_failed' && l.via === 'password_change');
    expect(failed).toHaveLength(MAX_FAILURES);
    expect(failed[0]).toMatchObject({ operator: 'tono', client: '127.0.0.1' });
    const blocked = await change(cookie, { current: PASSWORDS.tono, password: 'kata-sandi-baru-tono', again: 'kata-sandi-baru-tono' });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('Terlalu banyak percobaan kata sandi yang salah. Silakan coba lagi dalam');
    expect(log.lines.some((l) => l.event === 'login_blocked' && l.via === 'password_change')).toBe(true);
    // One count with the login's: the same address cannot log in to guess on either.
    const loginNow = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'tono', password: PASSWORDS.tono } });
    expect([loginNow.statusCode, loginNow.json().error]).toEqual([429, 'too_many_attempts']);
    const text = log.text();
    for (let n = 1; n <= MAX_FAILURES; n++) expect(text).not.toContain(wrong(n));
    expect(text).not.toContain('kata-sandi-baru-tono');
    // The right password was not even tried: nothing changed.
    expect((await gw.deps.auth.users.get('tono'))?.sessionEpoch).toBe(0);
  });

  it('refuses a form sent from another site, though it carries the session', async () => {
    const cookie = await login('sari', PASSWORDS.sari);
    const res = await change(cookie, { current: PASSWORDS.sari, password: 'kata-sandi-curian-1', again: 'kata-sandi-curian-1' }, { origin: 'https://contoh.example' });
    expect(res.statusCode).toBe(403);
    expect(await loginWorks('sari', PASSWORDS.sari)).toBe(true);
  });

  it('changes it: other sessions end, this browser stays logged in on a fresh session, a reload sends nothing again, logged without the password', async () => {
    const here = await login('siti', PASSWORDS.siti);
    const elsewhere = await login('siti', PASSWORDS.siti);
    const res = await change(here, { current: PASSWORDS.siti, password: 'kalimat sandi baru siti', again: 'kalimat sandi baru siti', next: '/desk' });
    expect([res.statusCode, res.headers.location]).toEqual([303, '/akun/sandi?selesai=1&next=%2Fdesk']);
    const fresh = sessionOf(res)!;
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(here);
    // The confirmation is a GET: reloading it changes nothing.
    for (let i = 0; i < 2; i++) {
      const done = await get(fresh, '/akun/sandi?selesai=1&next=%2Fdesk');
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain('<h1>Kata sandi Anda sudah diganti</h1>');
      expect(done.body).toContain('<a class="button" href="/desk">Lanjutkan</a>');
    }
    expect((await get(fresh, '/desk')).statusCode).toBe(200);
    for (const old of [here, elsewhere]) expect((await get(old, '/desk')).headers.location).toBe('/login?next=%2Fdesk&expired=1');
    expect(await loginWorks('siti', PASSWORDS.siti)).toBe(false);
    expect(await loginWorks('siti', 'kalimat sandi baru siti')).toBe(true);
    const audit = log.lines.filter((l) => l.event === 'account_changed');
    expect(audit).toEqual([expect.objectContaining({ account: 'siti', action: 'password_changed' })]);
    expect(audit[0]).not.toHaveProperty('required');
    expect(log.text()).not.toContain('kalimat sandi baru siti');
    expect(log.text()).not.toContain(PASSWORDS.siti);
    // "Done" in the URL proves nothing: for a session that made no change it is the form again (below: one that must).
  });

  it('has a JSON twin beside the login (JSON only, the same rules and throttle, a fresh session), in the OpenAPI docs', async () => {
    const cookie = await login('kepala', PASSWORDS.kepala);
    expect((await api(cookie, 'current=x', form)).json().error).toBe('json_required');
    expect((await api('', { currentPassword: PASSWORDS.kepala, newPassword: 'kata-sandi-baru-kepala' })).statusCode).toBe(401);
    const short = await api(cookie, { currentPassword: PASSWORDS.kepala, newPassword: 'pendek' });
    expect([short.statusCode, short.json().error, short.json().fields]).toEqual([400, 'validation_failed', { newPassword: { code: 'too_short', message: 'At least 10 characters' } }]);
    const same = await api(cookie, { currentPassword: PASSWORDS.kepala, newPassword: PASSWORDS.kepala });
    expect(same.json().fields.newPassword.code).toBe('same_as_current');
    const wrong = await api(cookie, { currentPassword: 'bukan-sandinya-1', newPassword: 'kata-sandi-baru-kepala' });
    expect([wrong.statusCode, wrong.json().fields]).toEqual([400, { currentPassword: { code: 'wrong_password', message: 'This is not the current password' } }]);
    expect((await api(cookie, { currentPassword: PASSWORDS.kepala })).json().fields.newPassword.code).toBe('required');
    const ok = await api(cookie, { currentPassword: PASSWORDS.kepala, newPassword: 'kata-sandi-baru-kepala' });
    expect([ok.statusCode, ok.json()]).toEqual([200, { username: 'kepala', role: 'admin', station: '' }]);
    expect((await get(cookie, '/admin/akun')).statusCode).toBe(303);
    expect((await get(sessionOf(ok)!, '/admin/akun')).statusCode).toBe(200);
    const spec = (await gw.app.inject({ url: '/openapi.json' })).json();
    expect(spec.paths['/api/v1/desk/password'].post.tags).toEqual(['desk']);
    expect(Object.keys(spec.paths['/api/v1/desk/password'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
  });
});

describe('a password someone else chose', () => {
  it('holds the account on the change page (pages redirected, API calls 403) until it has chosen its own', async () => {
    await gw.deps.auth.users.add({ username: 'budi', password: PASSWORDS.baru, role: 'opd', opd: 'dishub', passwordChangeDue: true });
    const viaApi = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'budi', password: PASSWORDS.baru } });
    expect(viaApi.json()).toEqual({ username: 'budi', role: 'opd', station: '', passwordChangeRequired: true });
    const page = await gw.app.inject({ method: 'POST', url: '/login', headers: form, payload: new URLSearchParams({ username: 'budi', password: PASSWORDS.baru, next: '/opd' }).toString() });
    expect([page.statusCode, page.headers.location]).toEqual([303, '/akun/sandi?next=%2Fopd']);
    const cookie = sessionOf(page)!;
    for (const path of ['/opd', '/opd/rekap', '/desk']) expect((await get(cookie, path)).headers.location).toBe(`/akun/sandi?next=${encodeURIComponent(path)}`);
    const apiCall = await get(cookie, '/api/v1/desk/me');
    expect([apiCall.statusCode, apiCall.json().error]).toEqual([403, 'password_change_required']);
    // An answer typed in a tab opened before: not sent, and given back to copy.
    const answer = await gw.app.inject({ method: 'POST', url: '/opd/aduan/01KAAAAAAAAAAAAAAAAAAAAAAA/tanggapan', headers: { ...form, cookie }, payload: 'state=in_progress&message=Sedang+kami+kerjakan&updateId=abc' });
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toContain('Anda perlu membuat kata sandi sendiri dulu');
    expect(answer.body).toContain('Sedang kami kerjakan');

    const held = await get(cookie, '/akun/sandi?next=%2Fopd');
    expect(held.statusCode).toBe(200);
    expect(held.body).toContain('id="wajib-ganti"');
    expect(held.body).toContain('Kata sandi akun ini dibuatkan oleh admin');
    // Its bar links no other page (each leads back here), only Keluar.
    expect(held.body).not.toContain('href="/opd"');
    expect(held.body).toContain('<button type="submit" class="secondary">Keluar</button>');
    expect((await get(cookie, '/akun/sandi?selesai=1')).body).toContain('id="wajib-ganti"');

    const done = await change(cookie, { current: PASSWORDS.baru, password: 'sandi pilihan budi sendiri', again: 'sandi pilihan budi sendiri', next: '/opd' });
    expect(done.headers.location).toBe('/akun/sandi?selesai=1&next=%2Fopd');
    const own = sessionOf(done)!;
    expect((await get(own, '/opd')).statusCode).toBe(200);
    expect((await gw.deps.auth.users.get('budi'))?.passwordChangeDue).toBe(false);
    expect(log.lines.find((l) => l.event === 'account_changed' && l.account === 'budi')).toMatchObject({ action: 'password_changed', required: true });
    const again = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'budi', password: 'sandi pilihan budi sendiri' } });
    expect(again.json().passwordChangeRequired).toBe(false);
  });

  it('locks out no account stored before the flag existed: a missing flag asks for no change', async () => {
    await gw.deps.auth.users.add({ username: 'lina', password: PASSWORDS.lama, role: 'opd', opd: 'dlh' });
    // As an account from before this version is kept: no such field at all.
    await gw.deps.redis.hdel(`${prefix}:user:lina`, 'passwordChangeDue');
    expect(await gw.deps.redis.hexists(`${prefix}:user:lina`, 'passwordChangeDue')).toBe(0);
    const res = await gw.app.inject({ method: 'POST', url: '/login', headers: form, payload: new URLSearchParams({ username: 'lina', password: PASSWORDS.lama, next: '/opd' }).toString() });
    expect(res.headers.location).toBe('/opd');
    expect((await get(sessionOf(res)!, '/opd')).statusCode).toBe(200);
  });
});
