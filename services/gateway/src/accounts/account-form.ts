import { Role, type UserError, type UserErrorCode } from '../auth/index.ts';

/** The "Tambah akun" form as typed: sent back with the refused fields' messages. */
export interface AddForm {
  username: string;
  /** '' until a role is chosen. */
  role: Role | '';
  station: string;
  opd: string;
  whatsapp: string;
}

export type AddField = 'username' | 'role' | 'station' | 'opd' | 'whatsapp';
export type AddErrors = Partial<Record<AddField, string>>;

export const EMPTY_ADD_FORM: AddForm = { username: '', role: '', station: '', opd: '', whatsapp: '' };

/** A form field as text, within a length no account needs more of; anything else (a JSON body's object) counts as empty. */
const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

/** The form's fields. A station or OPD left from another role's choice is not the account asked for: sent on, UserStore refuses it. */
export function addFormOf(body: Record<string, unknown> | undefined): AddForm {
  const role = Role.safeParse(body?.role);
  return { username: text(body?.username, 60).trim(), role: role.success ? role.data : '', station: text(body?.station, 200), opd: text(body?.opd, 40), whatsapp: text(body?.whatsapp, 40) };
}

export const USERNAME_INVALID = 'Nama pengguna 2 sampai 40 karakter: huruf, angka, titik (.), garis bawah (_) atau tanda hubung (-), tanpa spasi, diawali huruf atau angka.';

/** The page's field of each of UserStore's refusals of a new account. */
const FIELD_OF: Partial<Record<UserErrorCode, AddField>> = {
  invalid_username: 'username',
  user_exists: 'username',
  station_required: 'station',
  invalid_station: 'station',
  opd_required: 'opd',
  unknown_opd: 'opd',
  invalid_opd: 'opd',
  invalid_whatsapp: 'whatsapp',
};

/** UserStore's refusals in the page's words (Bahasa Indonesia), by field; `role` says which rule the code stands for. */
function messageOf(err: UserError, form: AddForm): string {
  switch (err.code) {
    case 'invalid_username':
      return USERNAME_INVALID;
    case 'user_exists':
      return `Nama pengguna “${form.username.toLowerCase()}” sudah dipakai. Pilih nama lain.`;
    case 'station_required':
      return 'Tulis nama stasiun radio tempat operator ini bertugas.';
    case 'invalid_station':
      return form.role === 'opd' ? 'Akun staf instansi tidak memakai stasiun radio. Kosongkan isian ini.' : 'Nama stasiun paling banyak 100 karakter.';
    case 'opd_required':
    case 'unknown_opd':
      return 'Pilih instansi tempat staf ini bekerja.';
    case 'invalid_opd':
      return 'Hanya akun staf instansi yang terhubung ke instansi. Pilih “Tidak ada”, atau ubah perannya menjadi Staf instansi.';
    case 'invalid_whatsapp':
      return form.role === 'opd' ? 'Nomor WhatsApp belum benar. Contoh: 0812 3456 7890.' : 'Hanya akun staf instansi yang menerima ringkasan lewat WhatsApp. Kosongkan isian ini.';
    default:
      return err.message;
  }
}

/** UserStore's refusals as the form's field errors (one per field, the first). */
export function addErrorsOf(errors: UserError[], form: AddForm): AddErrors {
  const out: AddErrors = {};
  for (const err of errors) {
    const field = FIELD_OF[err.code];
    if (field && !out[field]) out[field] = messageOf(err, form);
  }
  return out;
}

/** The message of a WhatsApp number refused on an account's page. */
export const WHATSAPP_INVALID = 'Nomor WhatsApp belum benar. Contoh: 0812 3456 7890.';

/** The role as the pages name it. */
export const ROLE_LABELS: Record<Role, string> = { admin: 'Admin', operator: 'Operator radio', opd: 'Staf instansi' };
