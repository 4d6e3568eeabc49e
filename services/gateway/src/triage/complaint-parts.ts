import type { RoutedComplaint } from '@aduan/schema';
import { html, type RawHtml } from '../views/html.ts';
import { isInlineImage } from '../views/attachment-reply.ts';

/**
 * A complaint's files as a staff page shows them: photos as thumbnails that open full size, other
 * files as links. `ticket` names whose photo it is (the alt text). `hrefOf` is the page's own route
 * to a file by its hash (the admin's triage page by default: `/admin/triage/:id/attachments/:sha256`;
 * the OPD inbox serves its own); `maxPx`: the thumbnail's largest side.
 */
export function attachmentList(id: string, ticket: string, attachments: RoutedComplaint['attachments'], opts: { hrefOf?: (sha256: string) => string; maxPx?: number; maxWidth?: string } = {}): RawHtml | '' {
  if (attachments.length === 0) return '';
  const hrefOf = opts.hrefOf ?? ((sha256: string) => `/admin/triage/${id}/attachments/${sha256}`);
  const max = opts.maxPx ?? 160;
  return html`<p class="attachments">${attachments.map((a, i) => {
    const href = hrefOf(a.sha256);
    return isInlineImage(a.mimeType)
      ? html`<a href="${href}" target="_blank" rel="noopener"><img src="${href}" alt="Foto lampiran ${String(i + 1)} dari ${ticket}" loading="lazy" style="max-width:${opts.maxWidth ?? `${max}px`};max-height:${String(max)}px;margin:0 8px 8px 0;border-radius:6px;vertical-align:top"></a>`
      : html`<a href="${href}">Lampiran ${String(i + 1)} (${a.mimeType})</a> `;
  })}</p>`;
}

/** "Jl. Mawar, Kel. Sukorejo, Kec. Sukorejo"; '' for none. */
export function locationText(location: RoutedComplaint['location']): string {
  if (!location) return '';
  return [location.description, location.kelurahan && `Kel. ${location.kelurahan}`, location.kecamatan && `Kec. ${location.kecamatan}`].filter(Boolean).join(', ');
}

/** "Lokasi: Jl. Mawar, Kel. Sukorejo, Kec. Sukorejo". */
export function locationLine(location: RoutedComplaint['location']): RawHtml | '' {
  if (!location) return '';
  return html`<p class="muted">Lokasi: ${locationText(location)}</p>`;
}
