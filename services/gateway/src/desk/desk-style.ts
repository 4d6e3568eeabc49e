/** Desk CSS: wide two-column layout; the ticket is big enough to read on air from across a studio. */
export const DESK_CSS = `
*{box-sizing:border-box}
/* The log-out form comes last in the page, so Tab reaches it after everything else; the grid
   shows it at the right of the top bar. */
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;background:#f4f6f8;display:grid;grid-template-columns:minmax(0,1fr) auto;grid-template-areas:"bar account" "desk desk"}
.bar{grid-area:bar;display:flex;gap:16px;align-items:center;justify-content:space-between;background:#0b5394;color:#fff;padding:8px 16px}
.account{grid-area:account;display:flex;align-items:center;background:#0b5394;color:#fff;padding:8px 16px}
.logout{display:flex;gap:8px;align-items:center;margin:0}
.logout a{color:#fff}
.net{padding:2px 10px;border-radius:12px;background:#2e7d32;font-size:.9rem}
.net.offline{background:#b00020}
.net.pending{background:#4a5560}
fieldset{border:0;margin:0;padding:0;min-width:0}
fieldset:disabled{opacity:.7}
.desk{grid-area:desk;min-width:0;width:100%;display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;padding:16px;max-width:1400px;margin:0 auto}
@media (max-width:900px){.desk{grid-template-columns:1fr}}
section,.result{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:16px}
h1{font-size:1.3rem;margin:0 0 8px}h2{font-size:1.1rem;margin:0 0 8px}
.field{margin:8px 0;scroll-margin:16px}
label{display:block;font-weight:600;margin:0 0 3px}
.hint{font-size:.85rem;color:#555;margin:0 0 3px}
input[type=text],input[type=tel],textarea{width:100%;padding:8px 10px;font:inherit;border:1px solid #9aa5b1;border-radius:8px;background:#fff}
textarea{min-height:96px}
input:focus,textarea:focus,button:focus{outline:3px solid #f1c232;outline-offset:1px}
.row{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.check{display:flex;gap:10px;align-items:center;margin:6px 0}
.check input{width:20px;height:20px;margin:0}
.check label{margin:0}
.error{color:#b00020;font-weight:600;margin:3px 0 0}
[aria-invalid=true]{border-color:#b00020!important;border-width:2px!important}
.notice{scroll-margin:16px;border-left:4px solid #b00020;background:#fdecee;padding:8px 12px;border-radius:6px;margin-bottom:8px}
.notice.info,.notice.net{border-color:#0b5394;background:#e8f0fa}
button{background:#0b5394;color:#fff;border:0;border-radius:8px;padding:10px 16px;font:inherit;font-weight:700;cursor:pointer}
button.secondary{background:#e8eef5;color:#0b5394}
.combo{position:relative}
.listbox{position:absolute;z-index:5;left:0;right:0;margin:2px 0 0;padding:0;list-style:none;background:#fff;border:1px solid #9aa5b1;border-radius:8px;max-height:240px;overflow:auto;box-shadow:0 4px 12px rgba(0,0,0,.15)}
.listbox li{padding:6px 10px;cursor:pointer}
.listbox li[aria-selected=true]{background:#0b5394;color:#fff}
.result .caption{margin:0;font-weight:700}
.ticket-big{font:800 clamp(2.5rem,3.4vw,3.4rem)/1.15 ui-monospace,Menlo,Consolas,monospace;white-space:nowrap;letter-spacing:.06em;margin:4px 0;background:#fff8e1;display:inline-block;padding:4px 14px;border-radius:8px}
.result.previous{background:#eceff1;box-shadow:none;border:2px dashed #9aa5b1}
.result.previous .caption{font-weight:600}
.result.previous .ticket-big{font-size:1.5rem;color:#555;background:none;padding:0;letter-spacing:.02em}
.late ul{padding-left:20px;margin:0}
.late li{margin:0 0 6px}
.warn{border-left:4px solid #b26a00;background:#fff4e5;padding:6px 10px;border-radius:6px;margin:0 0 8px}
.emergency{border-left:4px solid #b00020;background:#fdecee;padding:6px 10px;border-radius:6px;margin:0 0 8px}
.emergency:empty{display:none}
.muted{color:#555}
#hint-list{padding-left:22px;margin:0}
#hint-list li{margin:0 0 10px}
.hint-ticket{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:700}
table{width:100%;border-collapse:collapse;font-size:.92rem}
th,td{text-align:left;padding:5px 6px;border-bottom:1px solid #e3e7eb;vertical-align:top}
tr.linked td{color:#555;font-style:italic}
td.ticket{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:700;white-space:nowrap}
.keys{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0}
.keys dd{margin:0}
kbd{font:600 .85rem ui-monospace,Menlo,Consolas,monospace;background:#eef1f4;border:1px solid #c9d1d9;border-radius:4px;padding:1px 5px}
.outbox li{margin-bottom:6px}
.others{border-left:4px solid #b26a00}
.lookup{display:flex;gap:8px}
.lookup input{flex:1}
.history{padding-left:22px;margin:4px 0 0}
.history li{margin:0 0 4px}
td.ticket button{font:inherit;background:none;color:#0b5394;padding:0;text-decoration:underline}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
