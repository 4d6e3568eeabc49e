import { wibDateTime, type RoutedComplaint } from '@aduan/schema';
import { html, type RawHtml } from '../views/html.ts';
import { attachmentList, locationLine } from './complaint-parts.ts';
import type { ComplaintAdditions, FollowedComplaint } from './triage-additions.ts';

/**
 * In a complaint's card: what the same citizen sent after it (its additions, readAdditions), so
 * that the admin decides with the photo of what the words only point at. Each says whether it
 * goes with the complaint when the admin assigns it, or stays where an admin sent it on its own.
 */
export function additionsSection(c: RoutedComplaint, additions: ComplaintAdditions): RawHtml {
  const verb = c.routing.triage ? 'diteruskan' : 'dialihkan';
  return html`<section aria-labelledby="tambahan-${c.id}" id="tambahan-dari-${c.id}" style="border-left:4px solid #0b5394;padding:4px 0 4px 12px;margin:12px 0">
<h3 id="tambahan-${c.id}" style="font-size:1rem;margin:0 0 4px">Tambahan dari pelapor yang sama</h3>
<p class="muted" style="margin:0 0 8px">Dikirim setelah aduan ini tercatat. Tambahan yang ikut aduan ini ${verb} bersamanya ke dinas yang Anda pilih; tidak perlu diputuskan satu per satu.</p>
${additions.shown.map((a) => html`<div id="tambahan-item-${a.id}" style="margin:0 0 8px">
<p style="margin:0 0 4px"><strong>${a.ticket}</strong> <span class="muted">· ${wibDateTime(a.receivedAt)}</span> · ${a.follows ? `ikut ${verb} bersama aduan ini` : html`sudah diteruskan tersendiri${a.opdName ? html` ke <strong>${a.opdName}</strong>` : ''}; tidak ikut aduan ini`}</p>
${attachmentList(a.id, a.ticket, a.attachments)}
${locationLine(a.location)}
${a.words ? html`<p style="white-space:pre-wrap;margin:0 0 4px">${a.words}</p>` : ''}
</div>`)}
${additions.more > 0 ? html`<p class="muted" style="margin:0">Dan ${String(additions.more)} tambahan lain, tidak ditampilkan di sini.</p>` : ''}
</section>`;
}

/**
 * In an addition's own card while it waits for the complaint it follows: no decision of its own
 * is needed, and where that complaint's card is (on this page, or its ticket's look-up).
 */
export function followsNotice(id: string, followed: FollowedComplaint): RawHtml {
  const href = followed.onPage ? `#t-${followed.id}` : `/admin/triage?tiket=${encodeURIComponent(followed.ticket)}`;
  return html`<p id="ikut-${id}" style="border-left:4px solid #0b5394;padding:4px 0 4px 12px"><strong>Ikut aduan <a href="${href}">${followed.ticket}</a></strong>: ini tambahan dari pelapor yang sama. Tambahan ini ikut diteruskan ke dinas yang dipilih untuk aduan itu, jadi tidak perlu diputuskan tersendiri.</p>`;
}
