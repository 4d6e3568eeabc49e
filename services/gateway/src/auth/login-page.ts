import { html } from '../views/html.ts';
import { layout } from '../views/layout.ts';

export interface LoginPageState {
  next: string;
  username?: string;
  /** Bahasa Indonesia message shown above the form. */
  message?: string;
}

/** The one login page for operators and admins: /login?next=/desk (or the admin page). No JS needed. */
export function loginPage(s: LoginPageState): string {
  const body = html`<h1>Masuk petugas</h1>
<div class="card">
${s.message ? html`<p class="summary" role="alert" id="login-message">${s.message}</p>` : ''}
<form method="post" action="/login" autocomplete="on">
<input type="hidden" name="next" value="${s.next}">
<label for="username">Nama pengguna</label>
<input type="text" id="username" name="username" required autocomplete="username" autocapitalize="none" spellcheck="false" value="${s.username ?? ''}" ${s.username ? '' : 'autofocus'}>
<label for="password">Kata sandi</label>
<input type="password" id="password" name="password" required autocomplete="current-password" ${s.username ? 'autofocus' : ''} style="width:100%;padding:10px;font:inherit;border:1px solid #9aa5b1;border-radius:8px">
<p><button type="submit">Masuk</button></p>
</form>
</div>`;
  return layout('Masuk petugas', body);
}

/** Only same-site paths: an open redirect after login would be a phishing aid. */
export function safeNext(next: unknown, fallback = '/desk'): string {
  // Printable ASCII only: anything else cannot go into a Location header as it is (it must
  // arrive percent-encoded), and a 500 there would break the login.
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && next.length < 500 ? next : fallback;
}
