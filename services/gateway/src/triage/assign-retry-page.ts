import type { Directory } from '@aduan/routing/directory';
import { html } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import type { AssignDraft } from './assign-draft.ts';
import { assignChoices, assignmentForm } from './triage-page.ts';

/** What failed, by the status the answer carries: after "Aduan belum diteruskan: ". */
function reasonOf(status: number): string {
  if (status === 503) return 'sistem sedang terganggu. Pilihan dinas dan catatan Anda masih ada di bawah; tekan Kirim lagi dalam beberapa saat.';
  if (status === 400) return 'dinas yang dipilih tidak ada dalam daftar. Pilih dinas, lalu tekan Kirim lagi.';
  if (status === 404) return 'aduan ini tidak ditemukan. Cari tiketnya di halaman triase; catatan Anda masih ada di bawah untuk disalin.';
  if (status < 500) return 'permintaan ini tidak dapat diproses. Pilihan dinas dan catatan Anda masih ada di bawah.';
  return 'terjadi kesalahan pada sistem. Pilihan dinas dan catatan Anda masih ada di bawah; silakan coba lagi.';
}

/**
 * The answer to an assignment from the triage page that failed (Redis away, a timeout, an OPD the
 * list does not have): the same form again, with the OPD the admin chose and the note they typed,
 * and the revision and next item it carried, so that one click sends it again. Made from the POST
 * body and the directory alone: Redis may be what failed, and it shows nothing the sender did not
 * send (the OPD list aside), whoever they are.
 */
export function assignRetryPage(dir: Directory, opts: { id: string; form: Omit<AssignDraft, 'id'>; status: number }): string {
  const { id, form, status } = opts;
  const body = html`
<h1>Triase aduan</h1>
<div class="summary" role="alert" id="belum-diteruskan" style="margin-bottom:16px">Aduan belum diteruskan: ${reasonOf(status)}</div>
<div class="card">
${assignmentForm(assignChoices(dir), {
  id,
  opd: form.opd,
  note: form.note,
  ...(form.revision !== undefined ? { revision: form.revision } : {}),
  ...(form.next ? { next: form.next } : {}),
  label: 'Teruskan ke',
  button: 'Kirim lagi',
  autofocus: false,
})}
</div>
<p><a href="/admin/triage#t-${id}">Kembali ke daftar triase</a></p>`;
  return layout('Aduan belum diteruskan — Triase aduan', body);
}
