// The citizen form's optional extras; the form works without them. Served as /form.js, so the
// pages' Content-Security-Policy can allow scripts from this origin only.
(function () {
  'use strict';
  restoreUnanswered();
  var b = document.getElementById('geo');
  var clear = document.getElementById('geo-clear');
  var lat = document.getElementById('lat');
  // A location added before an error page is still in the form: it can be taken out again.
  if (clear && lat) {
    clear.hidden = !lat.value;
    clear.addEventListener('click', function () {
      lat.value = '';
      document.getElementById('lon').value = '';
      document.getElementById('geo-status').textContent = 'Lokasi dihapus.';
      clear.hidden = true;
    });
  }
  if (b && navigator.geolocation) {
    b.hidden = false;
    b.addEventListener('click', function () {
      var s = document.getElementById('geo-status');
      s.textContent = 'Mencari lokasi…';
      navigator.geolocation.getCurrentPosition(
        function (p) {
          document.getElementById('lat').value = p.coords.latitude.toFixed(6);
          document.getElementById('lon').value = p.coords.longitude.toFixed(6);
          s.textContent = 'Lokasi Anda sudah ditambahkan.';
          if (clear) clear.hidden = false;
        },
        function () {
          s.textContent = 'Lokasi tidak bisa diambil. Silakan tulis lokasinya saja.';
        },
        { enableHighAccuracy: true, timeout: 15000 },
      );
    });
  }
  // A kelurahan lies in one kecamatan: choosing it sets the kecamatan, and choosing another
  // kecamatan clears a kelurahan outside it.
  var kec = document.getElementById('location-kecamatan');
  var kel = document.getElementById('location-kelurahan');
  var kecamatanOfKelurahan = function () {
    var o = kel.options[kel.selectedIndex];
    return o && o.parentNode.tagName === 'OPTGROUP' ? o.parentNode.getAttribute('data-kecamatan') : '';
  };
  if (kec && kel) {
    kel.addEventListener('change', function () {
      var k = kecamatanOfKelurahan();
      if (k) kec.value = k;
    });
    kec.addEventListener('change', function () {
      var k = kecamatanOfKelurahan();
      if (k && k !== kec.value) kel.value = '';
    });
  }
  // Photos are checked when chosen, not after minutes of uploading on a weak signal: how many,
  // and how big each is (the server checks both again).
  var f = document.getElementById('photos');
  if (f) {
    var max = Number(f.getAttribute('data-max'));
    var maxBytes = Number(f.getAttribute('data-max-bytes'));
    var maxMb = f.getAttribute('data-max-mb');
    f.addEventListener('change', function () {
      var e = document.getElementById('photos-client-error');
      var tooBig = null;
      for (var i = 0; i < f.files.length; i++) if (maxBytes && f.files[i].size > maxBytes) tooBig = f.files[i];
      if (f.files.length > max) {
        e.textContent = 'Paling banyak ' + max + ' foto. Anda memilih ' + f.files.length + ', silakan pilih ulang.';
        f.value = '';
      } else if (tooBig) {
        e.textContent = 'Foto "' + tooBig.name + '" terlalu besar (' + (tooBig.size / 1024 / 1024).toFixed(1).replace('.', ',') + ' MB). Batasnya ' + maxMb + ' MB per foto; silakan pilih foto lain.';
        f.value = '';
      } else {
        e.textContent = '';
      }
    });
  }

  // Sending can take minutes with photos on a weak signal: say so, and do not let a second tap
  // start the upload again from zero. Back (from an error page) brings the button back.
  var form = document.getElementById('complaint-form');
  var send = document.getElementById('send');
  var sending = document.getElementById('sending');
  if (form && send && sending) {
    var label = send.textContent;
    form.addEventListener('submit', function () {
      // After the draft is kept (restoreUnanswered's listener ran first): a disabled button sends nothing.
      setTimeout(function () {
        send.disabled = true;
        send.textContent = 'Mengirim…';
      }, 0);
      sending.hidden = false;
      sending.textContent = f && f.files && f.files.length ? 'Aduan dan foto sedang dikirim. Bila sinyal lemah, pengiriman bisa memakan waktu beberapa menit; jangan tutup halaman ini.' : 'Aduan sedang dikirim…';
    });
    window.addEventListener('pageshow', function () {
      send.disabled = false;
      send.textContent = label;
      sending.hidden = true;
    });
  }

  // ---------- a complaint whose answer was lost is not typed (or filed) twice ----------
  // On a weak signal a complaint can arrive while its answer does not. Back then shows an empty
  // form (the pages are no-store), and the citizen would type it again and file it twice. So
  // what is sent stays in this tab (sessionStorage) until the thank-you page loads, and a fresh
  // form brings it back under the same Idempotency-Key: sent again, it gets the first ticket if
  // the first one arrived, and is filed now if it did not.
  // A shared computer: the next person in this tab must not find the last citizen's name,
  // number or e-mail, so those are never kept (the citizen types them again or leaves them out:
  // on the page's keys the retry is the same complaint either way), and what is kept is dropped
  // after 15 minutes.
  function restoreUnanswered() {
    var KEY = 'aduan.unanswered';
    var MAX_AGE_MS = 15 * 60 * 1000;
    var NOT_KEPT = { 'reporter.name': true, 'reporter.phone': true, 'reporter.email': true };
    var store;
    try {
      store = window.sessionStorage;
      store.getItem(KEY);
    } catch (_e) {
      return; // storage disabled: the form works as before
    }
    if (document.getElementById('complaint-received')) {
      store.removeItem(KEY);
      return;
    }
    var form = document.getElementById('complaint-form');
    if (!form) return;
    var readSaved = function () {
      try {
        return JSON.parse(store.getItem(KEY) || 'null');
      } catch (_e) {
        return null;
      }
    };
    // `answered`: the server answered with this form again, so nothing was filed under its key.
    var keep = function (answered, photosBefore) {
      var values = {};
      for (var i = 0; i < form.elements.length; i++) {
        var el = form.elements[i];
        if (!el.name || el.type === 'file' || el.name === 'idempotencyKey' || NOT_KEPT[el.name]) continue;
        values[el.name] = el.type === 'checkbox' ? el.checked : el.value;
      }
      var photos = document.getElementById('photos');
      try {
        var reporter = ['reporter.name', 'reporter.phone', 'reporter.email'].some(function (n) {
          return form.elements[n] && form.elements[n].value.trim() !== '';
        });
        var chosen = Math.max(photos && photos.files ? photos.files.length : 0, photosBefore || 0);
        store.setItem(KEY, JSON.stringify({ key: form.elements.idempotencyKey.value, at: Date.now(), values: values, photos: chosen, reporter: reporter, answered: answered }));
      } catch (_e) {
        /* full or refused: nothing kept, as without this script */
      }
    };
    form.addEventListener('submit', function () {
      keep(false);
    });
    // The form sent back with a field to correct, a photo refused or a notice: the post was
    // answered, and this page holds what was sent. What it holds (under its key) is what Back
    // brings again, and the citizen is not told that their complaint may have arrived.
    var text = document.getElementById('text');
    if (document.getElementById('error-summary') || document.getElementById('form-notice')) {
      var before = readSaved();
      if (text.value) keep(true, before && before.photos);
      else store.removeItem(KEY);
      return;
    }
    // Only into a fresh form.
    if (text.value) return;
    var saved = readSaved();
    if (!saved || !saved.values || !saved.values.text || !saved.key || !(Date.now() - saved.at < MAX_AGE_MS)) {
      store.removeItem(KEY);
      return;
    }
    for (var name in saved.values) {
      var field = form.elements[name];
      if (!field || field.type === 'file' || NOT_KEPT[name]) continue;
      if (field.type === 'checkbox') field.checked = saved.values[name] === true;
      else field.value = String(saved.values[name]);
    }
    form.elements.idempotencyKey.value = saved.key;
    if (saved.values['location.lat']) document.getElementById('geo-status').textContent = 'Lokasi Anda sudah ditambahkan.';
    var notice = document.createElement('div');
    notice.className = 'card';
    notice.id = 'unanswered-notice';
    notice.setAttribute('role', 'status');
    notice.tabIndex = -1;
    var p = document.createElement('p');
    p.textContent =
      (saved.answered
        ? 'Aduan Anda belum terkirim. Isian yang tadi kami tampilkan lagi: silakan periksa lalu kirim.'
        : 'Aduan yang Anda kirim tadi belum mendapat jawaban, mungkin karena sinyal. Isiannya kami tampilkan lagi: silakan periksa lalu kirim ulang. Bila ternyata sudah sampai, aduan tidak akan tercatat dua kali.') +
      (saved.photos > 0 ? ' Foto perlu dipilih lagi.' : '') +
      (saved.reporter ? ' Nama, nomor HP, dan email tidak kami simpan di perangkat ini: isi lagi bila perlu.' : '');
    var fresh = document.createElement('button');
    fresh.type = 'button';
    fresh.className = 'secondary';
    fresh.textContent = 'Kosongkan, buat aduan baru';
    fresh.addEventListener('click', function () {
      store.removeItem(KEY);
      window.location.replace('/');
    });
    notice.appendChild(p);
    notice.appendChild(fresh);
    form.parentNode.insertBefore(notice, form);
    notice.focus();
  }
})();
