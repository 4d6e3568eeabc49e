import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { buildApp } from '../app.ts';
import { createTestGateway } from '../testing/harness.ts';
import { requireRole, userOf } from './index.ts';
import { UserError } from './user-store.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('auth');
const mem = memoryLogger('auth');
let gw: Awaited<ReturnType<typeof createTestGateway>>;

const PASSWORD = 'kata-sandi-rahasia-1';
const json = { 'content-type': 'application/json' };
const formPost = (fields: Record<string, string>) => ({ method: 'POST' as const, url: '/login', payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function loginCookie(username: string, password = PASSWORD): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: json, payload: { username, password } });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'aduan_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Strict');
  return `aduan_session=${cookie?.value}`;
}

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: mem.logger, env: { LOGIN_MAX_FAILURES: '4', SESSION_IDLE_TIMEOUT: '1s' } });
  await gw.deps.auth.users.add({ username: 'Siti', password: PASSWORD, role: 'operator', station: 'Radio Patria FM' });
  await gw.deps.auth.users.add({ username: 'budi', password: PASSWORD, role: 'operator', station: 'Radio Mayangkara' });
  await gw.deps.auth.users.add({ username: 'admin1', password: PASSWORD, role: 'admin' });
});
afterAll(async () => {
  await gw.close();
  await deletePrefix(url, prefix);
});

describe('operator accounts', () => {
  it('stores a scrypt hash, never the password, and treats usernames case-insensitively', async () => {
    const u = await gw.deps.auth.users.get('SITI');
    expect(u?.username).toBe('siti');
    expect(u?.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(JSON.stringify(await gw.deps.redis.hgetall(`${prefix}:user:siti`))).not.toContain(PASSWORD);
    await expect(gw.deps.auth.users.add({ username: 'siti', password: PASSWORD, role: 'operator', station: 'X' })).rejects.toBeInstanceOf(UserError);
    await expect(gw.deps.auth.users.add({ username: 'ani', password: 'short', role: 'operator', station: 'X' })).rejects.toMatchObject({ code: 'weak_password' });
    await expect(gw.deps.auth.users.add({ username: 'ani', password: PASSWORD, role: 'operator' })).rejects.toMatchObject({ code: 'station_required' });
    // The station is each desk complaint's source.account (100 characters at most by the contract).
    await expect(gw.deps.auth.users.add({ username: 'ani', password: PASSWORD, role: 'operator', station: 'R'.repeat(101) })).rejects.toMatchObject({ code: 'invalid_station' });
  });
});

describe('login and sessions', () => {
  it('logs in with any case of the username and answers /me', async () => {
    const cookie = await loginCookie('SiTi');
    const me = await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ username: 'siti', role: 'operator', station: 'Radio Patria FM' });
  });

  it('no session -> 401 unauthenticated; a made-up cookie -> 401 session_expired', async () => {
    const none = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/complaints', headers: json, payload: { text: 'x' } });
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toBe('unauthenticated');
    const fake = await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie: 'aduan_session=not-a-session' } });
    expect(fake.statusCode).toBe(401);
    expect(fake.json().error).toBe('session_expired');
  });

  it('the desk page sends a visitor without a session to the login page and back', async () => {
    const res = await gw.app.inject({ url: '/desk' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fdesk');
    const page = await gw.app.inject({ url: '/login?next=%2Fdesk' });
    expect(page.body).toContain('name="next" value="/desk"');
  });

  it('the login form sets the cookie and redirects to next; never to another site', async () => {
    const ok = await gw.app.inject(formPost({ username: 'budi', password: PASSWORD, next: '/desk' }));
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/desk');
    const evil = await gw.app.inject(formPost({ username: 'budi', password: PASSWORD, next: '//evil.example/' }));
    expect(evil.headers.location).toBe('/desk');
    // A character a Location header cannot carry (from /login?next=/%C4%80): the default, not a 500.
    const odd = await gw.app.inject(formPost({ username: 'budi', password: PASSWORD, next: '/Ā' }));
    expect(odd.statusCode).toBe(303);
    expect(odd.headers.location).toBe('/desk');
  });

  it('the login and logout forms refuse posts from another site, a sandboxed frame or a bad Origin (403 page, no session)', async () => {
    for (const origin of ['http://evil.example', 'null', 'foo']) {
      for (const url of ['/login', '/logout']) {
        const res = await gw.app.inject({ ...formPost({ username: 'budi', password: PASSWORD, next: '/desk' }), url, headers: { 'content-type': 'application/x-www-form-urlencoded', origin } });
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.cookies.find((c) => c.name === 'aduan_session')).toBeUndefined();
        // Staff are led back to the login page, not to the citizens' form.
        expect(res.body).toContain('<a class="button" href="/login">Kembali ke halaman masuk</a>');
      }
    }
  });

  it('a wrong password gives a clear message (API and page) and is logged without the password', async () => {
    const api = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: json, payload: { username: 'admin1', password: 'salah-sekali-123' } });
    expect(api.statusCode).toBe(401);
    expect(api.json()).toMatchObject({ error: 'invalid_credentials', message: 'Wrong username or password' });
    const page = await gw.app.inject(formPost({ username: 'admin1', password: 'salah-sekali-123', next: '/desk' }));
    expect(page.statusCode).toBe(401);
    expect(page.body).toContain('Nama pengguna atau kata sandi salah.');
    // With the address it came from: what an admin blocks when someone guesses (AduanLoginGuessing).
    expect(mem.lines.some((l) => l.event === 'login_failed' && l.operator === 'admin1' && l.client === '127.0.0.1')).toBe(true);
    expect(mem.text()).not.toContain('salah-sekali-123');
  });

  it('repeated failures are slowed down, then refused with Retry-After', async () => {
    const attempt = () => gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: json, payload: { username: 'nobody', password: 'guess-guess-guess' } });
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) expect((await attempt()).statusCode).toBe(401);
    // Failures 3 and 4 wait 250 ms and 500 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    const blocked = await attempt();
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error).toBe('too_many_attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(mem.lines.some((l) => l.event === 'login_blocked' && l.operator === null && l.client === '127.0.0.1')).toBe(true);
  });

  it('requests sent in parallel cannot try more passwords than the limit', async () => {
    await gw.deps.auth.users.add({ username: 'paralel', password: PASSWORD, role: 'operator', station: 'Radio X' });
    const attempt = (password: string) => gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: json, payload: { username: 'paralel', password } });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(`tebakan-ke-${i}-xx`)));
    const codes = answers.map((a) => a.statusCode);
    // LOGIN_MAX_FAILURES is 4 here: four passwords were tried, the rest refused unchecked.
    expect(codes.filter((c) => c === 401)).toHaveLength(4);
    expect(codes.filter((c) => c === 429)).toHaveLength(8);
    // And the right password, once the limit is reached, waits like any other.
    expect((await attempt(PASSWORD)).statusCode).toBe(429);
  });

  it('a username that is no account, or an oversized one, reaches neither the logs nor Redis', async () => {
    const typo = 'sandi-rahasia-2026!';
    expect((await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: json, payload: { username: typo, password: 'whatever-password' } })).statusCode).toBe(401);
    // A JSON body to the page's form with an object for a field: a wrong login, not a 500.
    const odd = await gw.app.inject({ method: 'POST', url: '/login', headers: json, payload: { username: { toString: 1 }, password: { toString: 1 } } });
    expect(odd.statusCode).toBe(401);
    const huge = 'x'.repeat(100_000);
    const page = await gw.app.inject(formPost({ username: huge, password: 'whatever-password', next: '/desk' }));
    expect(page.statusCode).toBe(401);
    expect(mem.lines.some((l) => l.event === 'login_failed' && l.operator === null)).toBe(true);
    expect(mem.text()).not.toContain(typo);
    expect(mem.text()).not.toContain(huge.slice(0, 200));
    const keys = await gw.deps.redis.keys(`${prefix}:login-fail:*`);
    expect(keys.every((k) => k.length < prefix.length + 50)).toBe(true);
  });

  it('stops guesses at one account spread over many addresses, while browsers that logged into it before still log in', async () => {
    const log = memoryLogger('auth-new-device');
    const limited = await createTestGateway({ redisUrl: url, prefix: `${prefix}-nd`, logger: log.logger, env: { LOGIN_NEW_DEVICE_PER_HOUR: '3', LOGIN_MAX_FAILURES: '4', TRUST_PROXY: 'true' } });
    try {
      await limited.deps.auth.users.add({ username: 'penyiar', password: PASSWORD, role: 'operator', station: 'Radio Patria FM' });
      await limited.deps.auth.users.add({ username: 'penyiar2', password: PASSWORD, role: 'operator', station: 'Radio Patria FM' });
      await limited.deps.auth.users.add({ username: 'lain', password: PASSWORD, role: 'operator', station: 'Radio Mayangkara' });
      const api = (username: string, password: string, address: string, device?: string) =>
        limited.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: { ...json, 'x-forwarded-for': address, ...(device ? { cookie: `aduan_device=${device}` } : {}) }, payload: { username, password } });
      // The station's desk computer logs in: it is remembered as one of the account's browsers.
      const first = await api('penyiar', PASSWORD, '198.51.100.1');
      expect(first.statusCode).toBe(200);
      const cookie = first.cookies.find((c) => c.name === 'aduan_device');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 180 * 24 * 3600 });
      const desk = cookie!.value;
      // Guesses from ever new addresses: each address is far from its own limits.
      for (let i = 0; i < 2; i++) expect((await api('penyiar', `tebakan-ke-${i}-xx`, `203.0.113.${i + 1}`)).statusCode).toBe(401);
      // Past the account's limit for unknown browsers, even the right password from a new one is refused unchecked.
      const refused = await api('penyiar', PASSWORD, '203.0.113.50');
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ error: 'too_many_attempts' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3000);
      // So is a made-up device cookie.
      expect((await api('penyiar', PASSWORD, '203.0.113.51', 'x'.repeat(32))).statusCode).toBe(429);
      // The page says what to do, in Bahasa Indonesia.
      const page = await limited.app.inject({ ...formPost({ username: 'penyiar', password: PASSWORD, next: '/desk' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.52' } });
      expect(page.statusCode).toBe(429);
      expect(page.body).toContain('Silakan masuk dari perangkat yang biasa Anda pakai');
      expect(log.lines.some((l) => l.event === 'login_blocked_new_device' && l.operator === 'penyiar')).toBe(true);
      // The desk computer logs in as ever, from wherever it is, and a typo there is an ordinary one.
      expect((await api('penyiar', 'salah-ketik-sekali', '198.51.100.9', desk)).statusCode).toBe(401);
      const again = await api('penyiar', PASSWORD, '198.51.100.9', desk);
      expect(again.statusCode).toBe(200);
      // Another account is not held by this one's attack; the desk computer shared by shift keeps one token for both.
      expect((await api('lain', PASSWORD, '203.0.113.60')).statusCode).toBe(200);
      const shift = await api('penyiar2', PASSWORD, '198.51.100.1', desk);
      expect(shift.statusCode).toBe(200);
      expect(shift.cookies.find((c) => c.name === 'aduan_device')?.value).toBe(desk);
      expect(await limited.deps.auth.throttle.knownDevice('penyiar', desk)).toBe(true);
      expect(await limited.deps.auth.throttle.knownDevice('penyiar2', desk)).toBe(true);
      expect(await limited.deps.auth.throttle.knownDevice('lain', desk)).toBe(false);
      // The desk computer's device token in a botnet's hands: its logins are counted across
      // addresses (a success starts the count again), and past LOGIN_MAX_FAILURES it is a new
      // browser for that account, held to the account's budget like any other.
      const guess = (i: number) => api('penyiar2', `tebakan-${i}-xxxx`, `192.0.2.${i + 1}`, desk);
      for (let i = 0; i < 3; i++) expect((await guess(i)).statusCode).toBe(401);
      expect((await api('penyiar2', PASSWORD, '192.0.2.50', desk)).statusCode).toBe(200);
      for (let i = 10; i < 14; i++) expect((await guess(i)).statusCode).toBe(401);
      expect(await limited.deps.auth.throttle.knownDevice('penyiar2', desk)).toBe(true);
      expect(log.lines.some((l) => l.event === 'login_device_forgotten')).toBe(false);
      expect((await guess(20)).statusCode).toBe(401);
      expect(await limited.deps.auth.throttle.knownDevice('penyiar2', desk)).toBe(false);
      expect(log.lines.some((l) => l.event === 'login_device_forgotten' && l.operator === 'penyiar2')).toBe(true);
      // Still the other account's own.
      expect(await limited.deps.auth.throttle.knownDevice('penyiar', desk)).toBe(true);
    } finally {
      await limited.close();
      await deletePrefix(url, `${prefix}-nd`);
    }
  });

  it('limits login attempts per address whatever the username, on the form and the API together, an IPv6 client by its /64', async () => {
    const limited = await createTestGateway({ redisUrl: url, prefix: `${prefix}-lrl`, logger: mem.logger, env: { LOGIN_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'true' } });
    try {
      const from = (address: string) => ({ 'x-forwarded-for': address });
      const api = (address: string, i: number) => limited.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: { ...json, ...from(address) }, payload: { username: `tebak${i}`, password: 'guess-guess-guess' } });
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await api(`2001:db8:1:2::${i + 1}`, i)).statusCode);
      expect(codes).toEqual([401, 401, 401]);
      // Another address in the same /64, through the page's form: the same count, told as a page.
      const page = await limited.app.inject({ ...formPost({ username: 'coba9', password: 'guess-guess-guess', next: '/desk' }), headers: { 'content-type': 'application/x-www-form-urlencoded', ...from('2001:db8:1:2::99') } });
      expect(page.statusCode).toBe(429);
      expect(page.headers['content-type']).toContain('text/html');
      expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
      // The login page again, saying why (not the complaint form's "too many complaints").
      expect(page.body).toContain('Terlalu banyak percobaan masuk dari jaringan ini');
      expect(page.body).toContain('value="coba9"');
      expect(page.body).not.toContain('aduan dikirim');
      expect((await api('2001:db8:1:2::7', 7)).json().error).toBe('rate_limited');
      // Another /64 has its own count.
      expect((await api('2001:db8:1:3::1', 8)).statusCode).toBe(401);
    } finally {
      await limited.close();
      await deletePrefix(url, `${prefix}-lrl`);
    }
  });

  it('a new password, or disabling the account, ends the sessions already open', async () => {
    await gw.deps.auth.users.add({ username: 'dewi', password: PASSWORD, role: 'operator', station: 'Radio X' });
    const before = await loginCookie('dewi');
    await gw.deps.auth.users.setPassword('dewi', 'kata-sandi-baru-22', { changeDue: false });
    const stale = await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: before } });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error).toBe('session_expired');
    const after = await loginCookie('dewi', 'kata-sandi-baru-22');
    await gw.deps.auth.users.setDisabled('dewi', true);
    expect((await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: after } })).statusCode).toBe(403);
    await gw.deps.auth.users.setDisabled('dewi', false);
    // Enabled again, the account's old cookie does not come back to life.
    expect((await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: after } })).json().error).toBe('session_expired');
    expect((await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: await loginCookie('dewi', 'kata-sandi-baru-22') } })).statusCode).toBe(200);
  });

  it('a disabled user gets 403 on the API, even with a live session, and cannot log in', async () => {
    const cookie = await loginCookie('budi');
    await gw.deps.auth.users.setDisabled('budi', true);
    const res = await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('account_disabled');
    const again = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: json, payload: { username: 'budi', password: PASSWORD } });
    expect(again.statusCode).toBe(403);
    await gw.deps.auth.users.setDisabled('budi', false);
  });

  it('the desk\'s board poll does not keep an unattended session alive; the operator\'s own requests do', async () => {
    const unattended = await loginCookie('siti');
    const atWork = await loginCookie('siti');
    const board = (cookie: string, poll: boolean) => gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie, ...(poll ? { 'x-aduan-poll': '1' } : {}) } });
    // SESSION_IDLE_TIMEOUT is 1 s here; both are read every 300 ms for 1.5 s.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await board(unattended, true);
      await board(atWork, false);
    }
    expect((await board(unattended, true)).json().error).toBe('session_expired');
    expect((await board(atWork, false)).statusCode).toBe(200);
  });

  it('sessions expire after the idle timeout; logout ends them at once', async () => {
    const cookie = await loginCookie('siti');
    await new Promise((r) => setTimeout(r, 1_200));
    const expired = await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie } });
    expect(expired.json().error).toBe('session_expired');
    const page = await gw.app.inject({ url: '/desk', headers: { cookie } });
    expect(page.headers.location).toBe('/login?next=%2Fdesk&expired=1');

    const fresh = await loginCookie('siti');
    // Sent from another site (a page that posts text/plain to it): refused, the session goes on.
    const forged = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/logout', headers: { cookie: fresh, origin: 'https://evil.example', 'content-type': 'text/plain' }, payload: 'x' });
    expect(forged.statusCode).toBe(403);
    // An older browser sends no Origin, only the page it came from: another site's is refused too, this one's passes.
    const fromElsewhere = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/logout', headers: { cookie: fresh, referer: 'https://evil.example/page', 'content-type': 'text/plain' }, payload: 'x' });
    expect(fromElsewhere.statusCode).toBe(403);
    expect((await gw.app.inject({ method: 'POST', url: '/api/v1/desk/logout', headers: { cookie: fresh, referer: 'not a url' } })).statusCode).toBe(403);
    expect((await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: fresh } })).statusCode).toBe(200);
    expect((await gw.app.inject({ method: 'POST', url: '/api/v1/desk/logout', headers: { cookie: fresh, referer: 'http://localhost:80/desk' } })).statusCode).toBe(204);
    expect((await gw.app.inject({ url: '/api/v1/desk/me', headers: { cookie: fresh } })).statusCode).toBe(401);
  });

  it('desk API posts must be JSON (CSRF defence with SameSite=Strict)', async () => {
    const cookie = await loginCookie('siti');
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/complaints', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'text=halo+halo+halo+halo&program=Pagi' });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toBe('json_required');
  });

  it('cookies are Secure and __Host- when configured (default in production): a sibling site of the domain cannot plant one', async () => {
    const prod = await createTestGateway({ redisUrl: url, prefix, logger: mem.logger, env: { NODE_ENV: 'production' } });
    try {
      // A user of its own: other tests' failed logins must not throttle this one.
      await prod.deps.auth.users.add({ username: 'prodcheck', password: PASSWORD, role: 'admin' });
      const res = await prod.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: json, payload: { username: 'prodcheck', password: PASSWORD } });
      expect(res.statusCode).toBe(200);
      // What a browser requires of a __Host- cookie: Secure, Path=/, no Domain.
      for (const name of ['__Host-aduan_session', '__Host-aduan_device']) {
        const set = res.cookies.find((c) => c.name === name);
        expect(set, name).toMatchObject({ secure: true, path: '/', httpOnly: true, sameSite: 'Strict' });
        expect(set?.domain, name).toBeUndefined();
      }
      expect(res.cookies.map((c) => c.name)).not.toContain('aduan_session');
      const session = res.cookies.find((c) => c.name === '__Host-aduan_session')!.value;
      expect((await prod.app.inject({ url: '/api/v1/desk/me', headers: { cookie: `__Host-aduan_session=${session}` } })).statusCode).toBe(200);
      // The same session under the plain name (as a sibling subdomain could set it for the whole domain) is not read.
      expect((await prod.app.inject({ url: '/api/v1/desk/me', headers: { cookie: `aduan_session=${session}` } })).statusCode).toBe(401);
    } finally {
      await prod.close();
    }
  });

  it('requireRole: a wrong role gets 403 (JSON on the API, a page otherwise); the right role passes', async () => {
    const app = await buildApp(gw.deps, {
      extraRoutes: async (a) => {
        a.get('/api/v1/admin/ping', { preHandler: requireRole('admin') }, async (req) => ({ user: userOf(req) }));
        a.get('/admin/page', { preHandler: requireRole('admin') }, async () => 'ok');
      },
    });
    await app.ready();
    try {
      const operator = await loginCookie('siti');
      const admin = await loginCookie('admin1');
      const api = await app.inject({ url: '/api/v1/admin/ping', headers: { cookie: operator } });
      expect(api.statusCode).toBe(403);
      expect(api.json().error).toBe('forbidden');
      const page = await app.inject({ url: '/admin/page', headers: { cookie: operator } });
      expect(page.statusCode).toBe(403);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('tidak berhak');
      expect(page.body).toContain('<a class="button" href="/login">Masuk dengan akun lain</a>');
      expect((await app.inject({ url: '/admin/page' })).headers.location).toBe('/login?next=%2Fadmin%2Fpage');
      expect((await app.inject({ url: '/api/v1/admin/ping', headers: { cookie: admin } })).json()).toEqual({ user: { username: 'admin1', role: 'admin', station: '', opd: '' } });
      // An admin without a station cannot key call-ins. The desk is where a login without `next`
      // lands (/login opened directly): such an admin goes on to triage, not to a 403 page telling
      // them to ask an admin for a station.
      const desk = await app.inject({ url: '/desk', headers: { cookie: admin } });
      expect(desk.statusCode).toBe(303);
      expect(desk.headers.location).toBe('/admin/triage');
      expect((await app.inject({ url: '/api/v1/desk/board', headers: { cookie: admin } })).json().error).toBe('forbidden');
    } finally {
      await app.close();
    }
  });

  it('counts logins by outcome for /metrics', async () => {
    const metrics = await gw.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/aduan_gateway_logins_total\{outcome="invalid"\} [1-9]/);
    expect(metrics.body).toMatch(/aduan_gateway_logins_total\{outcome="ok"\} [1-9]/);
  });
});
