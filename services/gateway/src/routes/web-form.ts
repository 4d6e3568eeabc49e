import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mentionsEmergency } from '@aduan/routing/emergency';
import { statusTokenFor, ticketFor, verifyStatusToken } from '@aduan/schema';
import type { GatewayDeps } from '../deps.ts';
import { retryAfterSeconds, statusOf } from '../error-handler.ts';
import { HttpError, ValidationFailedError, rateLimitedError, type FieldError } from '../errors.ts';
import { unflatten } from '../intake/complaint-request.ts';
import { KeyReusedError, acceptedLogFields } from '../intake/intake-service.ts';
import { multipartLimitBytes, PhotoRefusedError, readMultipart, readMultipartFields, refuseOversizeMultipart, type ParsedMultipart } from '../intake/multipart.ts';
import { formPage } from '../views/form-page.ts';
import { receivedLink, statusLink, statusPage, successPage } from '../views/result-pages.ts';
import { html, type RawHtml } from '../views/html.ts';
import { lookupComplaint, submitWebComplaint } from './complaints-api.ts';
import { clientAddressKey } from '../auth/client-address.ts';
import { registerFormScript, sendPage } from '../views/page-reply.ts';
import { reopenRefusal, reopenUntil } from '@aduan/queue';
import { reopenPolicy } from './reopen.ts';

/** The citizen pages: GET / (form), POST / (submit), GET /status (look-up), and /form.js. HTML only, no JS needed. */
export async function webForm(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  const page = (values: Record<string, string>, errors: Record<string, FieldError>, idempotencyKey: string = randomUUID(), notice?: string | RawHtml) =>
    formPage(deps.directory, { values, errors, idempotencyKey, maxPhotos: deps.config.MAX_PHOTOS, maxPhotoBytes: deps.config.MAX_PHOTO_BYTES, ...(notice ? { notice } : {}) });

  registerFormScript(app);
  app.get('/', { schema: { hide: true } }, async (_req, reply) => sendPage(reply, page({}, {})));

  const limitBytes = multipartLimitBytes(deps.config);
  // The rate limit is counted in the handler, with the plugin's own counter (its options and
  // key, the address), not by its onRequest hook as on the API: that hook answered before the
  // body was read, and a citizen over the limit (many share one address behind a carrier's NAT)
  // lost what they typed. Here the 429 is the form again, with it. (A post that is not a form is
  // refused, 415, before it is counted.)
  const countSubmission = deps.rateLimit ? app.createRateLimit(deps.rateLimit) : undefined;
  // The form again over the limit, 429 with Retry-After, with what was typed and its key: sent
  // again once the limit allows, it is the same complaint. Nothing is filed or stored: photos are
  // read and dropped (no upload turn), and the citizen is told to choose them again. A body that
  // cannot be read whole gets the 429 page.
  const sendRateLimited = async (req: FastifyRequest, reply: FastifyReply, retryAfter: number) => {
    const typed = req.isMultipart() ? await readMultipartFields(req, limitBytes) : { fields: formFields(req.body), photos: 0 };
    if (!typed) throw rateLimitedError(retryAfter);
    reply.header('Retry-After', String(retryAfter));
    const notice = html`<p><strong>Mohon maaf, aduan Anda belum terkirim</strong> karena terlalu banyak aduan dikirim dari jaringan Anda dalam waktu singkat. Isian Anda masih ada di bawah ini: silakan kirim lagi dalam ${Math.ceil(retryAfter / 60)} menit.${typed.photos > 0 ? ' Foto perlu dipilih lagi.' : ''}</p>`;
    return sendPage(reply.code(429), page(typed.fields, {}, typed.fields.idempotencyKey, notice));
  };
  app.post('/', { schema: { hide: true } }, async (req, reply) => {
    // What a browser's form sends, and nothing else: a JSON client belongs on the API, and its
    // values (numbers, objects) are not the strings this page reads back and echoes.
    if (!req.isMultipart() && !req.headers['content-type']?.includes('application/x-www-form-urlencoded')) {
      throw new HttpError(415, 'unsupported_media_type', 'This page takes a form (application/x-www-form-urlencoded or multipart/form-data); the API is POST /api/v1/complaints');
    }
    const limit = await countSubmission?.(req);
    const overLimit = limit && !limit.isAllowed && limit.isExceeded ? Math.max(1, limit.ttlInSeconds) : undefined;
    let fields: Record<string, string> = {};
    let files: ParsedMultipart['files'] = [];
    let release: (() => void) | undefined;
    try {
      refuseOversizeMultipart(req, reply, limitBytes);
      if (overLimit !== undefined) return await sendRateLimited(req, reply, overLimit);
      // Photos are held in memory from the read until they are stored: a bounded number at once.
      release = req.isMultipart() ? await deps.uploads.enter(clientAddressKey(req.ip ?? '')) : undefined;
      if (req.isMultipart()) ({ fields, files } = await readMultipart(req, deps.config.MAX_PHOTOS, limitBytes));
      else fields = formFields(req.body);
      const { idempotencyKey, ...rest } = fields;
      // The form's key is kept in the browser if the answer is lost (form.js), and the form
      // brought back without its photos, which a browser cannot attach again. The page's keys
      // are the server's own (one per form), kept apart from the API clients' keys.
      const result = await submitWebComplaint(deps, unflatten(rest), files, idempotencyKey, { retryFromRestoredForm: true, keyScope: 'web-page' });
      req.logFields = acceptedLogFields(result, 'webform', files.length);
      // Post/redirect/get: the thank-you page is a GET, so Back to it (from the status page it
      // links to) shows it again rather than a browser's "confirm form resubmission".
      // "cek" on WhatsApp answers the number the citizen gave (senderFields): only then is it offered.
      return reply.redirect(receivedLink({ ...result, whatsapp: Boolean(fields['reporter.phone']?.trim()), emergency: mentionsEmergency(fields.text ?? '') }), 303);
    } catch (err) {
      const keepKey = fields.idempotencyKey;
      if (err instanceof ValidationFailedError) {
        // Photos that came with a complaint refused for another field are not kept: say so.
        const errors = files.length > 0 && !err.fields.photos ? { ...err.fields, photos: { code: 'choose_again', message: 'Choose the photos again' } } : err.fields;
        return sendPage(reply.code(400), page(fields, errors, keepKey));
      }
      if (err instanceof HttpError && ['unsupported_media_type', 'payload_too_large', 'too_many_files'].includes(err.code)) {
        // A refused photo: the form again with everything typed (readMultipart read the whole body).
        const typed = err instanceof PhotoRefusedError ? err.typed : fields;
        const photo = err.details?.photo;
        const code = photo === 'damaged' ? 'damaged_photo' : photo === 'body_too_large' ? photo : err.code;
        // The plugin stopped reading at its file count (FILES_PARSED_PAST_LIMIT): what came after the photos is not here.
        const notice = err.details?.partial ? 'Karena terlalu banyak foto yang dipilih, isian setelah kolom foto tidak terbaca. Mohon periksa lagi data pelapor serta pilihan Anonim dan Rahasia sebelum mengirim.' : undefined;
        return sendPage(reply.code(err.statusCode), page(typed, { photos: { code, message: err.message } }, typed.idempotencyKey ?? keepKey, notice));
      }
      if (err instanceof KeyReusedError) {
        // This form was sent before with other words (stopped, changed, sent again): the first
        // one is filed. Said, with its ticket and access code (the citizen may never have seen
        // its thank-you page); the form again under a new key, for another complaint.
        const e = err.earlier;
        const notice = e
          ? html`<p>Aduan yang Anda kirim sebelumnya dari formulir ini sudah kami terima dengan nomor tiket <strong id="earlier-ticket" class="code">${e.ticket}</strong> dan kode akses <strong id="earlier-token" class="code">${e.statusToken}</strong>. Simpan keduanya, atau buka <a href="${statusLink(e)}">halaman statusnya</a>.</p><p>Bila yang ini aduan lain, silakan kirim lagi.</p>`
          : 'Aduan yang Anda kirim sebelumnya dari formulir ini sudah kami terima. Bila yang ini aduan lain, silakan kirim lagi.';
        return sendPage(reply.code(422), page(fields, {}, undefined, notice));
      }
      // Not filed (Redis away and no spool, a photo the disk could not take): the form again with
      // everything typed and its key, so that sending it again, even without JavaScript, needs no
      // retyping (and is answered with the first ticket if a late write filed it after all). An
      // upload refused before its body was read (no upload turn) brings nothing typed: the error
      // page, whose "Kembali ke formulir" form.js fills in again.
      if (statusOf(err as Error) === 503 && Object.keys(fields).length > 0) {
        req.log.warn({ err: (err as Error).message }, 'complaint not filed: the form is answered 503 with what was typed');
        reply.header('Retry-After', String(retryAfterSeconds(err as Error) ?? 30));
        const notice = html`<p><strong>Mohon maaf, aduan Anda belum terkirim</strong> karena gangguan sistem. Isian Anda masih ada di bawah ini: silakan kirim ulang beberapa saat lagi.${files.length > 0 ? ' Foto perlu dipilih lagi.' : ''}</p>`;
        return sendPage(reply.code(503), page(fields, {}, keepKey, notice));
      }
      throw err;
    } finally {
      release?.();
    }
  });

  // The thank-you page: the complaint's ticket and access code, read from its link and checked
  // against the id (no Redis read: the complaint may still wait in the spool). A link that does
  // not hold together leads to the look-up form.
  app.get<{ Querystring: { ticket?: string; id?: string; token?: string; wa?: string; darurat?: string } }>('/diterima', { schema: { hide: true } }, async (req, reply) => {
    const { ticket, id, token, wa, darurat } = req.query;
    const answer = typeof ticket === 'string' && typeof id === 'string' && typeof token === 'string' ? checkedAnswer(ticket, id, token, deps.statusSecret()) : undefined;
    if (!answer) return reply.redirect('/status', 303);
    const whatsapp = wa === '1' ? deps.config.WHATSAPP_PUBLIC_NUMBER : undefined;
    return sendPage(reply, successPage({ ...answer, whatsapp, emergency: darurat === '1' }));
  });

  app.get<{ Querystring: { ticket?: string; token?: string; dibuka?: string } }>('/status', { schema: { hide: true } }, async (req, reply) => {
    const { ticket, token, dibuka } = req.query;
    const ticketPrefix = deps.config.TICKET_PREFIX;
    if (!ticket || !token) return sendPage(reply, statusPage(ticket ? { ticket, ticketPrefix } : { ticketPrefix }));
    const found = await lookupComplaint(deps, String(ticket), String(token));
    // Both kept in the form: one of them was mistyped, and the other need not be typed again.
    if (!found) return sendPage(reply.code(404), statusPage({ ticket: String(ticket), token: String(token), notFound: true, ticketPrefix }));
    const { view, record } = found;
    // A web form or radio complaint filed with a phone number: its news can come on WhatsApp
    // ("cek" from that number there, StatusStore.follow), or comes there already.
    const number = deps.config.WHATSAPP_PUBLIC_NUMBER;
    const chat = number && record.phoneHash && (record.channel === 'webform' || record.channel === 'radio') ? { number, following: record.replyChannel === 'whatsapp' } : undefined;
    // Resolved, and its citizen may still say it is not (ADR 0014): the form, unless they just did.
    const reopenSent = dibuka === '1';
    const until = reopenSent || reopenRefusal(record, reopenPolicy(deps), Date.now()) ? undefined : reopenUntil(record, reopenPolicy(deps));
    return sendPage(reply, statusPage({ ticket: view.ticket, view, ticketPrefix, ...(chat ? { whatsapp: chat } : {}), ...(until ? { reopen: { token: String(token), until } } : {}), ...(reopenSent ? { reopenSent } : {}) }));
  });
}

/**
 * An urlencoded body as one string per field. A field sent twice (`text=a&text=b`, which no form
 * of ours does) keeps its first value, rather than arrive as an array where a string is read.
 */
function formFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!body || typeof body !== 'object') return fields;
  for (const [name, value] of Object.entries(body)) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') fields[name] = first;
  }
  return fields;
}

/** The ticket and access code of a thank-you link, when both belong to `id`. */
function checkedAnswer(ticket: string, id: string, token: string, secret: string): { ticket: string; statusToken: string } | undefined {
  if (!/^[0-9A-Z]{26}$/.test(id) || !verifyStatusToken(id, token, secret)) return undefined;
  // The ticket's code is derived from the id; its prefix is the one given at the time (TICKET_PREFIX may change since).
  const prefix = /^([A-Z]{2,5})-/.exec(ticket)?.[1];
  if (!prefix || ticketFor(id, prefix) !== ticket) return undefined;
  return { ticket, statusToken: statusTokenFor(id, secret) };
}
