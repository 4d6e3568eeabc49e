import type { RoutedComplaint } from '@aduan/schema';
import { html, type RawHtml } from '../views/html.ts';
import { isInlineImage } from '../views/attachment-reply.ts';

/**
 * A complaint's files as the triage page shows them, served to the admin by the complaint's id
 * (`/admin/triage/:id/attachments/:sha256`): photos as thumbnails that open full size, other
 * files as links. `ticket` names whose photo it is (the alt text).
 */
export function attachmentList(id: string, ticket: string, attachments: RoutedComplaint['attachments']): RawHtml | '' {
  if (attachments.length === 0) return '';
  return html`<p class="attachments">${attachments.map((a, i) => {
    const href = `/admin/triage/${id}/attachments/${a.sha256}`;
    return isInlineImage(a.mimeType)
      ? html`<a href="${href}" target="_blank" rel="noopener"><img src="${href}" alt="Foto lampiran ${String(i + 1)} dari ${ticket}" loading="lazy" style="max-width:160px;max-height:160px;margin:0 8px 8px 0;border-radius:6px;vertical-align:top"></a>`
      : html`<a href="${href}">Lampiran ${String(i + 1)} (${a.mimeType})</a> `;
  })}</p>`;
}

/** "Lokasi: Jl. Mawar, Kel. Sukorejo, Kec. Sukorejo". */
export function locationLine(location: RoutedComplaint['location']): RawHtml | '' {
  if (!location) return '';
  return html`<p class="muted">Lokasi: ${[location.description, location.kelurahan && `Kel. ${location.kelurahan}`, location.kecamatan && `Kec. ${location.kecamatan}`].filter(Boolean).join(', ')}</p>`;
}
