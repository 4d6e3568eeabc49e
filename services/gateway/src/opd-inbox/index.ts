import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normalizeTicket } from '@aduan/schema';
import { AuthError, authenticate, requireRole, requireSameOrigin, userOf, type AuthUser } from '../auth/index.ts';
import type { GatewayDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { retryAfterSeconds, statusOf } from '../error-handler.ts';
import type { OpdComplaints } from '../opd/opd-complaints.ts';
import { errorPage } from '../views/result-pages.ts';
import { sendPage } from '../views/page-reply.ts';
import { isInlineImage, sendAttachment } from '../views/attachment-reply.ts';
import type { MonthlyReports } from '../report/monthly-reports.ts';
import { askedMonth } from '../report/report-page.ts';
import { REPORT_CHOICES, complaintPage, inboxPage, notSentPage, type InboxEntry, type ReportChoice, type ReportForm } from './inbox-page.ts';
import { opdReportPage } from './opd-report-page.ts';

const ComplaintIdRe = /^[0-9A-Z]{26}$/;
/** The form's own id, made when the page is drawn: the report's `updateId` is `web.<it>`. */
const FormIdRe = /^[A-Za-z0-9_-]{16,64}$/;
const newFormId = () => randomBytes(12).toString('base64url');
/** How many complaints each list shows: unanswered and in progress the earliest routed first (all counted), closed the latest first. */
const AWAITING_SHOWN = 100;
const IN_PROGRESS_SHOWN = 100;
const DONE_SHOWN = 30;
/** How much of the OPD's 30-day inbox the page reads the states of, for the closed list and for complaints in progress from before the in-progress index. */
const RECENT_READ = 2_000;

/** What the page says once the router has the report (`?terkirim=<state>`). */
const SENT: Record<string, string> = {
  in_progress: 'Tanggapan terkirim: aduan ditandai sedang diproses. Statusnya diperbarui dalam beberapa detik.',
  resolved: 'Tanggapan terkirim: aduan ditandai selesai. Statusnya diperbarui dalam beberapa detik.',
  rejected: 'Tanggapan terkirim: aduan ditandai tidak dapat ditindaklanjuti. Statusnya diperbarui dalam beberapa detik.',
};

type ReportBody = { state?: unknown; message?: unknown; updateId?: unknown } | undefined;

/** The form's fields as typed; anything that is not text (a JSON body's object) counts as empty. */
function formOf(body: ReportBody): ReportForm {
  const state = typeof body?.state === 'string' && REPORT_CHOICES.some((c) => c.state === body.state) ? (body.state as ReportChoice) : '';
  const message = typeof body?.message === 'string' ? body.message.replace(/\r\n/g, '\n').slice(0, 5000) : '';
  const updateId = typeof body?.updateId === 'string' && FormIdRe.test(body.updateId) ? body.updateId : newFormId();
  return { state, message, updateId };
}

/** The refused fields, in the page's words; none: the form may be sent. */
function checkForm(f: ReportForm): { state?: string; message?: string } {
  const errors: { state?: string; message?: string } = {};
  const message = f.message.trim();
  if (!f.state) errors.state = 'Pilih status tanggapan.';
  if (message.length > 1000) errors.message = `Pesan terlalu panjang: ${String(message.length).replace(/\B(?=(\d{3})+$)/g, '.')} karakter, paling banyak 1.000.`;
  else if (!message && f.state === 'rejected') errors.message = 'Tulis alasannya untuk pelapor: mengapa aduan ini tidak dapat ditindaklanjuti.';
  else if (!message && f.state === 'returned') errors.message = 'Tulis alasannya untuk admin, misalnya instansi mana yang berwenang.';
  return errors;
}

/**
 * The OPD inbox: `/opd` for an OPD's own staff (accounts of role `opd`, each of one OPD), to read
 * the complaints routed to it and answer them, for an OPD with no system of its own on the OPD
 * API. What it sends is what the OPD API sends (OpdComplaints.report): a `StatusUpdate` on
 * `status`, which the router applies and tells the citizen of.
 */
export function registerOpdInbox(app: FastifyInstance, deps: GatewayDeps, complaints: OpdComplaints, reports: MonthlyReports): void {
  const opdStaff = requireRole('opd');
  const names = new Map(deps.directory.opds.map((o) => [o.code, o.name]));
  const opdName = (user: AuthUser) => names.get(user.opd) ?? user.opd;

  async function entries(user: AuthUser, ids: string[]): Promise<InboxEntry[]> {
    const found = await Promise.all(ids.map(async (id) => ({ id, found: await complaints.find(user.opd, id) })));
    return found.flatMap(({ id, found: f }) => (f ? [{ id, ...f }] : []));
  }

  app.get<{ Querystring: { tiket?: unknown; dikembalikan?: unknown } }>('/opd', { preHandler: opdStaff, schema: { hide: true } }, async (req, reply) => {
    const user = userOf(req);
    const nowMs = Date.now();
    const asked = typeof req.query.tiket === 'string' ? req.query.tiket.trim().slice(0, 40) : '';
    let notice: { text: string; error?: boolean } | undefined;
    if (asked) {
      const ticket = normalizeTicket(asked, deps.config.TICKET_PREFIX);
      const id = ticket ? await deps.status.idForTicket(ticket) : null;
      if (id && (await complaints.find(user.opd, id))) return reply.redirect(`/opd/aduan/${id}`, 303);
      notice = { text: `Tiket “${asked}” tidak ada di kotak masuk ${opdName(user)}. Periksa lagi nomornya.`, error: true };
    } else if (typeof req.query.dikembalikan === 'string') {
      const returned = normalizeTicket(req.query.dikembalikan.slice(0, 40), deps.config.TICKET_PREFIX);
      if (returned) notice = { text: `Aduan ${returned} dikembalikan ke admin untuk diteruskan ke instansi yang tepat.` };
    }
    const [awaiting, progress, recent] = await Promise.all([deps.status.awaitingOf(user.opd, nowMs, AWAITING_SHOWN), deps.status.inProgressOf(user.opd, nowMs, IN_PROGRESS_SHOWN), deps.status.opdRecent(user.opd, RECENT_READ)]);
    // The 30 days' states in one round trip: closed ones for their list, and complaints in progress
    // since before the in-progress index existed (an upgrade), which it does not hold.
    const states = (await deps.status.statesOf(recent.map((r) => r.id))).filter((s) => s !== null && s.opd === user.opd);
    const indexed = new Set(progress.items.map((i) => i.id));
    const unindexed = states.filter((s) => s!.state === 'in_progress' && !indexed.has(s!.id)).map((s) => s!.id);
    const closed = states.filter((s) => s!.state === 'resolved' || s!.state === 'rejected').sort((a, b) => b!.updatedAt.localeCompare(a!.updatedAt));
    const inProgressIds = [...progress.items.map((i) => i.id), ...unindexed].slice(0, IN_PROGRESS_SHOWN);
    reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      inboxPage({
        username: user.username,
        opdName: opdName(user),
        nowMs,
        responseDays: deps.deadline?.days ?? null,
        awaiting: await entries(user, awaiting.items.map((i) => i.id)),
        awaitingTotal: awaiting.total,
        inProgress: await entries(user, inProgressIds),
        inProgressTotal: progress.total + unindexed.length,
        done: await entries(user, closed.slice(0, DONE_SHOWN).map((s) => s!.id)),
        ...(notice ? { notice } : {}),
        ...(asked ? { ticket: asked } : {}),
      }),
    );
  });

  // The OPD's own row of the monthly report. It reads every complaint of the month, as the admins'
  // report does: a page staff open for it, not a figure on the inbox, which they reload all day.
  app.get<{ Querystring: { bulan?: unknown } }>('/opd/rekap', { preHandler: opdStaff, schema: { hide: true } }, async (req, reply) => {
    const user = userOf(req);
    const { month, ...asked } = askedMonth(req.query.bulan, Date.now());
    return sendPage(reply, opdReportPage(await reports.opd(user.opd, month), { username: user.username, ...asked }));
  });

  /** The complaint page, or a 404 page when the complaint is not (or no longer) this OPD's. */
  async function showComplaint(req: FastifyRequest, reply: FastifyReply, id: string, extra: { form?: ReportForm; errors?: { state?: string; message?: string }; notice?: { text: string; error?: boolean } } = {}): Promise<FastifyReply> {
    const user = userOf(req);
    const [entry] = ComplaintIdRe.test(id) ? await entries(user, [id]) : [];
    if (!entry) return sendPage(reply.code(404), errorPage('Aduan tidak ditemukan', `Aduan ini tidak ada di kotak masuk ${opdName(user)}: mungkin sudah dikembalikan ke admin atau dialihkan ke instansi lain.`, { href: '/opd', label: 'Kembali ke kotak masuk' }));
    const additions = (await entries(user, await deps.status.additions(id))).map((e) => ({ id: e.id, ticket: e.status.ticket }));
    reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      complaintPage({
        username: user.username,
        opdName: opdName(user),
        nowMs: Date.now(),
        entry,
        form: extra.form ?? { state: '', message: '', updateId: newFormId() },
        additions,
        categoryLabel: (code) => deps.directory.categories.find((c) => c.code === code)?.label ?? code,
        ...(extra.errors ? { errors: extra.errors } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  }

  app.get<{ Params: { id: string }; Querystring: { terkirim?: unknown } }>('/opd/aduan/:id', { preHandler: opdStaff, schema: { hide: true } }, async (req, reply) => {
    const sent = typeof req.query.terkirim === 'string' && Object.hasOwn(SENT, req.query.terkirim) ? SENT[req.query.terkirim] : undefined;
    return showComplaint(req, reply, req.params.id, sent ? { notice: { text: sent } } : {});
  });

  // A login after a session ended on the form comes back here: the complaint's page.
  app.get<{ Params: { id: string } }>('/opd/aduan/:id/tanggapan', { preHandler: opdStaff, schema: { hide: true } }, async (req, reply) => reply.redirect(`/opd/aduan/${encodeURIComponent(req.params.id)}`, 303));

  app.get<{ Params: { id: string; sha256: string } }>('/opd/aduan/:id/lampiran/:sha256', { preHandler: opdStaff, schema: { hide: true } }, async (req, reply) => {
    const found = ComplaintIdRe.test(req.params.id) ? await complaints.view(userOf(req).opd, req.params.id) : null;
    const attachment = found?.complaint.attachments.find((a) => a.sha256 === req.params.sha256);
    const file = attachment ? await deps.storage.open(attachment.storageKey) : null;
    if (!attachment || !file) return sendPage(reply.code(404), errorPage('Lampiran tidak ditemukan', 'Lampiran ini tidak ada atau sudah tidak tersimpan.', { href: `/opd/aduan/${req.params.id}`, label: 'Kembali ke aduan' }));
    return sendAttachment(reply, attachment, file, { inline: isInlineImage(attachment.mimeType) });
  });

  /**
   * The report form. A session that ended while the staff member typed gets their message back to
   * copy (notSentPage), not a login page that loses it; a report that cannot be queued (Redis
   * away) gets the form back, filled in, to send again.
   */
  app.post<{ Params: { id: string }; Body: ReportBody }>('/opd/aduan/:id/tanggapan', { preHandler: requireSameOrigin, schema: { hide: true } }, async (req, reply) => {
    const form = formOf(req.body);
    const id = req.params.id;
    const knownId = ComplaintIdRe.test(id) ? id : '';
    let user: AuthUser;
    try {
      user = await authenticate(req, deps.auth);
    } catch (err) {
      if (err instanceof AuthError && (err.code === 'unauthenticated' || err.code === 'session_expired')) return sendPage(reply.code(401), notSentPage({ id: knownId, message: form.message, reason: 'session' }));
      // A login in another tab with a password an admin made: the message is kept as for a session that ended.
      if (err instanceof AuthError && err.code === 'password_change_required') return sendPage(reply.code(403), notSentPage({ id: knownId, message: form.message, reason: 'password' }));
      if (!(err instanceof AuthError)) return notSent(reply, err, knownId, form.message);
      throw err;
    }
    if (user.role !== 'opd') return sendPage(reply.code(403), errorPage('Akses ditolak', 'Akun Anda tidak berhak membuka halaman ini.', { href: '/login', label: 'Masuk dengan akun lain' }));
    req.user = user;
    const errors = checkForm(form);
    if (errors.state || errors.message) return showComplaint(req, reply.code(400), id, { form, errors });
    const message = form.message.trim();
    try {
      if (!ComplaintIdRe.test(id)) throw new HttpError(404, 'not_found', 'no such complaint');
      await complaints.report(user.opd, id, { state: form.state as ReportChoice, message: message || undefined, updateId: `web.${form.updateId}` }, { staff: user.username }, req.log);
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 404) return showComplaint(req, reply, id);
      if (err instanceof HttpError && err.code === 'return_unavailable') {
        return showComplaint(req, reply.code(409), id, { form: { ...form, state: '' }, notice: { text: 'Isi aduan ini tidak lagi tersimpan sehingga tidak dapat dikembalikan ke admin. Bila bukan kewenangan instansi Anda, pilih “Tidak dapat ditindaklanjuti” dan tulis instansi yang berwenang agar pelapor tahu.', error: true } });
      }
      if (err instanceof HttpError && err.code === 'update_id_reused') {
        return showComplaint(req, reply.code(409), id, { form: { ...form, updateId: newFormId() }, notice: { text: 'Formulir ini sudah pernah terkirim dengan isi lain. Periksa riwayat di bawah; bila masih perlu, kirim tanggapan ini sekali lagi.', error: true } });
      }
      const status = statusOf(err instanceof Error ? err : new Error(String(err)));
      if (status < 500) throw err;
      if (status !== 503) req.log.error({ err }, 'unhandled error');
      // The form back, filled in, when the page can be drawn; else the message to copy.
      try {
        setRetryAfter(reply, err);
        return await showComplaint(req, reply.code(status), id, { form, notice: { text: 'Tanggapan belum terkirim karena gangguan pada sistem. Silakan coba kirim lagi beberapa saat lagi; isian Anda masih ada di bawah.', error: true } });
      } catch {
        return notSent(reply, err, knownId, form.message);
      }
    }
    const ticket = (await deps.status.get(id).catch(() => null))?.ticket ?? '';
    if (form.state === 'returned') return reply.redirect(`/opd?dikembalikan=${encodeURIComponent(ticket)}`, 303);
    return reply.redirect(`/opd/aduan/${id}?terkirim=${form.state}`, 303);
  });

  /** A report not queued for a fault (Redis away): the status the error handler would give, Retry-After, and the message to copy. */
  function notSent(reply: FastifyReply, err: unknown, id: string, message: string): FastifyReply {
    const error = err instanceof Error ? err : new Error(String(err));
    reply.log.warn({ err: error.message }, 'opd inbox report not queued: its message given back to send again');
    setRetryAfter(reply, error);
    return sendPage(reply.code(Math.max(statusOf(error), 500)), notSentPage({ id, message, reason: 'fault' }));
  }

  function setRetryAfter(reply: FastifyReply, err: unknown): void {
    const retryAfter = retryAfterSeconds(err instanceof Error ? err : new Error(String(err)));
    if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  }
}
