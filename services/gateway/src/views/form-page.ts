import type { Directory } from '@aduan/routing/directory';
import type { FieldError } from '../errors.ts';
import { html, raw, type RawHtml } from './html.ts';
import { layout } from './layout.ts';
import { FORM_SCRIPT_PATH } from './page-reply.ts';
import { fieldMessageId } from './messages-id.ts';

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, FieldError>;
  idempotencyKey: string;
  maxPhotos: number;
  maxPhotoBytes: number;
  /** Said above the form (not an error of a field). */
  notice?: string | RawHtml;
}

function fieldError(state: FormState, field: string): RawHtml {
  const err = state.errors[field];
  if (!err) return html``;
  return html`<p class="error" id="${field}-error">${fieldMessageId(field, err.code, limitsOf(state))}</p>`;
}

/** Megabytes as people write them here: "8", "1,5". */
const megabytes = (bytes: number) => String(Math.round((bytes / 1024 / 1024) * 10) / 10).replace('.', ',');
const limitsOf = (state: FormState) => ({ maxPhotos: String(state.maxPhotos), maxPhotoMb: megabytes(state.maxPhotoBytes) });

function describedBy(state: FormState, field: string, hint?: string): RawHtml {
  const ids = [hint, state.errors[field] ? `${field}-error` : undefined].filter(Boolean).join(' ');
  // "Choose your photos again" is an instruction: the photo input is not wrong.
  const invalid = state.errors[field] && state.errors[field].code !== 'choose_again';
  return ids ? html` aria-describedby="${ids}"${invalid ? raw(' aria-invalid="true" class="invalid"') : raw('')}` : html``;
}

function options(items: { value: string; label: string }[], selected: string | undefined): RawHtml {
  return html`${items.map((i) => html`<option value="${i.value}"${i.value === selected ? raw(' selected') : raw('')}>${i.label}</option>`)}`;
}

/** Each request field's input on the page, for the error summary's links. */
const FIELD_IDS: Record<string, string> = {
  text: 'text',
  category: 'category',
  'location.description': 'location-description',
  'location.kecamatan': 'location-kecamatan',
  'location.kelurahan': 'location-kelurahan',
  'location.lat': 'geo',
  'location.lon': 'geo',
  photos: 'photos',
  'reporter.name': 'reporter-name',
  'reporter.phone': 'reporter-phone',
  'reporter.email': 'reporter-email',
};

/**
 * The citizen's complaint form: server-rendered, works without JavaScript, fits a small phone.
 * The form is autocomplete="off": a browser must not put a sent complaint (a name, a number,
 * "Rahasia") back into it on Back, for the next person at a shared computer to read or to send
 * a second time. The fields that help the citizen keep their own autocomplete.
 */
export function formPage(dir: Directory, state: FormState): string {
  const v = state.values;
  // "Choose your photos again" is an instruction, not a field to correct.
  const errorCount = Object.values(state.errors).filter((e) => e.code !== 'choose_again').length;
  const checked = (name: string) => (v[name] === 'on' || v[name] === 'true' ? raw(' checked') : raw(''));
  const body = html`
<h1>Sampaikan aduan Anda</h1>
<p class="muted">Aduan diteruskan ke instansi yang berwenang. Anda akan mendapat nomor tiket untuk memantau tindak lanjutnya.</p>
<p class="emergency" id="emergency"><strong>Keadaan darurat</strong> (kebakaran, kecelakaan, kekerasan yang sedang terjadi)? Jangan menunggu, segera telepon <a href="tel:112">112</a>.</p>
${state.notice ? html`<div class="card" role="status" id="form-notice" tabindex="-1" autofocus>${state.notice}</div>` : ''}
${errorCount ? html`<div class="summary" role="alert" id="error-summary" tabindex="-1"${state.notice ? raw('') : raw(' autofocus')}><strong>Ada ${errorCount} isian yang perlu diperbaiki:</strong><ul>${Object.entries(state.errors).filter(([, e]) => e.code !== 'choose_again').map(([f, e]) => html`<li><a href="#${FIELD_IDS[f] ?? f}">${fieldMessageId(f, e.code, limitsOf(state))}</a></li>`)}</ul></div>` : ''}
<form method="post" action="/" enctype="multipart/form-data" novalidate class="card" autocomplete="off" id="complaint-form">
<input type="hidden" name="idempotencyKey" value="${state.idempotencyKey}">
<label for="text">Isi aduan (wajib)</label>
<p class="hint" id="text-hint">Ceritakan apa yang terjadi, sejak kapan, dan dampaknya.</p>
<textarea id="text" name="text" required maxlength="5000"${describedBy(state, 'text', 'text-hint')}>${v.text ?? ''}</textarea>
${fieldError(state, 'text')}

<label for="category">Kategori (boleh dikosongkan)</label>
<select id="category" name="category"${describedBy(state, 'category')}>
<option value="">— Pilih kategori —</option>
${options(dir.categories.map((c) => ({ value: c.code, label: c.label })), v.category)}
</select>
${fieldError(state, 'category')}

<fieldset>
<legend>Lokasi</legend>
<label for="location-description">Alamat atau patokan</label>
<p class="hint" id="loc-hint">Contoh: Jl. Merdeka depan Pasar Legi.</p>
<input type="text" id="location-description" name="location.description" maxlength="500" value="${v['location.description'] ?? ''}"${describedBy(state, 'location.description', 'loc-hint')}>
${fieldError(state, 'location.description')}
<label for="location-kecamatan">Kecamatan</label>
<select id="location-kecamatan" name="location.kecamatan"${describedBy(state, 'location.kecamatan')}>
<option value="">— Pilih kecamatan —</option>
${options(dir.kecamatan.map((k) => ({ value: k.name, label: k.name })), v['location.kecamatan'])}
</select>
${fieldError(state, 'location.kecamatan')}
<label for="location-kelurahan">Kelurahan</label>
<select id="location-kelurahan" name="location.kelurahan"${describedBy(state, 'location.kelurahan')}>
<option value="">— Pilih kelurahan —</option>
${dir.kecamatan.map((k) => html`<optgroup label="Kec. ${k.name}" data-kecamatan="${k.name}">${options(k.kelurahan.map((kel) => ({ value: kel.name, label: kel.name })), v['location.kelurahan'])}</optgroup>`)}
</select>
${fieldError(state, 'location.kelurahan')}
<input type="hidden" id="lat" name="location.lat" value="${v['location.lat'] ?? ''}">
<input type="hidden" id="lon" name="location.lon" value="${v['location.lon'] ?? ''}">
<p><button type="button" id="geo" class="secondary" hidden>Pakai lokasi saya</button> <button type="button" id="geo-clear" class="secondary" hidden>Hapus lokasi</button> <span id="geo-status" class="hint" aria-live="polite">${v['location.lat'] ? 'Lokasi Anda sudah ditambahkan.' : ''}</span></p>
</fieldset>

<label for="photos">Foto (boleh dikosongkan; paling banyak ${state.maxPhotos} foto, masing-masing maksimal ${megabytes(state.maxPhotoBytes)} MB)</label>
<input type="file" id="photos" name="photos" accept="image/*" multiple data-max="${state.maxPhotos}" data-max-bytes="${state.maxPhotoBytes}" data-max-mb="${megabytes(state.maxPhotoBytes)}"${describedBy(state, 'photos', 'photos-client-error')}>
<p class="error" id="photos-client-error" aria-live="polite"></p>
${fieldError(state, 'photos')}

<fieldset>
<legend>Data pelapor (boleh dikosongkan)</legend>
<p class="hint">Isi bila Anda bersedia dihubungi petugas untuk penjelasan lebih lanjut.</p>
<label for="reporter-name">Nama</label>
<input type="text" id="reporter-name" name="reporter.name" maxlength="120" autocomplete="name" value="${v['reporter.name'] ?? ''}"${describedBy(state, 'reporter.name')}>
${fieldError(state, 'reporter.name')}
<label for="reporter-phone">Nomor HP/WhatsApp</label>
<input type="tel" id="reporter-phone" name="reporter.phone" autocomplete="tel" inputmode="tel" value="${v['reporter.phone'] ?? ''}"${describedBy(state, 'reporter.phone')}>
${fieldError(state, 'reporter.phone')}
<label for="reporter-email">Email</label>
<input type="email" id="reporter-email" name="reporter.email" autocomplete="email" value="${v['reporter.email'] ?? ''}"${describedBy(state, 'reporter.email')}>
${fieldError(state, 'reporter.email')}
<div class="check"><input type="checkbox" id="reporter-anonymous" name="reporter.anonymous"${checked('reporter.anonymous')} aria-describedby="anon-hint"><div><label for="reporter-anonymous">Anonim: jangan tampilkan nama saya</label><p class="hint" id="anon-hint">Nama Anda tidak disebut bila aduan ini diumumkan, misalnya dibacakan di radio. Instansi yang menangani tetap dapat menghubungi Anda.</p></div></div>
<div class="check"><input type="checkbox" id="reporter-confidential" name="reporter.confidential"${checked('reporter.confidential')} aria-describedby="conf-hint"><div><label for="reporter-confidential">Rahasia: identitas saya tidak diteruskan ke instansi</label><p class="hint" id="conf-hint">Nama, nomor HP, dan email Anda tidak diteruskan ke instansi yang menangani, sehingga petugasnya tidak dapat menghubungi Anda; pantau aduan dengan nomor tiket dan kode akses. Cocok bila Anda melaporkan tetangga, atasan, atau pejabat.</p></div></div>
</fieldset>

<p><button type="submit" id="send">Kirim aduan</button></p>
<p class="hint" id="sending" role="status" hidden></p>
</form>
<p class="muted">Sudah punya nomor tiket? <a href="/status">Cek status aduan</a>.</p>`;
  // A screen reader hears the title first: it says at once that something needs fixing.
  return layout(errorCount ? `Ada ${errorCount} isian yang perlu diperbaiki — Sampaikan aduan` : 'Sampaikan aduan', body, { scriptSrc: FORM_SCRIPT_PATH });
}
