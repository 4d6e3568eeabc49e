/** Minimal safe HTML templating: every interpolated value is escaped unless wrapped in raw(). */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export class RawHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString() {
    return this.value;
  }
}

export const raw = (s: string) => new RawHtml(s);

export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof RawHtml) return value.value;
  if (Array.isArray(value)) return value.map(escapeHtml).join('');
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += escapeHtml(v) + (strings[i + 1] ?? '');
  });
  return new RawHtml(out);
}
