// Radio desk client. Plain browser JS (served as-is at /desk/desk.js): keyboard-first entry,
// an outbox in localStorage so nothing typed is lost when the network drops, live board, hints.
// ES2017 syntax only (no ?., ??, object spread, `catch {`, 1_000): old phones and browsers at
// the stations cannot parse more. eslint.config.js lints this file with espree at ecmaVersion 2017.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('desk-data').textContent);
  const $ = (id) => document.getElementById(id);
  const form = $('entry');
  const FIRST = $('caller-name');
  const OUTBOX_PREFIX = 'aduan.desk.outbox.';
  const OUTBOX_KEY = `${OUTBOX_PREFIX}${data.user.username}`;
  const DRAFT_KEY = `aduan.desk.draft.${data.user.username}`;
  const PROGRAM_KEY = `aduan.desk.program.${data.user.username}`;
  const FIELD_IDS = { 'reporter.name': 'caller-name', 'reporter.phone': 'caller-phone', program: 'program', callTime: 'call-time', text: 'text', category: 'category', 'location.kelurahan': 'kelurahan', 'location.kecamatan': 'kelurahan', 'location.description': 'landmark' };
  const MESSAGES = {
    required: 'Wajib diisi.',
    too_short: 'Terlalu pendek: minimal 10 huruf.',
    too_long: 'Terlalu panjang.',
    invalid_phone: 'Nomor HP tidak valid, contoh 0812 3456 7890.',
    unknown_category: 'Pilih kategori dari daftar.',
    unknown_kelurahan: 'Bukan kelurahan di Kota Blitar; pilih dari daftar.',
    kelurahan_not_in_kecamatan: 'Kelurahan tidak cocok dengan kecamatan.',
    invalid_call_time: 'Tulis jam seperti 08:15.',
    call_time_in_future: 'Jam telepon belum lewat; periksa jamnya.',
    call_time_too_old: 'Panggilan ini lebih dari 7 hari yang lalu dan tidak bisa dicatat lagi.',
  };
  /** Whole-request rejections, worded for the operator. */
  const REJECTIONS = {
    account_disabled: 'Akun Anda dinonaktifkan. Silakan hubungi admin.',
    password_change_required: 'Anda perlu membuat kata sandi sendiri dulu: buka “Ganti kata sandi” di pojok kanan atas.',
    forbidden: 'Akun Anda tidak boleh mencatat aduan (tidak terhubung ke stasiun radio).',
    not_found: 'Tiket itu tidak ditemukan; catat sebagai aduan baru.',
    idempotency_key_reused: 'Entri ini bentrok dengan entri lain; kirim ulang sebagai entri baru.',
    validation_failed: 'Ada isian yang belum benar.',
  };
  const rejection = (json) => REJECTIONS[json.error] || json.message || 'Ditolak.';
  const fold = (s) => String(s || '').toLowerCase().replace(/[^a-z0-9]/g, '');
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const pad = (n) => String(n).padStart(2, '0');
  /**
   * Times are the server's, read on the station's wall clock (DESK_UTC_OFFSET_MINUTES): the desk
   * computer's clock may be off (ten minutes fast had every call refused as not yet made) or set to
   * another time zone. The page brings the server's time; the Date header of the desk API's answers
   * corrects it should the computer's clock be set meanwhile (syncClock).
   */
  let clockSkew = data.now - Date.now();
  const serverNow = () => Date.now() + clockSkew;
  const OFFSET_MS = data.utcOffsetMinutes * 60000;
  /** A moment (Date, ISO or epoch ms) as the station's wall clock, to read with getUTC*(). */
  const stationClock = (t) => new Date(new Date(t).getTime() + OFFSET_MS);
  const hhmm = (t) => {
    const d = stationClock(t);
    return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  };
  /**
   * fetch() for the desk API. It says whose page this is: once another operator logs in in another
   * tab of this browser (the session cookie is theirs now), the gateway answers 409 session_changed
   * instead of filing this page's calls, and sending its waiting ones, as theirs.
   */
  function deskFetch(url, init) {
    const opts = Object.assign({ credentials: 'same-origin' }, init);
    opts.headers = Object.assign({ 'x-aduan-desk-user': data.user.username }, init && init.headers);
    return fetch(url, opts).then((res) => {
      syncClock(res.headers.get('date'));
      return res;
    });
  }
  function syncClock(date) {
    const at = Date.parse(date || '');
    if (!at) return;
    // The header counts whole seconds: taken only when clearly apart from what the page knows (the
    // computer's clock was set meanwhile), not for each second's rounding.
    const skew = at + 500 - Date.now();
    if (Math.abs(skew - clockSkew) > 2000) clockSkew = skew;
  }
  const SESSION_ENDED = 'Sesi Anda sudah berakhir. Silakan masuk lagi; yang sedang diketik tetap tersimpan.';
  /** 409 session_changed: said like an ended session, and nothing is sent until this page's operator logs in again. */
  const SESSION_CHANGED = `Akun lain baru saja masuk di browser ini (di tab lain). Halaman ini dibuka untuk ${data.user.username}: tidak ada yang dikirim atas nama akun lain, dan yang diketik serta yang belum terkirim tetap tersimpan. Silakan masuk lagi sebagai ${data.user.username}.`;

  // ---------- form values ----------
  const inputs = () => [...form.querySelectorAll('input[name],textarea[name]')];
  function snapshot() {
    const s = {};
    for (const el of inputs()) s[el.id] = el.type === 'checkbox' ? el.checked : el.value;
    return s;
  }
  function restore(s) {
    for (const el of inputs()) {
      if (!(el.id in s)) continue;
      if (el.type === 'checkbox') el.checked = !!s[el.id];
      else el.value = s[el.id];
    }
  }
  /** Something of a caller is on the form (the programme stays from one caller to the next and does not count). */
  const formHasCaller = () => ['caller-name', 'caller-phone', 'text', 'category', 'kelurahan', 'landmark'].some((id) => $(id).value.trim() !== '');
  /**
   * The outbox entry this form is a copy of ({ key, kind, station }), kept in the draft: a refused
   * entry loaded by "Muat ke formulir" whose request was never answered about, which keeps its
   * idempotency key when sent again (see loadRefused); or the entry the form was just sent as,
   * until its answer comes (see submitEntry), which a reload meanwhile does not put back (see
   * restoreDraft).
   */
  let loaded = null;
  const saveDraft = () => localStorage.setItem(DRAFT_KEY, JSON.stringify(Object.assign(snapshot(), loaded ? { loaded } : {})));
  /** Bumped whenever the form is cleared for the next caller: an answer for an earlier form must not touch it. */
  let formGen = 0;
  function resetForm() {
    formGen++;
    loaded = null;
    // A hint request still under way belongs to the caller just sent.
    clearTimeout(hintTimer);
    hintSeq++;
    const program = $('program').value;
    form.reset();
    $('program').value = program;
    callTimeTouched = false;
    // The number as it would be stored was the previous caller's.
    $('hint-caller-phone').textContent = 'Disimpan sebagai +62…';
    clearErrors();
    localStorage.removeItem(DRAFT_KEY);
    renderHints([]);
    showEmergency(false);
    FIRST.focus();
  }
  /** "08.15" or "8:15" today at the station (or yesterday, when that time is still ahead) -> ISO. */
  function callTimeIso(value) {
    const m = /^([0-2]?\d)[:.]([0-5]\d)$/.exec(value.trim());
    if (!m || Number(m[1]) > 23) return null;
    const now = serverNow();
    const d = stationClock(now);
    d.setUTCHours(Number(m[1]), Number(m[2]), 0, 0);
    let t = d.getTime() - OFFSET_MS;
    if (t > now + 5 * 60000) t -= 86400000;
    return new Date(t).toISOString();
  }
  function normalizePhone(v) {
    let p = v.replace(/[\s().-]/g, '');
    if (!p) return '';
    if (p.startsWith('+')) return p;
    if (p.startsWith('62')) return `+${p}`;
    if (p.startsWith('0')) return `+62${p.slice(1)}`;
    if (p.startsWith('8')) return `+62${p}`;
    return p;
  }
  function readBody() {
    const v = (id) => $(id).value.trim();
    const errors = {};
    if (v('text').length < 10) errors.text = v('text') ? 'too_short' : 'required';
    if (!v('program')) errors.program = 'required';
    let callTime = new Date(serverNow()).toISOString();
    if (v('call-time')) {
      const iso = callTimeIso(v('call-time'));
      if (iso) callTime = iso;
      else errors['call-time'] = 'invalid_call_time';
    }
    const body = {
      text: v('text'),
      program: v('program'),
      callTime,
      reporter: { anonymous: $('anonymous').checked, contactConsent: $('consent').checked },
    };
    if (v('caller-name')) body.reporter.name = v('caller-name');
    if (v('caller-phone')) body.reporter.phone = normalizePhone(v('caller-phone'));
    if (v('category')) body.category = v('category');
    const location = {};
    if (v('kelurahan')) location.kelurahan = v('kelurahan');
    if (v('landmark')) location.description = v('landmark');
    if (Object.keys(location).length) body.location = location;
    return { body, errors };
  }

  // ---------- inline errors ----------
  function clearErrors() {
    for (const p of form.querySelectorAll('.error')) {
      p.hidden = true;
      p.textContent = '';
    }
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }
  /** errors: { fieldId: code-or-message }. Focuses the first invalid field; the typed text stays. */
  function showErrors(errors) {
    clearErrors();
    closeLists();
    let first = null;
    for (const el of inputs()) {
      if (!(el.id in errors)) continue;
      const p = $(`err-${el.id}`);
      if (p) {
        p.textContent = MESSAGES[errors[el.id]] || errors[el.id];
        p.hidden = false;
      }
      el.setAttribute('aria-invalid', 'true');
      first = first || el;
    }
    const rest = Object.keys(errors).filter((k) => !$(k) || !$(`err-${k}`));
    if (rest.length) notice(rest.map((k) => MESSAGES[errors[k]] || errors[k]).join(' '));
    if (first) {
      first.focus();
      // The field with its message, not only the input: focus alone left the message of a low
      // field (kelurahan) below the fold at 1366x768.
      (first.closest('.field') || first).scrollIntoView({ block: 'nearest' });
    } else if (rest.length) $('notice').scrollIntoView({ block: 'nearest' });
  }
  function apiErrors(fields) {
    const out = {};
    // The server's English message only when the desk has no words of its own for the code.
    for (const [name, e] of Object.entries(fields || {})) out[FIELD_IDS[name] || name] = MESSAGES[e.code] || `Isian ini belum benar (${e.message}).`;
    return out;
  }
  /** The kind of the notice shown ('' when none): the network notice is taken down once nothing waits. */
  let noticeKind = '';
  function notice(text, kind) {
    const n = $('notice');
    noticeKind = text ? kind || 'error' : '';
    n.hidden = !text;
    n.className = `notice ${kind || ''}`;
    n.innerHTML = '';
    if (!text) return;
    n.append(text);
    if (kind === 'login') {
      const a = document.createElement('a');
      a.href = '/login?next=/desk&expired=1';
      a.textContent = ' Masuk lagi';
      n.append(a);
    }
  }
  /**
   * The session is over, as the board's poll (every 3 s), the outbox's resend (every 5 s) or a
   * look-up finds. Said once: redrawn each time, the notice would take the keyboard focus off its
   * "Masuk lagi" link and be read out again. (An entry sent by the operator says what became of
   * it with notice() itself.)
   */
  function sessionOver(text) {
    noticeOnce(text, 'login');
  }
  /** A notice of a state that polls find again and again (see sessionOver): drawn once while it holds. */
  function noticeOnce(text, kind) {
    if (noticeKind !== kind) notice(text, kind);
  }

  // ---------- result (the ticket read on air) ----------
  const nameOf = (entry) => String((entry.snapshot && entry.snapshot['caller-name']) || '').trim();
  /** The caller an entry was for, as the operator knows them: the name, else the programme and call time. */
  const callerOf = (entry) => nameOf(entry) || `${entry.body.program}, ${hhmm(new Date(entry.body.callTime))}`;
  /** A link counts the caller on another complaint and keeps nothing that identifies them (the API takes only programme and call time). */
  const LINK_KEEPS_NO_CALLER = 'Nama/nomor penelepon tidak disimpan saat ditautkan ke aduan lain.';
  const typedCaller = (s) => Boolean(String(s['caller-name'] || '').trim() || String(s['caller-phone'] || '').trim());
  /** Whose ticket the panel shows. */
  let resultCaller = '';
  function showResult(caption, ticket, detail, caller) {
    const r = $('result');
    r.hidden = false;
    r.classList.remove('previous');
    resultCaller = caller;
    $('result-caption').textContent = caption;
    $('ticket').textContent = ticket;
    $('result-detail').textContent = detail || '';
    $('result-detail').hidden = false;
    // The page may have been scrolled down to a field's error: the ticket to read is at the top.
    r.scrollIntoView({ block: 'nearest' });
  }
  /**
   * The operator has moved on (typing the next caller, Alt+N, a refused entry): the ticket in the
   * panel is no longer the one to read on air. It stays, small and grey, named after its caller.
   */
  function markResultPrevious() {
    const r = $('result');
    if (r.hidden || r.classList.contains('previous')) return;
    r.classList.add('previous');
    $('result-caption').textContent = `Tiket penelepon sebelumnya (${resultCaller}):`;
    $('result-detail').hidden = true;
  }
  /** The ticket of an entry just sent for the caller on the line (or who just hung up). */
  function showSent(entry, json) {
    if (entry.kind === 'link') {
      const dropped = entry.snapshot && typedCaller(entry.snapshot) ? ` ${LINK_KEEPS_NO_CALLER}` : '';
      return showResult('Ditautkan ke tiket (bukan aduan baru) — bacakan di udara:', json.ticket, `Sekarang ${json.supporters} pelapor tambahan.${dropped}`, callerOf(entry));
    }
    // "cek" on the city's WhatsApp answers the number the caller gave (and only it).
    const wa = data.whatsapp && entry.body.reporter.phone ? ` Sampaikan ke penelepon: untuk cek status, kirim "cek ${json.ticket}" lewat WhatsApp ke ${data.whatsapp} dari nomor HP-nya; setelah itu kabar perkembangannya dikirim ke WhatsApp-nya.` : '';
    showResult('Tiket baru — bacakan di udara:', json.ticket, `${entry.body.reporter.anonymous ? 'Penelepon anonim di udara.' : ''}${wa}`, callerOf(entry));
  }
  /**
   * An entry of the outbox that reached the gateway late, while the operator may be on the next
   * caller already: listed apart with its caller's name, never shown as the ticket to read now.
   */
  function showLate(entry, json) {
    const name = nameOf(entry);
    const who = name || `penelepon ${entry.body.program} pukul ${hhmm(new Date(entry.body.callTime))}`;
    const li = document.createElement('li');
    const t = document.createElement('strong');
    t.className = 'hint-ticket';
    t.textContent = json.ticket;
    li.append(entry.kind === 'link' ? `Terkirim terlambat — ${who} ditautkan ke tiket: ` : `Terkirim terlambat — tiket ${who}: `, t);
    const ul = $('late-list');
    ul.prepend(li);
    while (ul.children.length > 5) ul.lastElementChild.remove();
    $('late').hidden = false;
  }

  // ---------- outbox: every entry is stored before it is sent, with its idempotency key ----------
  const readOutbox = () => JSON.parse(localStorage.getItem(OUTBOX_KEY) || '[]');
  const writeOutbox = (list) => localStorage.setItem(OUTBOX_KEY, JSON.stringify(list));
  const removeFromOutbox = (key) => writeOutbox(readOutbox().filter((e) => e.key !== key));
  /**
   * Keeps a refused entry in the outbox with the reason, for "Muat ke formulir". `answered`: the
   * gateway looked at this entry and refused it (400, 404, 422), so it filed nothing under its key.
   */
  const markRejected = (key, json) => writeOutbox(readOutbox().map((e) => (e.key === key ? Object.assign({}, e, { rejected: rejection(json), fields: json.fields, answered: true }) : e)));
  function renderOutbox() {
    const list = readOutbox();
    $('outbox').hidden = list.length === 0;
    const ul = $('outbox-list');
    ul.innerHTML = '';
    for (const e of list) {
      const li = document.createElement('li');
      li.textContent = `${e.kind === 'link' ? `Tautan ke ${e.ticket}` : e.body.text.slice(0, 60)} — ${e.rejected ? `ditolak: ${e.rejected}` : 'menunggu'}${e.takenOverFrom ? ` (dari ${e.takenOverFrom})` : ''}`;
      if (e.rejected) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'secondary';
        b.textContent = 'Muat ke formulir';
        b.onclick = () => loadRefused(e);
        li.append(' ', b);
      }
      ul.append(li);
    }
  }
  /**
   * "Muat ke formulir": a refused entry back into the form, to correct and send. Not over a caller
   * being typed without asking, nor while a send is under way: its answer would clear the form
   * (and the refused call, out of the outbox by then). It starts a new form, as Alt+N does, and is
   * kept as the draft before it leaves the outbox: a reload or a new login finds it.
   */
  function loadRefused(e) {
    if (submitting) return notice('Aduan terakhir sedang dikirim. Tunggu sebentar, lalu klik "Muat ke formulir" lagi.');
    const name = $('caller-name').value.trim();
    if (formHasCaller() && !window.confirm(`Formulir masih berisi penelepon yang sedang diketik${name ? ` (${name})` : ''}. Ganti dengan aduan yang ditolak? Ketikan itu akan terhapus.`)) return;
    resetForm();
    markResultPrevious();
    restore(e.snapshot);
    callTimeTouched = !!$('call-time').value;
    // Never answered about (an earlier desk marked entries refused on a 403): it may have been
    // filed and its answer lost. Sent under its own key it gets that ticket, not a second one.
    loaded = e.answered || e.fields ? null : { key: e.key, kind: e.kind, station: e.station };
    saveDraft();
    removeFromOutbox(e.key);
    renderOutbox();
    showErrors(apiErrors(e.fields));
  }
  let online = true;
  /** The header's state: "Memuat…" in the page until the gateway's first answer, or its silence, says which. */
  function setOnline(ok) {
    online = ok;
    $('net').textContent = ok ? 'Terhubung' : 'Jaringan putus — data disimpan';
    $('net').classList.toggle('offline', !ok);
    $('net').classList.remove('pending');
  }

  /** Keys of the entries being sent right now: the automatic re-send leaves them alone. */
  const inFlight = new Set();
  /** Sends one outbox entry. Returns 'sent' | 'rejected' | 'retry' | 'login' | 'refused' (the account), or 'busy' while it is already on its way. */
  async function send(entry, deferred) {
    if (inFlight.has(entry.key)) return { outcome: 'busy' };
    inFlight.add(entry.key);
    try {
      return await sendNow(entry, deferred);
    } finally {
      inFlight.delete(entry.key);
    }
  }
  /**
   * How long a send may go unanswered before it counts as not sent (kept, sent again with its
   * key, which returns the same ticket should the first have arrived). A connection that died
   * without a word (a modem that lost its link, a proxy whose upstream hangs) otherwise holds the
   * desk on this caller for minutes, Enter doing nothing for the next. The gateway answers within
   * a few seconds at worst (a queue add waits 2 s, then spools).
   */
  const SEND_TIMEOUT_MS = 8000;
  async function sendNow(entry, deferred) {
    const url = entry.kind === 'link' ? `/api/v1/desk/complaints/${encodeURIComponent(entry.ticket)}/supporters` : '/api/v1/desk/complaints';
    let res;
    const abort = typeof AbortController === 'function' ? new AbortController() : null;
    const timer = abort ? setTimeout(() => abort.abort(), SEND_TIMEOUT_MS) : null;
    try {
      // An automatic re-send is not the operator at work either (see refreshBoard).
      const headers = { 'content-type': 'application/json', 'idempotency-key': entry.key };
      if (deferred) headers['x-aduan-poll'] = '1';
      // The key is the station's that keyed the entry, also when another station's operator sends
      // it (taken over, see takeOver): so it finds its first answer. Encoded: a header is Latin-1.
      if (entry.station) headers['x-aduan-key-station'] = encodeURIComponent(entry.station);
      res = await deskFetch(url, { method: 'POST', headers, body: JSON.stringify(entry.body), signal: abort ? abort.signal : undefined });
    } catch (_err) {
      setOnline(false);
      return { outcome: 'retry' };
    } finally {
      clearTimeout(timer);
    }
    setOnline(true);
    const json = await res.json().catch(() => ({}));
    if (res.ok) {
      removeFromOutbox(entry.key);
      refreshBoard();
      return { outcome: 'sent', json };
    }
    if (res.status === 401) return { outcome: 'login' };
    if (res.status === 409) return { outcome: 'login', changed: true };
    // Disabled, or taken off its station: about the account, not this entry. It waits as on a 401
    // (for its operator's next login, or another's take-over); marked refused, it could only be
    // sent again from the form under a new key: a second complaint, had the first arrived.
    if (res.status === 403) return { outcome: 'refused', json };
    if (res.status === 400 || res.status === 404 || res.status === 422) return { outcome: 'rejected', json };
    // Answered, but not taken (503 Redis away, 429, a proxy's 502): the network is fine.
    return { outcome: 'retry', server: true };
  }

  let flushing = false;
  /** Entries were added while a flush ran (a take-over): another pass follows at once. */
  let flushAgain = false;
  async function flush(again) {
    if (flushing) {
      if (again) flushAgain = true;
      return;
    }
    flushing = true;
    flushAgain = false;
    try {
      for (const entry of readOutbox()) {
        if (entry.rejected) continue;
        const r = await send(entry, true);
        if (r.outcome === 'busy') continue;
        if (r.outcome === 'sent') showLate(entry, r.json);
        // No answer: the network is down for the entries after it too. An answer that did not take
        // it (a 5xx) may be about this entry alone (a 500): the others are still sent.
        if (r.outcome === 'retry' && !r.server) break;
        if (r.outcome === 'login') {
          sessionOver(r.changed ? SESSION_CHANGED : 'Sesi Anda sudah berakhir. Aduan yang belum terkirim tetap tersimpan dan dikirim setelah Anda masuk lagi.');
          break;
        }
        if (r.outcome === 'refused') {
          noticeOnce(`${rejection(r.json)} Aduan yang belum terkirim tetap tersimpan di komputer ini.`, 'refused');
          break;
        }
        if (r.outcome === 'rejected') {
          markRejected(entry.key, r.json);
          notice(`Aduan sebelumnya ditolak: ${rejection(r.json)} Lihat daftar "Belum terkirim".`);
        }
      }
    } finally {
      flushing = false;
      renderOutbox();
      // Back online and nothing left to send: "Jaringan putus" no longer holds.
      if (noticeKind === 'net' && online && !readOutbox().some((e) => !e.rejected)) notice('');
      if (flushAgain) void flush();
    }
  }

  // ---------- waiting entries other operators left in this browser (an earlier shift) ----------
  /**
   * The outboxes of other operators on this computer that still hold entries: an operator whose
   * session expired, or whose network was down, at the end of a shift. [{ storageKey, username, entries }]
   */
  function otherOutboxes() {
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const storageKey = localStorage.key(i);
      if (!storageKey || !storageKey.startsWith(OUTBOX_PREFIX) || storageKey === OUTBOX_KEY) continue;
      let entries;
      try {
        entries = JSON.parse(localStorage.getItem(storageKey) || '[]');
      } catch (_err) {
        continue; // unreadable: left as it is, never deleted
      }
      if (Array.isArray(entries) && entries.length) out.push({ storageKey, username: storageKey.slice(OUTBOX_PREFIX.length), entries });
    }
    return out;
  }
  const keyedAt = (e) => e.createdAt || Date.parse(e.body && e.body.callTime) || 0;
  function renderOthers() {
    const others = otherOutboxes();
    $('others').hidden = others.length === 0;
    const ul = $('others-list');
    ul.innerHTML = '';
    let elsewhere = false;
    for (const o of others) {
      const refused = o.entries.filter((e) => e.rejected).length;
      const waiting = o.entries.length - refused;
      const counts = [waiting ? `${waiting} aduan menunggu dikirim` : '', refused ? `${refused}${waiting ? '' : ' aduan'} ditolak` : ''].filter(Boolean).join(' dan ');
      const times = o.entries.map(keyedAt).filter(Boolean);
      const stations = o.entries.map((e) => e.station).filter((st, i, all) => st && st !== data.user.station && all.indexOf(st) === i);
      elsewhere = elsewhere || stations.length > 0;
      const li = document.createElement('li');
      const who = document.createElement('strong');
      who.textContent = o.username;
      li.append(who, `: ${counts}${times.length ? `, sejak ${dayTime(Math.min.apply(null, times))}` : ''}${stations.length ? ` (${stations.join(', ')})` : ''}`);
      ul.append(li);
    }
    $('others-elsewhere').hidden = !elsewhere;
    $('others-elsewhere').textContent = `Aduan dari stasiun lain akan tercatat di ${data.user.station}.`;
  }
  /**
   * The operator on duty sends the entries of the others: moved into this operator's outbox with
   * their idempotency keys (one that reached the gateway before gets its first ticket, not a
   * second complaint), refused ones with their reason for "Muat ke formulir", then sent by the
   * outbox as usual. Each other outbox is removed only once its entries are stored in this one.
   */
  function takeOver() {
    const others = otherOutboxes();
    const mine = readOutbox();
    const have = new Set(mine.map((e) => e.key));
    for (const o of others) {
      for (const e of o.entries) {
        if (have.has(e.key)) continue;
        have.add(e.key);
        mine.push(Object.assign({}, e, { takenOverFrom: e.takenOverFrom || o.username }));
      }
    }
    writeOutbox(mine);
    for (const o of others) localStorage.removeItem(o.storageKey);
    renderOthers();
    renderOutbox();
    FIRST.focus();
    void flush(true);
  }
  $('others-send').addEventListener('click', takeOver);
  // Another tab of this browser took them over, or an entry was left meanwhile.
  window.addEventListener('storage', (e) => {
    if (e.key === null || (e.key.startsWith(OUTBOX_PREFIX) && e.key !== OUTBOX_KEY)) renderOthers();
  });

  /**
   * Stores the entry, tries to send it at once; the form is kept on a field error, cleared
   * otherwise. One entry at a time: Enter pressed twice (or held) or F2 twice while the first is
   * on its way would otherwise make a second complaint or count the caller twice.
   */
  let submitting = false;
  async function submitEntry(entry) {
    if (submitting) return;
    submitting = true;
    const gen = formGen;
    writeOutbox([...readOutbox(), entry]);
    // The form still shows this caller until the answer comes. Tied to the entry in the draft, a
    // reload meanwhile leaves them to the outbox, which sends them under this key, instead of
    // putting them back in the form for Enter to file a second time.
    loaded = { key: entry.key, kind: entry.kind, station: entry.station };
    saveDraft();
    localStorage.setItem(PROGRAM_KEY, $('program').value.trim());
    $('submit').disabled = true;
    try {
      const r = await send(entry);
      // The operator cleared the form (Alt+N) meanwhile and is typing the next caller: leave it.
      const sameForm = gen === formGen;
      if (r.outcome === 'rejected') {
        if (!sameForm) {
          // Kept, with "Muat ke formulir", rather than marked on the next caller's form.
          markRejected(entry.key, r.json);
          notice(`Aduan sebelumnya ditolak: ${rejection(r.json)} Lihat daftar "Belum terkirim".`);
          return;
        }
        removeFromOutbox(entry.key);
        // Refused after a look: nothing was filed under the key, and the form is this caller's
        // alone again, to correct and send under a new key (and kept as such by a reload).
        loaded = null;
        saveDraft();
        // The panel still shows the caller before this one: not to be read for this one.
        markResultPrevious();
        if (r.json.fields) showErrors(apiErrors(r.json.fields));
        else {
          notice(rejection(r.json));
          $('notice').scrollIntoView({ block: 'nearest' });
        }
        return;
      }
      if (r.outcome === 'sent') {
        showSent(entry, r.json);
        // Alt+N was pressed meanwhile: the operator is on the next caller already.
        if (!sameForm) markResultPrevious();
      }
      notice('');
      if (r.outcome === 'retry') notice(`${r.server ? 'Server sedang sibuk' : 'Jaringan putus'}: aduan tersimpan di komputer ini dan dikirim otomatis. Lanjutkan penelepon berikutnya.`, 'net');
      if (r.outcome === 'login') notice(r.changed ? SESSION_CHANGED : 'Sesi Anda sudah berakhir. Aduan ini tersimpan dan dikirim setelah Anda masuk lagi.', 'login');
      if (r.outcome === 'refused') notice(`${rejection(r.json)} Aduan ini tetap tersimpan di komputer ini dan belum dikirim.`, 'refused');
      if (sameForm) resetForm();
    } finally {
      submitting = false;
      $('submit').disabled = false;
      renderOutbox();
    }
  }

  /** A new entry's key and the station it is scoped to: a loaded entry's own when it was never answered about (see loadRefused). */
  function keyFor(kind) {
    const own = loaded && loaded.kind === kind ? loaded : null;
    loaded = null;
    return own ? { key: own.key, station: own.station } : { key: uuid(), station: data.user.station };
  }

  function submitComplaint() {
    const { body, errors } = readBody();
    if (Object.keys(errors).length) return showErrors(errors);
    clearErrors();
    void submitEntry(Object.assign(keyFor('complaint'), { kind: 'complaint', body, snapshot: snapshot(), createdAt: serverNow() }));
  }

  function link(match) {
    if (!match) return;
    const program = $('program').value.trim();
    if (!program) return showErrors({ program: 'required' });
    const iso = $('call-time').value.trim() ? callTimeIso($('call-time').value) : new Date(serverNow()).toISOString();
    if (!iso) return showErrors({ 'call-time': 'invalid_call_time' });
    void submitEntry(Object.assign(keyFor('link'), { kind: 'link', ticket: match.ticket, body: { program, callTime: iso }, snapshot: snapshot(), createdAt: serverNow() }));
  }

  // ---------- type-ahead (ARIA combobox) ----------
  /** Levenshtein distance, for names typed as heard ("Plosokrep"). */
  function editDistance(a, b) {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return prev[b.length];
  }
  /** q is within a letter (two from 8 letters) of the start of name: a misspelling, typed in full or in part. */
  function nearly(q, name) {
    const allowed = q.length >= 8 ? 2 : 1;
    for (let len = q.length - 1; len <= q.length + 1; len++) if (editDistance(q, name.slice(0, len)) <= allowed) return true;
    return false;
  }
  /** Each list's close(), so an error is never left under an open list. */
  const listClosers = [];
  const closeLists = () => listClosers.forEach((close) => close());
  /**
   * opts.strict: only a listed value is accepted (the gateway refuses others), so Enter with a
   * single suggestion shown takes it. opts.fuzzy: with no match, suggest names a letter or two off.
   */
  function combobox(input, options, opts = {}) {
    const list = $(input.getAttribute('aria-controls'));
    let shown = [];
    let active = -1;
    const close = () => {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    };
    const highlight = () => {
      [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
      if (active >= 0) input.setAttribute('aria-activedescendant', `${list.id}-${active}`);
    };
    const render = () => {
      const q = fold(input.value);
      shown = q ? options.filter((opt) => fold(opt.label).includes(q)).slice(0, 8) : [];
      if (!shown.length && opts.fuzzy && q.length >= 4) shown = options.filter((opt) => nearly(q, fold(opt.value))).slice(0, 8);
      if (!shown.length || (shown.length === 1 && fold(shown[0].value) === q)) return close();
      list.innerHTML = '';
      shown.forEach((opt, i) => {
        const li = document.createElement('li');
        li.id = `${list.id}-${i}`;
        li.setAttribute('role', 'option');
        li.textContent = opt.label;
        li.onmousedown = (e) => {
          e.preventDefault();
          pick(i);
        };
        list.append(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      active = -1;
      highlight();
    };
    const pick = (i) => {
      const opt = shown[i];
      if (!opt) return;
      input.value = opt.value;
      close();
      if (opts.onPick) opts.onPick(opt);
      input.dispatchEvent(new Event('change', { bubbles: true }));
      scheduleHints();
    };
    input.addEventListener('input', render);
    // Late enough for a click on an option to land first; called off when the field is back in
    // use, or it would close the list the operator has just opened.
    let closing = null;
    input.addEventListener('blur', () => {
      closing = setTimeout(close, 150);
    });
    input.addEventListener('focus', () => clearTimeout(closing));
    input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (list.hidden) render();
        if (!shown.length) return;
        active = (active + (e.key === 'ArrowDown' ? 1 : -1) + shown.length) % shown.length;
        highlight();
      } else if (e.key === 'Enter' && !list.hidden && (active >= 0 || (opts.strict && shown.length === 1))) {
        // Picks, does not send: the operator sees what was taken, and Enter again sends.
        e.preventDefault();
        pick(Math.max(active, 0));
      } else if (e.key === 'Escape' && !list.hidden) {
        e.preventDefault();
        close();
      }
    });
    listClosers.push(close);
  }
  combobox($('category'), data.categories, { strict: true });
  combobox($('kelurahan'), data.kelurahan, { strict: true, fuzzy: true });
  // A landmark is free text ("depan SDN 1"): Enter there sends what was typed.
  combobox($('landmark'), data.landmarks, {
    onPick: (opt) => {
      if (opt.kelurahan && !$('kelurahan').value.trim()) $('kelurahan').value = opt.kelurahan;
    },
  });

  // ---------- duplicate hints ----------
  let hints = [];
  let hintTimer = null;
  /** Numbers each hint request: only the answer to the newest one is shown. */
  let hintSeq = 0;
  function scheduleHints() {
    clearTimeout(hintTimer);
    hintTimer = setTimeout(fetchHints, 350);
  }
  async function fetchHints() {
    const seq = ++hintSeq;
    const text = $('text').value.trim();
    const landmark = $('landmark').value.trim();
    if (text.length < 6 && !landmark) {
      showEmergency(false);
      return renderHints([]);
    }
    try {
      const res = await deskFetch('/api/v1/desk/similar', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, kelurahan: $('kelurahan').value.trim() || undefined, landmark: landmark || undefined, category: $('category').value.trim() || undefined }) });
      if (!res.ok) return;
      const { matches, emergency } = await res.json();
      if (seq !== hintSeq) return;
      renderHints(matches);
      // Said to the operator while the caller is still on the line: 112, not a complaint queue.
      showEmergency(emergency);
    } catch (_err) {
      /* offline: hints are a convenience */
    }
  }
  /** The complaint's words as the desk may show them: none for a confidential one (the reporter asked). */
  function snippetOf(e) {
    return e.confidential ? '[aduan rahasia: isinya tidak ditampilkan]' : e.snippet || '';
  }
  function stateLabel(m) {
    if (m.state === 'received') return 'menunggu diteruskan';
    if (m.state === 'triage') return 'triase admin';
    if (m.state === 'external') return `di luar Pemkot (${m.opdName || ''})`;
    return m.opdName || m.state;
  }
  /** Said before F2 is pressed: a name or number typed for this caller is lost by linking. */
  function renderLinkWarning() {
    const w = $('link-warning');
    w.hidden = !(hints.length && typedCaller(snapshot()));
    // A caller who wants to be called back needs a complaint of their own.
    w.textContent = $('consent').checked ? `${LINK_KEEPS_NO_CALLER} Penelepon minta dihubungi kembali? Kirim sebagai aduan baru (Enter).` : LINK_KEEPS_NO_CALLER;
  }
  /**
   * The 112 line lives in a status region that is always there, empty until said: a screen reader
   * announces text put into a live region, not one that is merely unhidden.
   */
  function showEmergency(on) {
    const p = $('emergency-hint');
    if (on && !p.firstChild) {
      const b = document.createElement('strong');
      b.textContent = 'Keadaan darurat yang sedang terjadi?';
      p.append(b, ' Sarankan penelepon segera menelepon 112 (gratis, 24 jam), lalu tetap catat aduannya.');
    } else if (!on) p.textContent = '';
  }
  /** The hints last drawn: the same answer again (a pause in typing) is not drawn, nor read out, again. */
  let drawnHints = '';
  function renderHints(matches) {
    hints = matches;
    renderLinkWarning();
    const drawn = JSON.stringify(matches);
    if (drawn === drawnHints) return;
    drawnHints = drawn;
    const ol = $('hint-list');
    ol.innerHTML = '';
    $('hints-empty').hidden = matches.length > 0;
    matches.forEach((m, i) => {
      const li = document.createElement('li');
      li.className = 'hint-item';
      const t = document.createElement('span');
      t.className = 'hint-ticket';
      t.textContent = m.ticket;
      const why = [m.sameKelurahan ? 'kelurahan sama' : '', m.sameLandmark ? 'patokan sama' : '', m.shared.length ? `kata: ${m.shared.slice(0, 4).join(', ')}` : ''].filter(Boolean).join('; ');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.textContent = i === 0 ? 'Tautkan (F2)' : `Tautkan (Alt+${i + 1})`;
      b.onclick = () => link(m);
      const via = { whatsapp: 'WhatsApp', instagram: 'Instagram', webform: 'formulir web' }[m.channel] || m.station || 'radio';
      li.append(t, ` (${via}) — ${snippetOf(m)} — ${m.kelurahan || m.landmark || ''} — ${stateLabel(m)} — ${m.supporters} pelapor tambahan (${why}) `, b);
      ol.append(li);
    });
  }

  // ---------- ticket look-up (a caller asking about an earlier complaint) ----------
  const dayTime = (t) => {
    const d = stationClock(t);
    return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)} ${hhmm(t)}`;
  };
  async function lookup(ticketInput) {
    const ticket = ticketInput.trim();
    const err = $('lookup-error');
    err.hidden = true;
    if (!ticket) {
      err.textContent = `Tulis nomor tiket, mis. ${data.ticketPrefix}-7K3M-9Q2X.`;
      err.hidden = false;
      return $('lookup-ticket').focus();
    }
    let res;
    try {
      res = await deskFetch(`/api/v1/desk/complaints/${encodeURIComponent(ticket)}`);
    } catch (_err) {
      setOnline(false);
      err.textContent = 'Jaringan putus; coba lagi sebentar.';
      err.hidden = false;
      return;
    }
    if (res.status === 401) return sessionOver(SESSION_ENDED);
    if (res.status === 409) return sessionOver(SESSION_CHANGED);
    if (!res.ok) {
      $('lookup-result').hidden = true;
      err.textContent = res.status === 404 ? `Tiket ${ticket} tidak ditemukan. Periksa lagi hurufnya.` : 'Status tidak dapat dibaca sekarang; coba lagi sebentar.';
      err.hidden = false;
      return;
    }
    const t = await res.json();
    $('lookup-ticket-shown').textContent = t.ticket;
    const label = data.stateLabels[t.state] || t.state;
    $('lookup-state').textContent = t.opd && ['routed', 'in_progress', 'resolved', 'rejected'].includes(t.state) ? `${label} (${t.opd.name})` : label;
    const via = { whatsapp: 'WhatsApp', instagram: 'Instagram', webform: 'formulir web', radio: t.station || 'radio' }[t.channel] || t.channel;
    const about = [t.confidential ? snippetOf(t) : t.snippet ? `"${t.snippet}"` : '', t.kelurahan || t.landmark || '', `lewat ${via}, ${dayTime(t.receivedAt)}`, t.supporters ? `${t.supporters} pelapor tambahan` : ''];
    $('lookup-about').textContent = about.filter(Boolean).join(' — ');
    const ol = $('lookup-history');
    ol.innerHTML = '';
    for (const h of t.history) {
      const li = document.createElement('li');
      li.textContent = `${dayTime(h.at)} ${data.stateLabels[h.state] || h.state}${h.message ? ` — ${h.message}` : ''}`;
      ol.append(li);
    }
    $('lookup-result').hidden = false;
  }
  $('lookup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void lookup($('lookup-ticket').value);
  });

  // ---------- today's board (polled) ----------
  /** The entries last drawn: an unchanged board is not redrawn, so a ticket button keeps its focus. */
  let boardDrawn = '';
  async function refreshBoard() {
    try {
      // A poll is not the operator at work: it must not keep an unattended desk logged in.
      const res = await deskFetch('/api/v1/desk/board', { headers: { 'x-aduan-poll': '1' } });
      // Any answer: the network is up, also when the session is over.
      setOnline(true);
      if (res.status === 401) return sessionOver(SESSION_ENDED);
      // Another operator logged in in another tab: their station's board is not this page's.
      if (res.status === 409) return sessionOver(SESSION_CHANGED);
      if (res.status === 403) {
        // Disabled (or taken off its station) while logged in: said now, not at the next send,
        // after a whole call was typed for nothing. Said once (see sessionOver).
        const json = await res.json().catch(() => ({}));
        noticeOnce(rejection(json), 'refused');
        return;
      }
      if (!res.ok) return;
      const board = await res.json();
      const drawn = JSON.stringify(board.entries);
      if (drawn === boardDrawn) return;
      boardDrawn = drawn;
      const tbody = $('board-rows');
      tbody.innerHTML = '';
      $('board-empty').hidden = board.entries.length > 0;
      for (const e of board.entries) {
        const tr = document.createElement('tr');
        // A linked caller's row names the ticket it supports, whose own row (when this station
        // keyed it) keeps data-ticket: a ticket finds its complaint's row, not its callers'.
        const linked = e.kind === 'link';
        if (linked) {
          tr.dataset.linkedTo = e.ticket;
          tr.className = 'linked';
        } else tr.dataset.ticket = e.ticket;
        const about = linked ? `Ditautkan ke ${e.ticket} (pelapor tambahan)` : `${snippetOf(e)}${e.kelurahan ? ` (${e.kelurahan})` : ''}`;
        const cells = [hhmm(new Date(e.callTime || e.receivedAt)), e.ticket, about, stateLabel(e), linked ? '' : String(e.supporters)];
        cells.forEach((c, i) => {
          const td = document.createElement('td');
          if (i === 1) {
            // A click looks the ticket up (its history and the OPD's notes).
            td.className = 'ticket';
            const b = document.createElement('button');
            b.type = 'button';
            b.textContent = c;
            b.title = 'Cek status';
            b.onclick = () => {
              $('lookup-ticket').value = c;
              void lookup(c);
            };
            td.append(b);
            tr.append(td);
            return;
          }
          if (i === 3) td.className = 'opd';
          if (i === 4) td.className = 'supporters';
          td.textContent = c;
          tr.append(td);
        });
        tbody.append(tr);
      }
    } catch (_err) {
      setOnline(false);
    }
  }

  // ---------- keyboard ----------
  let callTimeTouched = false;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitComplaint();
  });
  form.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.shiftKey || e.defaultPrevented || e.isComposing) return;
    if (e.target.tagName === 'BUTTON') return;
    e.preventDefault();
    // Nothing of a caller typed: Enter pressed twice, or after F2, finds the form just cleared. Its
    // "Wajib diisi." would take the cursor to "Isi aduan", where the next caller's name went.
    if (!formHasCaller()) return;
    submitComplaint();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'F2') {
      e.preventDefault();
      link(hints[0]);
    } else if (e.altKey && /^[1-5]$/.test(e.key)) {
      e.preventDefault();
      link(hints[Number(e.key) - 1]);
    } else if (e.altKey && (e.key === 'n' || e.key === 'N')) {
      e.preventDefault();
      resetForm();
      markResultPrevious();
    } else if (e.altKey && (e.key === 'c' || e.key === 'C')) {
      e.preventDefault();
      $('lookup-ticket').focus();
      $('lookup-ticket').select();
    }
  });
  form.addEventListener('input', (e) => {
    // Typing is for the next caller: the ticket shown is the previous one's from the first key.
    markResultPrevious();
    if (e.target.id === 'call-time') callTimeTouched = true;
    // The call started when the operator started typing the caller: not the programme, not a box.
    if (!callTimeTouched && !$('call-time').value && ['caller-name', 'caller-phone', 'text'].includes(e.target.id)) $('call-time').value = hhmm(serverNow());
    if (['text', 'kelurahan', 'landmark', 'category'].includes(e.target.id)) scheduleHints();
    if (['caller-name', 'caller-phone', 'consent'].includes(e.target.id)) renderLinkWarning();
    if (e.target.getAttribute('aria-invalid')) {
      e.target.removeAttribute('aria-invalid');
      const p = $(`err-${e.target.id}`);
      if (p) p.hidden = true;
    }
    saveDraft();
  });
  // A choice picked from a list sets the field without an input event (combobox pick()).
  form.addEventListener('change', saveDraft);
  // Logging out leaves no half-typed call (a caller's name and number) on a shared desk computer.
  // Entries waiting in the outbox stay: they are sent at this operator's next login, or by the
  // next operator who logs in here and takes them over (takeOver).
  const logout = document.querySelector('form.logout');
  if (logout) logout.addEventListener('submit', () => localStorage.removeItem(DRAFT_KEY));
  $('caller-phone').addEventListener('blur', () => {
    const p = normalizePhone($('caller-phone').value);
    $('hint-caller-phone').textContent = p ? `Disimpan sebagai ${p}` : 'Disimpan sebagai +62…';
  });

  // ---------- start ----------
  /**
   * The form as it was left, unless the outbox holds its call: the page was reloaded (F5, a crash,
   * a power cut) while it was being sent. The outbox sends it under its own key, which returns its
   * first ticket should it have arrived, or keeps it refused for "Muat ke formulir" with the
   * caller's words. Put back in the form too, Enter would file the same call under a new key: a
   * second complaint, a second ticket read on air. A copy whose entry left the outbox otherwise
   * (sent from another tab) is put back and keeps the key.
   */
  function restoreDraft(s) {
    const queued = s.loaded && readOutbox().find((e) => e.key === s.loaded.key);
    if (queued) {
      localStorage.removeItem(DRAFT_KEY);
      const where = queued.rejected ? 'ada di daftar "Belum terkirim" karena ditolak: klik "Muat ke formulir" untuk memperbaikinya' : 'tersimpan dan dikirim otomatis, jangan dikirim lagi; tiketnya muncul di "Aduan tertunda yang kini terkirim"';
      notice(`Halaman dimuat ulang saat catatan penelepon ${callerOf(queued)} sedang dikirim. Catatan itu ${where}.`, 'info');
      return;
    }
    restore(s);
    loaded = s.loaded || null;
    callTimeTouched = !!$('call-time').value;
  }
  // Every handler is attached: the forms, disabled in the page until now (see deskPage), take input.
  for (const f of document.querySelectorAll('fieldset.needs-script')) f.disabled = false;
  $('loading').hidden = true;
  const draft = localStorage.getItem(DRAFT_KEY);
  if (draft) restoreDraft(JSON.parse(draft));
  if (!$('program').value) $('program').value = data.lastProgram || localStorage.getItem(PROGRAM_KEY) || '';
  renderOutbox();
  renderOthers();
  FIRST.focus();
  window.addEventListener('online', () => void flush());
  setInterval(() => void flush(), 5000);
  setInterval(() => void refreshBoard(), 3000);
  void flush();
  void refreshBoard();
})();
