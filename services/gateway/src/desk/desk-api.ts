import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeTicket, StatusView } from '@aduan/schema';
import { AuthError, requireJson, requireRole, userOf } from '../auth/index.ts';
import type { GatewayDeps } from '../deps.ts';
import { HttpError, ValidationFailedError } from '../errors.ts';
import { ComplaintAccepted, type ComplaintRequest } from '../intake/complaint-request.ts';
import { acceptedLogFields } from '../intake/intake-service.ts';
import { idempotencyKeyOf, parseComplaintRequest } from '../routes/complaints-api.ts';
import { localDayRange } from './desk-deps.ts';
import { DeskComplaintRequest, LinkRequest, collectFieldErrors, parseDeskExtras, withRadioDefaults, type DeskExtras } from './desk-request.ts';
import { mentionsEmergency } from '@aduan/routing/emergency';
import { canonicalKelurahan, contentWords, deskDescription, similarity, type DeskEntry } from '@aduan/hints';
import { linkSupporter } from './supporters.ts';

const ErrorBody = z.object({ error: z.string(), message: z.string(), fields: z.record(z.string(), z.object({ code: z.string(), message: z.string() })).optional() });

const BoardEntry = z.object({
  id: z.string(),
  ticket: z.string(),
  receivedAt: z.string(),
  callTime: z.string().optional(),
  program: z.string().optional(),
  operatorId: z.string().optional(),
  category: z.string().optional(),
  kelurahan: z.string().optional(),
  landmark: z.string().optional(),
  snippet: z.string().optional(),
  /** The reporter asked for confidentiality: no snippet is ever shown. */
  confidential: z.boolean().optional(),
  state: z.string(),
  opd: z.string().optional(),
  opdName: z.string().optional(),
  supporters: z.number(),
});
/**
 * A row of the board: a complaint the station keyed, or a caller it linked to a complaint (F2),
 * so the station's tally of the day counts every call. A link carries that complaint's id,
 * ticket, state, OPD and count, and its own time, programme and operator. No words: the caller's
 * were not kept, and the complaint's (perhaps another station's) are one look-up away.
 */
const BoardRow = BoardEntry.extend({
  kind: z.enum(['complaint', 'link']).meta({ description: '`link`: a caller this station linked to the complaint `ticket` (an additional reporter, no caller data); `receivedAt` is when the link was recorded' }),
});
const Board = z.object({ station: z.string(), day: z.string(), entries: z.array(BoardRow) }).meta({ id: 'DeskBoard' });

const SimilarQuery = z.object({
  text: z.string().max(5000).default(''),
  kelurahan: z.string().max(80).optional(),
  landmark: z.string().max(500).optional(),
  category: z.string().max(80).optional(),
});
const Match = BoardEntry.extend({ channel: z.string(), station: z.string().optional(), score: z.number(), shared: z.array(z.string()), sameKelurahan: z.boolean(), sameLandmark: z.boolean() });
/** A ticket looked up at the desk: what the citizen's status page shows, plus what helps the operator recognise it. */
const DeskTicket = StatusView.extend({
  supporters: z.number(),
  station: z.string().optional(),
  ...BoardEntry.pick({ snippet: true, confidential: true, category: true, kelurahan: true, landmark: true }).shape,
}).meta({ id: 'DeskTicket' });
const LinkAnswer = z.object({ id: z.string(), ticket: z.string(), supporters: z.number(), published: z.boolean() }).meta({ id: 'DeskLinkAnswer' });

/**
 * Routes with a body run it as preValidation: who asks is checked before what is asked, so a desk
 * whose session ended hears 401 (its entry waits for the login), not a field error that marks the
 * entry rejected.
 */
const operatorOnly = requireRole('operator', 'admin');

/**
 * The desk page says whose page it is (X-Aduan-Desk-User). Another operator logging in in a second
 * tab replaces the browser's one session cookie: the first tab would then file its calls, and send
 * its operator's waiting entries, as the second operator at the second's station, and show that
 * station's board under its own heading. Refused instead, before anything is read or written.
 * Without the header (an API client) the session decides.
 */
async function samePageUser(req: FastifyRequest): Promise<void> {
  const pageUser = req.headers['x-aduan-desk-user'];
  if (pageUser === undefined) return;
  if (typeof pageUser !== 'string' || pageUser.trim().toLowerCase() !== userOf(req).username) {
    throw new AuthError('session_changed', 'This browser is now logged in as another user than the one this desk page was opened for; log in again');
  }
}
const deskUser = [operatorOnly, samePageUser];
const DeskUserHeader = z.string().max(40).optional().meta({ description: "The username the desk page was opened for. When the session is now another user's (a login in another tab), the answer is 409 `session_changed` and nothing is done." });

function stationOf(req: Parameters<typeof userOf>[0]): string {
  const user = userOf(req);
  if (!user.station) throw new AuthError('forbidden', 'This account has no station; the desk needs one (user:add --station)');
  // The station is each complaint's source.account (100 characters by the contract); accounts made
  // before user:add checked it could have more. Refused, not a 500 on every call.
  if (user.station.length > 100) throw new AuthError('forbidden', "This account's station name is longer than 100 characters; an admin must make the operator an account with a shorter --station");
  return user.station;
}

/**
 * Where the entry's Idempotency-Key was first sent: the station of the desk that keyed it, which
 * the desk page sends with every entry (percent-encoded: a header carries Latin-1 only). An
 * operator who takes over the waiting entries another station's operator left on the computer
 * sends them with that station's scope, so one that reached the gateway before is answered with
 * its first ticket instead of filed again. Without it (a desk page of an earlier version, an API
 * client) the key is the session's station's. Only the key's scope: the complaint is filed under
 * the session's station and operator.
 */
function keyStationOf(req: Parameters<typeof userOf>[0], station: string): string {
  const raw = req.headers['x-aduan-key-station'];
  if (raw === undefined) return station;
  const invalid = () => new ValidationFailedError({ 'X-Aduan-Key-Station': { code: 'invalid', message: 'X-Aduan-Key-Station must be a percent-encoded station name of 1-100 characters' } });
  if (typeof raw !== 'string') throw invalid();
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalid();
  }
  if (!decoded || decoded.length > 100) throw invalid();
  return decoded;
}
const KeyStationHeader = z.string().max(400).optional().meta({ description: "The station (percent-encoded) whose desk first sent this entry's Idempotency-Key; the key is looked up in that station's scope. The desk page sends it, so an entry taken over from another station's operator is not filed twice. Default: the session's station." });

/**
 * Whether a call is recent enough to set the programme the desk offers for the next call
 * (`lastProgram`): an entry sent late from the outbox, the operator's own or one taken over from
 * another operator, is of an earlier programme, often another operator's.
 */
const RECENT_CALL_MS = 30 * 60_000;
const isRecentCall = (callTime: string) => Date.now() - Date.parse(callTime) <= RECENT_CALL_MS;

/** Radio desk API: key a call-in, today's board, duplicate hints, link a caller to a ticket. */
export async function deskApi(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { desk } = deps;
  /** A ticket as a caller says it: with the prefix, or the eight characters of its code alone. */
  const ticketOf = (typed: string) => normalizeTicket(typed, deps.config.TICKET_PREFIX);

  r.post(
    '/api/v1/desk/complaints',
    {
      preValidation: [...deskUser, requireJson],
      validatorCompiler: () => (data) => ({ value: data }),
      schema: {
        summary: 'Key in a radio call-in',
        description: 'Operator session cookie required. Same complaint schema as POST /api/v1/complaints (channel `radio`) plus `program` and `callTime`. Send an `Idempotency-Key` per entry: a resend after a network drop returns the same ticket.',
        tags: ['desk'],
        headers: z.object({ 'idempotency-key': z.string().max(200).optional(), 'x-aduan-key-station': KeyStationHeader, 'x-aduan-desk-user': DeskUserHeader }),
        body: DeskComplaintRequest,
        response: { 202: ComplaintAccepted, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 415: ErrorBody, 422: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const user = userOf(req);
      const station = stationOf(req);
      const idempotencyKey = idempotencyKeyOf(req);
      const keyStation = keyStationOf(req, station);
      if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new HttpError(400, 'invalid_body', 'Send a JSON object');
      const raw = req.body as Record<string, unknown>;
      let extras: DeskExtras | undefined;
      let request: ComplaintRequest | undefined;
      collectFieldErrors(
        () => (extras = parseDeskExtras(raw)),
        () => (request = parseComplaintRequest(withRadioDefaults(raw), deps)),
      );
      if (!extras || !request) throw new ValidationFailedError({});
      // contactConsent rides along on the reporter; IntakeService decides what it keeps.
      const withConsent = { ...request, reporter: { ...request.reporter, anonymous: request.reporter?.anonymous ?? true, confidential: request.reporter?.confidential ?? false, contactConsent: extras.reporter?.contactConsent ?? false } };
      const callTime = extras.callTime ? new Date(extras.callTime).toISOString() : new Date().toISOString();
      const result = await deps.intake.submit({
        request: withConsent,
        attachments: [],
        channel: 'radio',
        account: station,
        intake: { transport: 'desk', operatorId: user.username, station, program: extras.program, callTime },
        ...(idempotencyKey ? { idempotencyKey, keyScope: keyStation } : {}),
      });
      deps.metrics.accepted.inc({ channel: 'radio', outcome: result.outcome });
      req.logFields = acceptedLogFields(result, 'radio', 0);
      // The board and hints are conveniences: a Redis hiccup here must not fail an accepted call.
      const loc = request.location;
      const entry: DeskEntry = {
        id: result.id,
        ticket: result.ticket,
        station,
        program: extras.program,
        operatorId: user.username,
        callTime,
        receivedAt: new Date(Number(decodeTime(result.id))).toISOString(),
        ...(request.category ? { category: request.category } : {}),
        ...(loc?.kelurahan ? { kelurahan: loc.kelurahan } : {}),
        ...(loc?.kecamatan ? { kecamatan: loc.kecamatan } : {}),
        ...deskDescription(request.text, loc?.description, withConsent.reporter),
        words: contentWords(`${request.text} ${loc?.description ?? ''}`),
      };
      await Promise.all([
        // A replay keeps what its first request saved (or repairs a save that failed): the key
        // may be resent by an operator who took over another's waiting entries, whose complaint
        // stays the first operator's, as the queued complaint says.
        desk.entries.save(entry, { onlyIfAbsent: result.outcome === 'replayed' }),
        ...(isRecentCall(callTime) ? [deps.auth.users.rememberProgram(user.username, extras.program)] : []),
      ]).catch((err: Error) => req.log.warn({ complaintId: result.id, err: err.message }, 'desk board/hint index not updated'));
      return reply.code(202).send({ id: result.id, ticket: result.ticket, statusToken: result.statusToken });
    },
  );

  r.get(
    '/api/v1/desk/board',
    { preHandler: deskUser, schema: { summary: "Today's call-ins of the operator's station", description: "Newest first, with the OPD once the router has decided: the complaints the station keyed and the callers it linked to a complaint (`kind: link`, with that complaint's ticket and state). Poll it (the desk page does every few seconds).", tags: ['desk'], headers: z.object({ 'x-aduan-desk-user': DeskUserHeader }), response: { 200: Board, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody } } },
    async (req) => {
      const station = stationOf(req);
      const { start, end, day } = localDayRange(Date.now(), desk.utcOffsetMinutes);
      const rows = await deps.status.stationEntries(station, start, end);
      const details = await desk.entries.getMany(rows.flatMap((row) => (row.kind === 'complaint' ? [row.record.id] : [])));
      const entries = rows.map((row) => {
        const rec = row.record;
        const complaint = {
          id: rec.id,
          ticket: rec.ticket,
          state: rec.state,
          supporters: rec.supporters ?? 0,
          ...(rec.opd ? { opd: rec.opd, opdName: rec.opdName ?? rec.opd } : {}),
        };
        if (row.kind === 'link') {
          return { kind: 'link' as const, ...complaint, receivedAt: row.supporter.at, ...pick(row.supporter) };
        }
        const e = details.get(rec.id);
        return { kind: 'complaint' as const, ...complaint, receivedAt: rec.receivedAt, ...(e ? pick(e) : {}) };
      });
      return { station, day, entries };
    },
  );

  r.post(
    '/api/v1/desk/similar',
    {
      preValidation: [...deskUser, requireJson],
      schema: {
        summary: 'Similar complaints of the last days (duplicate hints)',
        description: '`emergency`: the text tells of an emergency that may be happening now (a fire, an accident, violence, a snake in the house); the desk asks the operator to tell the caller to call 112.',
        tags: ['desk'],
        headers: z.object({ 'x-aduan-desk-user': DeskUserHeader }),
        body: SimilarQuery,
        response: { 200: z.object({ matches: z.array(Match), emergency: z.boolean() }), 401: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const q = req.body;
      const emergency = mentionsEmergency(q.text);
      const kelurahan = canonicalKelurahan(deps.directory, q.kelurahan);
      const words = contentWords(`${q.text} ${q.landmark ?? ''}`);
      if (!words.length && !q.landmark) return { matches: [], emergency };
      const category = deps.directory.categories.find((c) => c.code === q.category || c.label === q.category)?.code;
      const query = { words, ...(kelurahan ? { kelurahan } : {}), ...(q.landmark ? { landmark: q.landmark } : {}), ...(category ? { category } : {}) };
      const since = Date.now() - desk.hintDays * 86_400_000;
      const scored = (await desk.entries.candidates(since, kelurahan))
        .map((e) => ({ e, s: similarity(query, e) }))
        .filter((x): x is { e: typeof x.e; s: NonNullable<typeof x.s> } => x.s !== null)
        .sort((a, b) => b.s.score - a.s.score)
        .slice(0, 5);
      const records = await Promise.all(scored.map((x) => deps.status.get(x.e.id)));
      return {
        emergency,
        matches: scored.map(({ e, s }, i) => ({
          id: e.id,
          ticket: e.ticket,
          channel: e.channel ?? 'radio',
          ...(e.station ? { station: e.station } : {}),
          receivedAt: e.receivedAt,
          ...pick(e),
          state: records[i]?.state ?? 'received',
          supporters: records[i]?.supporters ?? 0,
          ...(records[i]?.opd ? { opd: records[i]?.opd, opdName: records[i]?.opdName ?? records[i]?.opd } : {}),
          score: Math.round(s.score * 100) / 100,
          shared: s.shared,
          sameKelurahan: s.sameKelurahan,
          sameLandmark: s.sameLandmark,
        })),
      };
    },
  );

  r.get(
    '/api/v1/desk/complaints/:ticket',
    {
      preHandler: deskUser,
      schema: {
        summary: 'Look up any ticket (a caller asking about an earlier complaint)',
        description: "The status as the citizen's status page shows it (no reporter, no token needed: the operator is signed in), with the complaint's snippet, place and supporters when known. Any channel, any station.",
        tags: ['desk'],
        params: z.object({ ticket: z.string().max(40) }),
        headers: z.object({ 'x-aduan-desk-user': DeskUserHeader }),
        response: { 200: DeskTicket, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const ticket = ticketOf(req.params.ticket);
      const id = ticket ? await deps.status.idForTicket(ticket) : null;
      const [read, entries] = id ? await Promise.all([deps.status.read(id), desk.entries.getMany([id])]) : [null, null];
      if (!id || !read) throw new HttpError(404, 'not_found', 'No complaint with this ticket');
      const { view, record } = read;
      const e = entries?.get(id);
      return { ...view, supporters: record.supporters ?? 0, ...(record.station ? { station: record.station } : {}), ...(e ? pickDescription(e) : {}) };
    },
  );

  r.post(
    '/api/v1/desk/complaints/:ticket/supporters',
    {
      preValidation: [...deskUser, requireJson],
      schema: {
        summary: 'Link a caller to an existing ticket (instead of a duplicate)',
        description: 'Counts the caller as an additional reporter. Send an `Idempotency-Key` per entry: a resend links once. When the complaint was routed already, the updated RoutedComplaint is published to `routed` with jobId `<id>.s<n>`.',
        tags: ['desk'],
        params: z.object({ ticket: z.string().max(40) }),
        headers: z.object({ 'idempotency-key': z.string().max(200).optional(), 'x-aduan-key-station': KeyStationHeader, 'x-aduan-desk-user': DeskUserHeader }),
        body: LinkRequest,
        response: { 200: LinkAnswer, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const user = userOf(req);
      const station = stationOf(req);
      const ticket = ticketOf(req.params.ticket);
      const id = ticket ? await deps.status.idForTicket(ticket) : null;
      if (!ticket || !id) throw new HttpError(404, 'not_found', 'No complaint with this ticket');
      const key = createHash('sha256').update(`${keyStationOf(req, station)}\u0000${idempotencyKeyOf(req) ?? `${user.username}:${Date.now()}`}`).digest('hex').slice(0, 32);
      const callTime = req.body.callTime ? new Date(req.body.callTime).toISOString() : new Date().toISOString();
      const res = await linkSupporter(desk.supporters, id, key, { at: new Date().toISOString(), channel: 'radio', station, program: req.body.program, operatorId: user.username, callTime });
      if (isRecentCall(callTime)) await deps.auth.users.rememberProgram(user.username, req.body.program).catch(() => {});
      return { id, ticket, supporters: res.supporters, published: res.published };
    },
  );
}

function pickDescription(e: { category?: string; kelurahan?: string; landmark?: string; snippet?: string; confidential?: boolean }) {
  const out: Record<string, string | boolean> = {};
  for (const k of ['category', 'kelurahan', 'landmark', 'snippet'] as const) if (e[k]) out[k] = e[k];
  if (e.confidential) out.confidential = true;
  return out;
}

function pick(e: { callTime?: string; program?: string; operatorId?: string; category?: string; kelurahan?: string; landmark?: string; snippet?: string; confidential?: boolean }) {
  const out = pickDescription(e);
  for (const k of ['callTime', 'program', 'operatorId'] as const) if (e[k]) out[k] = e[k];
  return out;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The ULID's first 10 characters are its millisecond timestamp: the moment IntakeService accepted it. */
function decodeTime(id: string): number {
  let t = 0;
  for (const ch of id.slice(0, 10)) t = t * 32 + CROCKFORD.indexOf(ch);
  return t;
}
