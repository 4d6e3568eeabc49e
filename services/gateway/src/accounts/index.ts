import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accountOpdCodes, accountOpds, canonicalUsername, checkAccount, generatePassword, passwordChangePath, requireRole, requireSameOrigin, sessionCookie, userOf, USERNAME_RE, UserError } from '../auth/index.ts';
import type { GatewayDeps } from '../deps.ts';
import { errorPage } from '../views/result-pages.ts';
import { sendPage } from '../views/page-reply.ts';
import { addErrorsOf, addFormOf, EMPTY_ADD_FORM, USERNAME_INVALID, WHATSAPP_INVALID, type AddErrors, type AddForm } from './account-form.ts';
import { accountsPage, placeOf, stationsInUse, type ListedAccount } from './accounts-page.ts';
import { accountPage, confirmPage, passwordGonePage, passwordPage, type AccountPageOptions } from './account-page.ts';
import { ShownPasswords, type ShownPassword } from './shown-passwords.ts';

type Body = Record<string, unknown> | undefined;
type AccountRequest = FastifyRequest<{ Params: { username: string }; Body: Body }>;

/** What an account's page says after a change (`?selesai=`). */
const DONE: Record<string, (u: string) => string> = {
  nonaktif: (u) => `Akun ${u} dinonaktifkan: ${u} tidak dapat masuk lagi, dan sesinya yang sedang berjalan sudah berakhir.`,
  aktif: (u) => `Akun ${u} aktif kembali: ${u} dapat masuk dengan kata sandinya.`,
  wa: (u) => `Nomor WhatsApp ${u} disimpan.`,
  'wa-hapus': (u) => `Nomor WhatsApp ${u} dihapus: ${u} tidak lagi menerima ringkasan lewat WhatsApp.`,
  stasiun: (u) => `Stasiun radio ${u} disimpan: berlaku untuk aduan berikutnya yang dicatat ${u}.`,
};

/** The admin's confirmation of a destructive change (the confirm page's hidden field). */
const confirmed = (body: Body) => body?.yakin === 'ya';

/**
 * Staff accounts for admins: `/admin/akun` (the list, and "Tambah akun") and
 * `/admin/akun/<username>` (reset a password, disable or enable, an operator's station, an OPD
 * account's WhatsApp number), on UserStore as the `user:*` CLI. A password is the server's
 * (generatePassword), never logged, and the account must replace it with its own at its next login
 * (passwordChangeDue). The form that made it redirects to its page (`…/sandi-baru`), which shows it
 * to that admin's session for a few minutes (ShownPasswords): a reload sends nothing again. Each
 * change is logged as `account_changed` with the admin (`admin`), the account (`account`) and the
 * `action`: never under `username`, a key the logger redacts.
 */
export function registerAccounts(app: FastifyInstance, deps: GatewayDeps): void {
  const admin = requireRole('admin');
  const users = deps.auth.users;
  const opds = accountOpds(deps.directory);
  const opdCodes = accountOpdCodes(deps.directory);
  const opdNames = new Map(deps.directory.opds.map((o) => [o.code, o.name]));
  const shown = new ShownPasswords(deps.redis, deps.prefix);

  function audit(req: FastifyRequest, account: string, action: string, extra: Record<string, string> = {}): void {
    req.log.info({ event: 'account_changed', admin: userOf(req).username, account, action, ...extra }, 'account_changed');
  }

  async function listPage(req: FastifyRequest, reply: FastifyReply, form: AddForm = EMPTY_ADD_FORM, errors?: AddErrors): Promise<FastifyReply> {
    const accounts: ListedAccount[] = await users.list();
    return sendPage(reply, accountsPage({ username: userOf(req).username, accounts, opds, opdNames, form, ...(errors ? { errors } : {}) }));
  }

  /** An account's page; the stations in use are offered for any but an OPD account's (which has none). */
  async function showAccount(req: FastifyRequest, reply: FastifyReply, account: ListedAccount, more: Partial<AccountPageOptions> = {}): Promise<FastifyReply> {
    const stations = account.role === 'opd' ? [] : stationsInUse(await users.list());
    return sendPage(reply, accountPage({ username: userOf(req).username, account, opdNames, stations, ...more }));
  }

  /** Keeps a password the page made for this admin's session, and sends the browser to its page. */
  async function showPassword(req: FastifyRequest, reply: FastifyReply, username: string, made: ShownPassword): Promise<FastifyReply> {
    // requireRole passed: the request carries the session.
    await shown.keep(sessionCookie(req, deps.auth)!, username, made);
    return reply.redirect(`/admin/akun/${username}/sandi-baru`, 303);
  }

  /** The account the URL names, or a 404 page. */
  async function accountOf(req: AccountRequest, reply: FastifyReply): Promise<ListedAccount | null> {
    const name = canonicalUsername(req.params.username);
    const stored = USERNAME_RE.test(name) ? await users.get(name) : null;
    if (stored) {
      const { passwordHash: _omit, ...account } = stored;
      return account;
    }
    await sendPage(reply.code(404), errorPage('Akun tidak ditemukan', 'Tidak ada akun dengan nama pengguna ini.', { href: '/admin/akun', label: 'Kembali ke daftar akun' }));
    return null;
  }

  // `?instansi=<code>`: the triage page's link for a late OPD nobody reads, its staff's form begun.
  app.get<{ Querystring: { instansi?: unknown } }>('/admin/akun', { preHandler: admin, schema: { hide: true } }, async (req, reply) => {
    const opd = typeof req.query.instansi === 'string' && opdCodes.has(req.query.instansi) ? req.query.instansi : '';
    return listPage(req, reply, opd ? { ...EMPTY_ADD_FORM, role: 'opd', opd } : EMPTY_ADD_FORM);
  });

  app.post<{ Body: Body }>('/admin/akun', { preHandler: [requireSameOrigin, admin], schema: { hide: true } }, async (req, reply) => {
    const form = addFormOf(req.body);
    if (!form.role) {
      // The role decides the other fields' rules: without it, only the name can be checked.
      const errors: AddErrors = { role: 'Pilih peran akun.', ...(USERNAME_RE.test(canonicalUsername(form.username)) ? {} : { username: USERNAME_INVALID }) };
      return listPage(req, reply.code(400), form, errors);
    }
    const input = { username: form.username, role: form.role, station: form.station, opd: form.opd, whatsapp: form.whatsapp };
    const checked = checkAccount(input, opdCodes);
    if (!checked.ok) return listPage(req, reply.code(400), form, addErrorsOf(checked.errors, form));
    const password = generatePassword();
    try {
      await users.add({ ...input, password, passwordChangeDue: true }, { opds: opdCodes });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      // The same form sent twice (a double click): the first made the account, and its password
      // is this session's to see. Its page, rather than "name taken" over a password never shown.
      if (err.code === 'user_exists' && (await shown.read(sessionCookie(req, deps.auth)!, checked.account.username))?.added) return reply.redirect(`/admin/akun/${checked.account.username}/sandi-baru`, 303);
      return listPage(req, reply.code(err.code === 'user_exists' ? 409 : 400), form, addErrorsOf([err], form));
    }
    const { account } = checked;
    audit(req, account.username, 'added', { role: account.role, ...(account.opd ? { opd: account.opd } : {}), ...(account.station ? { station: account.station } : {}), ...(account.whatsapp ? { whatsapp: 'set' } : {}) });
    return showPassword(req, reply, account.username, { password, added: true });
  });

  app.get<{ Params: { username: string }; Querystring: { selesai?: unknown } }>('/admin/akun/:username', { preHandler: admin, schema: { hide: true } }, async (req, reply) => {
    const account = await accountOf(req as AccountRequest, reply);
    if (!account) return reply;
    const done = typeof req.query.selesai === 'string' && Object.hasOwn(DONE, req.query.selesai) ? DONE[req.query.selesai]!(account.username) : undefined;
    return showAccount(req, reply, account, done ? { notice: { text: done } } : {});
  });

  // The page of a password just made (showPassword): no-store, as every page; gone after a few minutes.
  app.get<{ Params: { username: string } }>('/admin/akun/:username/sandi-baru', { preHandler: admin, schema: { hide: true } }, async (req, reply) => {
    const account = await accountOf(req as AccountRequest, reply);
    if (!account) return reply;
    const made = await shown.read(sessionCookie(req, deps.auth)!, account.username);
    if (!made) return sendPage(reply.code(410), passwordGonePage({ account }));
    return sendPage(reply, passwordPage({ account, password: made.password, placeName: placeOf(account, opdNames), added: made.added }));
  });

  // A login after the session ended on one of the forms below comes back to the account's page (`next` is the form's URL).
  app.get<{ Params: { username: string; action: string } }>('/admin/akun/:username/:action', { preHandler: admin, schema: { hide: true } }, async (req, reply) => reply.redirect(`/admin/akun/${encodeURIComponent(req.params.username)}`, 303));

  const post = (path: string, handler: (req: AccountRequest, reply: FastifyReply, account: ListedAccount) => Promise<FastifyReply>) =>
    app.post<{ Params: { username: string }; Body: Body }>(`/admin/akun/:username/${path}`, { preHandler: [requireSameOrigin, admin], schema: { hide: true } }, async (req, reply) => {
      const account = await accountOf(req, reply);
      return account ? handler(req, reply, account) : reply;
    });

  post('sandi', async (req, reply, account) => {
    // An admin's own password is theirs to choose, not one made here that would end their session.
    if (account.username === userOf(req).username) return reply.redirect(passwordChangePath(`/admin/akun/${account.username}`), 303);
    if (!confirmed(req.body)) return sendPage(reply, confirmPage({ account, action: 'sandi' }));
    const password = generatePassword();
    // setPassword raises the account's session epoch: its sessions end, on every device.
    await users.setPassword(account.username, password, { changeDue: true });
    audit(req, account.username, 'password_reset');
    return showPassword(req, reply, account.username, { password, added: false });
  });

  post('nonaktifkan', async (req, reply, account) => {
    // An admin locked out by their own hand may be the city's only one: another admin does it.
    if (account.username === userOf(req).username) {
      return showAccount(req, reply.code(409), account, { notice: { text: 'Anda tidak dapat menonaktifkan akun Anda sendiri. Bila perlu, minta admin lain.', error: true } });
    }
    if (!confirmed(req.body)) return sendPage(reply, confirmPage({ account, action: 'nonaktifkan' }));
    await users.setDisabled(account.username, true);
    audit(req, account.username, 'disabled');
    return reply.redirect(`/admin/akun/${account.username}?selesai=nonaktif`, 303);
  });

  post('aktifkan', async (req, reply, account) => {
    await users.setDisabled(account.username, false);
    audit(req, account.username, 'enabled');
    return reply.redirect(`/admin/akun/${account.username}?selesai=aktif`, 303);
  });

  post('whatsapp', async (req, reply, account) => {
    // Only an OPD account gets the digest (the page offers the field on no other).
    if (account.role !== 'opd') return showAccount(req, reply.code(400), account, { notice: { text: 'Hanya akun staf instansi yang menerima ringkasan lewat WhatsApp.', error: true } });
    const typed = typeof req.body?.nomor === 'string' ? req.body.nomor.slice(0, 40) : '';
    // An empty field saved is a number removed, as "Hapus nomor" does.
    const number = req.body?.hapus === 'ya' || !typed.trim() ? null : typed;
    try {
      await users.setWhatsapp(account.username, number);
    } catch (err) {
      if (!(err instanceof UserError && err.code === 'invalid_whatsapp')) throw err;
      return showAccount(req, reply.code(400), account, { whatsapp: { value: typed, error: WHATSAPP_INVALID } });
    }
    audit(req, account.username, number ? 'whatsapp_set' : 'whatsapp_removed');
    return reply.redirect(`/admin/akun/${account.username}?selesai=${number ? 'wa' : 'wa-hapus'}`, 303);
  });

  // The CLI's `user:station`, with its rules (UserStore.setStation): an operator needs one, an OPD account has none.
  post('stasiun', async (req, reply, account) => {
    if (account.role === 'opd') return showAccount(req, reply.code(400), account, { notice: { text: 'Akun staf instansi tidak memakai stasiun radio.', error: true } });
    const typed = typeof req.body?.stasiun === 'string' ? req.body.stasiun.slice(0, 200) : '';
    let station: string;
    try {
      ({ station } = await users.setStation(account.username, typed));
    } catch (err) {
      if (!(err instanceof UserError && (err.code === 'station_required' || err.code === 'invalid_station'))) throw err;
      const error = addErrorsOf([err], { ...EMPTY_ADD_FORM, role: account.role, station: typed }).station!;
      return showAccount(req, reply.code(400), account, { station: { value: typed, error } });
    }
    audit(req, account.username, 'station_changed', { station });
    return reply.redirect(`/admin/akun/${account.username}?selesai=stasiun`, 303);
  });
}
