import type { Redis } from 'ioredis';
import { z } from 'zod';
import { OpdCode, normalizePhone } from '@aduan/schema';
import { hashPassword } from './password.ts';

/** operator: a radio desk; admin: triage, reports; opd: an OPD's staff, in their OPD's inbox (/opd). */
export const Role = z.enum(['operator', 'admin', 'opd']);
export type Role = z.infer<typeof Role>;

/** What a request knows about its logged-in user (`request.user`). */
export interface AuthUser {
  username: string;
  role: Role;
  /** The radio station an operator keys call-ins for; admins may have none. */
  station: string;
  /** The OPD (directory code) whose inbox an `opd` account works in; '' for other roles. */
  opd: string;
}

export interface StoredUser extends AuthUser {
  passwordHash: string;
  disabled: boolean;
  createdAt: string;
  /** Last radio programme this operator keyed for (the desk pre-fills it). */
  lastProgram?: string;
  /** An OPD account's WhatsApp number (E.164), for the morning digest of its inbox (OpdDigest); none: no digest. */
  whatsapp?: string;
  /**
   * Raised by a new password and by disabling the account: sessions made under an earlier
   * epoch are over (authenticate), so a stolen cookie does not outlive either.
   */
  sessionEpoch: number;
  /**
   * Someone else chose the password (an admin's page, the CLI's `user:add`/`user:passwd`): the
   * account must choose its own before anything else (authenticate refuses its session until it
   * did, the pages send it to /akun/sandi). Accounts stored before this existed have no such
   * field: false, so nobody is locked out by an upgrade.
   */
  passwordChangeDue: boolean;
}

export type UserErrorCode = 'invalid_username' | 'weak_password' | 'password_too_long' | 'station_required' | 'invalid_station' | 'opd_required' | 'unknown_opd' | 'invalid_opd' | 'invalid_whatsapp' | 'user_exists' | 'no_such_user';

export class UserError extends Error {
  readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
  }
}

export const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,39}$/;
export const MIN_PASSWORD_LENGTH = 10;
/** The login's limit (LoginBody): a longer password could never be typed in to log in. */
export const MAX_PASSWORD_LENGTH = 200;

/** Usernames are case-insensitive: stored and looked up lower-cased. */
export const canonicalUsername = (u: string) => u.trim().toLowerCase();

/** A station as an account keeps it: trimmed; required for an operator. */
function checkedStation(role: Role, station: string | undefined): string {
  const trimmed = station?.trim() ?? '';
  if (role === 'operator' && !trimmed) throw new UserError('station_required', 'an operator needs --station "<station name>"');
  // An OPD's staff key no calls: a station would only be shown in its place in user:list.
  if (role === 'opd' && trimmed) throw new UserError('invalid_station', 'an OPD account has no station (it works in its OPD\'s inbox, /opd)');
  // The station becomes each desk complaint's source.account, at most 100 characters by the queue contract.
  if (trimmed.length > 100) throw new UserError('invalid_station', 'the station name may have at most 100 characters');
  return trimmed;
}

/**
 * An OPD account's OPD: a directory code, one of `opds` when given (the directory's OPDs that
 * can have an inbox: accountOpds); none for other roles, which belong to no OPD.
 */
function checkedOpd(role: Role, opd: string | undefined, opds: ReadonlySet<string> | undefined): string {
  const code = opd?.trim() ?? '';
  if (role !== 'opd') {
    // Kept, it would be dropped without a word: the account would not be the one asked for.
    if (code) throw new UserError('invalid_opd', 'only an OPD account belongs to an OPD (--opd)');
    return '';
  }
  if (!OpdCode.safeParse(code).success) throw new UserError('opd_required', 'an OPD account needs --opd <code>, a code of the OPD directory such as dishub');
  // An OPD the directory does not have would get an inbox nothing is ever routed to.
  if (opds && !opds.has(code)) throw new UserError('unknown_opd', `"${code}" is not an OPD code of the directory; one of: ${[...opds].join(', ')}`);
  return code;
}

/** A password an account may be given: long enough, and short enough to log in with. */
function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new UserError('weak_password', `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new UserError('password_too_long', `password must be at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** An OPD account's WhatsApp number as kept: E.164, or a UserError. */
function checkedWhatsapp(role: Role, number: string): string {
  if (role !== 'opd') throw new UserError('invalid_whatsapp', 'only an OPD account gets the inbox digest on WhatsApp');
  const e164 = normalizePhone(number);
  if (!e164) throw new UserError('invalid_whatsapp', `"${number}" is not a phone number such as 0812 3456 7890 or +6281234567890`);
  return e164;
}

/** A new account as asked for (the CLI's arguments, the admin page's form): checked by checkAccount. */
export interface NewAccount {
  username: string;
  role: Role;
  station?: string;
  opd?: string;
  /** The inbox digest's number as typed (OPD accounts only); absent or '': none. */
  whatsapp?: string;
}

/** A new account as it is kept. */
export type CheckedAccount = AuthUser & { whatsapp?: string };

/**
 * The rules of a new account, in one place for UserStore.add, the CLI and the admin page: its
 * fields as kept, or every field's error (at most one each, in the form's order), so that a form
 * can mark all of them at once. `opds`: see UserStore.add.
 */
export function checkAccount(input: NewAccount, opds?: ReadonlySet<string>): { ok: true; account: CheckedAccount } | { ok: false; errors: UserError[] } {
  const errors: UserError[] = [];
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      errors.push(err);
      return undefined;
    }
  };
  const username = canonicalUsername(input.username);
  if (!USERNAME_RE.test(username)) errors.push(new UserError('invalid_username', 'username: 2-40 characters, letters, digits, ".", "_" or "-"'));
  const station = attempt(() => checkedStation(input.role, input.station));
  const opd = attempt(() => checkedOpd(input.role, input.opd, opds));
  const whatsapp = input.whatsapp?.trim() ? attempt(() => checkedWhatsapp(input.role, input.whatsapp!)) : undefined;
  if (errors.length) return { ok: false, errors };
  return { ok: true, account: { username, role: input.role, station: station!, opd: opd!, ...(whatsapp ? { whatsapp } : {}) } };
}

/** Operator, admin and OPD accounts: one Redis hash per user plus a set of all usernames. */
export class UserStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(username: string) {
    return `${this.prefix}:user:${canonicalUsername(username)}`;
  }
  private get indexKey() {
    return `${this.prefix}:users`;
  }

  /**
   * Adds an account. `opds`: the OPD codes an `opd` account may have (accountOpds of the
   * directory); without it any well-formed code passes. Refuses with the first of checkAccount's
   * errors, then `weak_password`, `password_too_long` or `user_exists`. `passwordChangeDue`: the
   * password is not the account holder's own (StoredUser.passwordChangeDue).
   */
  async add(input: NewAccount & { password: string; passwordChangeDue?: boolean }, opts: { opds?: ReadonlySet<string> } = {}): Promise<AuthUser> {
    const checked = checkAccount(input, opts.opds);
    if (!checked.ok) throw checked.errors[0]!;
    checkPassword(input.password);
    const { username, role, station, opd, whatsapp } = checked.account;
    const fields = { username, role, station, opd, ...(whatsapp ? { whatsapp } : {}), passwordHash: await hashPassword(input.password), disabled: '0', createdAt: new Date().toISOString(), ...(input.passwordChangeDue ? { passwordChangeDue: '1' } : {}) };
    const created = await this.redis.hsetnx(this.key(username), 'username', username);
    if (!created) throw new UserError('user_exists', `user ${username} exists already`);
    await this.redis.multi().hset(this.key(username), fields).sadd(this.indexKey, username).exec();
    return { username, role, station, opd };
  }

  async get(username: string): Promise<StoredUser | null> {
    const h = await this.redis.hgetall(this.key(username));
    const role = Role.safeParse(h.role);
    if (!h.username || !h.passwordHash || !role.success) return null;
    return { username: h.username, role: role.data, station: h.station ?? '', opd: role.data === 'opd' ? (h.opd ?? '') : '', passwordHash: h.passwordHash, disabled: h.disabled === '1', createdAt: h.createdAt ?? '', sessionEpoch: Number(h.sessionEpoch ?? 0), passwordChangeDue: h.passwordChangeDue === '1', ...(h.lastProgram ? { lastProgram: h.lastProgram } : {}), ...(h.whatsapp ? { whatsapp: h.whatsapp } : {}) };
  }

  async setDisabled(username: string, disabled: boolean): Promise<void> {
    if (!(await this.get(username))) throw new UserError('no_such_user', `no user ${canonicalUsername(username)}`);
    const multi = this.redis.multi().hset(this.key(username), 'disabled', disabled ? '1' : '0');
    if (disabled) multi.hincrby(this.key(username), 'sessionEpoch', 1);
    await multi.exec();
  }

  /**
   * Replaces the password and ends every session of the account (its epoch raised). `changeDue`:
   * someone else chose it, so the account must choose its own at its next login
   * (StoredUser.passwordChangeDue); false when the account holder chose it. Returns the new
   * epoch, for a session that should go on (the holder's own browser, after a change).
   */
  async setPassword(username: string, password: string, opts: { changeDue: boolean }): Promise<number> {
    if (!(await this.get(username))) throw new UserError('no_such_user', `no user ${canonicalUsername(username)}`);
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    const key = this.key(username);
    const results = await this.redis.multi().hset(key, 'passwordHash', passwordHash, 'passwordChangeDue', opts.changeDue ? '1' : '0').hincrby(key, 'sessionEpoch', 1).exec();
    const [err, epoch] = results?.[1] ?? [new Error('setPassword: the transaction was not run'), null];
    if (err) throw err;
    return Number(epoch);
  }

  /**
   * Moves an account to another station (an operator who now keys calls for another programme's
   * station, a name mistyped at `add`), or gives an admin one. Takes effect on the account's next
   * request: the desk reads the station from the account each time.
   */
  async setStation(username: string, station: string): Promise<AuthUser> {
    const user = await this.get(username);
    if (!user) throw new UserError('no_such_user', `no user ${canonicalUsername(username)}`);
    const checked = checkedStation(user.role, station);
    await this.redis.hset(this.key(username), 'station', checked);
    return { username: user.username, role: user.role, station: checked, opd: user.opd };
  }

  /** Sets (or, with null, removes) an OPD account's WhatsApp number for its inbox digest; returns it as kept (E.164). */
  async setWhatsapp(username: string, number: string | null): Promise<string | null> {
    const user = await this.get(username);
    if (!user) throw new UserError('no_such_user', `no user ${canonicalUsername(username)}`);
    if (number === null) {
      await this.redis.hdel(this.key(username), 'whatsapp');
      return null;
    }
    const whatsapp = checkedWhatsapp(user.role, number);
    await this.redis.hset(this.key(username), 'whatsapp', whatsapp);
    return whatsapp;
  }

  async rememberProgram(username: string, program: string): Promise<void> {
    await this.redis.hset(this.key(username), 'lastProgram', program);
  }

  async list(): Promise<Omit<StoredUser, 'passwordHash'>[]> {
    const names = (await this.redis.smembers(this.indexKey)).sort();
    const users = await Promise.all(names.map((n) => this.get(n)));
    return users.filter((u): u is StoredUser => u !== null).map(({ passwordHash: _omit, ...u }) => u);
  }
}
