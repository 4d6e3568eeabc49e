import { html, raw, type RawHtml } from './html.ts';

const CSS = `
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;background:#f4f6f8}
header{background:#0b5394;color:#fff;padding:12px 16px}
header a{color:#fff;text-decoration:none;font-weight:700}
main{max-width:640px;margin:0 auto;padding:16px}
h1{font-size:1.4rem;margin:.2em 0 .6em}
.card{background:#fff;border-radius:10px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:16px}
label{display:block;font-weight:600;margin:14px 0 4px}
.hint{font-size:.9rem;color:#555;margin:2px 0 6px}
input[type=text],input[type=tel],input[type=email],input[type=password],select,textarea{width:100%;padding:10px;font:inherit;border:1px solid #6b7785;border-radius:8px;background:#fff}
textarea{min-height:140px}
/* The error summary links to a field: shown with its label and hint above it, not at the screen's top edge. */
input,select,textarea{scroll-margin-top:8rem}
input:focus,select:focus,textarea:focus,button:focus,a:focus,summary:focus{outline:3px solid #1b1f23;outline-offset:1px;box-shadow:0 0 0 5px #f1c232}
.check{display:flex;gap:10px;align-items:flex-start;margin:12px 0}
.check input{width:22px;height:22px;margin-top:2px;flex:none}
.check label{margin:0;font-weight:600}
.error{color:#b00020;font-weight:600;margin:4px 0 0}
.invalid{border-color:#b00020!important;border-width:2px!important}
.summary{border-left:4px solid #b00020;background:#fdecee;padding:10px 12px;border-radius:6px}
button,.button{display:inline-block;background:#0b5394;color:#fff;border:0;border-radius:8px;padding:12px 18px;font:inherit;font-weight:700;cursor:pointer;text-decoration:none}
button.secondary{background:#e8eef5;color:#0b5394}
.ticket{font-size:min(2rem,max(1.3rem,7vw),8.5vw);max-width:100%;font-weight:800;letter-spacing:.06em;font-family:ui-monospace,Menlo,Consolas,monospace;background:#fff8e1;padding:8px 12px;border-radius:8px;display:inline-block;white-space:nowrap;margin:4px 0 16px}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1rem;letter-spacing:.04em;white-space:nowrap}
.emergency{border-left:4px solid #b00020;background:#fff;padding:8px 12px;border-radius:6px}
button:disabled{opacity:.7;cursor:progress}
.muted{color:#555}
fieldset{border:0;padding:0;margin:24px 0 0;min-width:0}
legend{font-weight:700;font-size:1.1rem;padding:0}
input[type=file]{font:inherit;width:100%;max-width:100%}
input[type=file]::file-selector-button{font:inherit;font-weight:600;padding:10px 14px;margin-right:10px;border:1px solid #6b7785;border-radius:8px;background:#e8f0fe;color:#0b5394;cursor:pointer}
ol.history{padding-left:20px}
footer{font-size:.85rem;color:#555;text-align:center;padding:24px 16px}
@media (min-width:700px){main{padding:24px}}
`;

/**
 * No icon to fetch: without it every page's load also asked for /favicon.ico and got the 404
 * page, bytes a citizen on a metered phone plan pays for. The pages' CSP allows data: images.
 */
export const NO_FAVICON = '<link rel="icon" href="data:,">';

/** A page's optional script: a file of this origin (the pages' CSP allows no inline script). `wide`: a staff page with a table, up to 1000px wide. */
export function layout(title: string, body: RawHtml, opts: { scriptSrc?: string; wide?: boolean } = {}): string {
  return html`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${raw(NO_FAVICON)}
<title>${title} · Aduan Kota Blitar</title>
<style>${raw(CSS)}</style>
</head>
<body>
<header><a href="/">Aduan Warga Kota Blitar</a></header>
<main${opts.wide ? raw(' style="max-width:1000px"') : raw('')}>${body}</main>
<footer>Layanan pengaduan Pemerintah Kota Blitar. Data pribadi Anda hanya dipakai untuk menindaklanjuti aduan.</footer>
${opts.scriptSrc ? html`<script src="${opts.scriptSrc}" defer></script>` : ''}
</body>
</html>`.value;
}
