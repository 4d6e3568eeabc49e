// The citizen form's optional extras; the form works without them. Served as /form.js, so the
// pages' Content-Security-Policy can allow scripts from this origin only.
/* global document */
(function () {
  'use strict';
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
  var f = document.getElementById('photos');
  if (f) {
    var max = Number(f.getAttribute('data-max'));
    f.addEventListener('change', function () {
      var e = document.getElementById('photos-client-error');
      if (f.files.length > max) {
        e.textContent = 'Maksimal ' + max + ' foto.';
        f.value = '';
      } else {
        e.textContent = '';
      }
    });
  }
})();
