import type { ComplaintState } from '@aduan/schema';

/** Bahasa Indonesia messages for field errors on the citizen pages, by field and code. */
const FIELD_MESSAGES: Record<string, Record<string, string>> = {
  text: {
    required: 'Mohon tuliskan isi aduan Anda.',
    too_short: 'Isi aduan terlalu singkat. Mohon ceritakan sedikit lebih rinci (minimal 10 huruf).',
    too_long: 'Isi aduan terlalu panjang (maksimal 5.000 huruf).',
  },
  category: { unknown_category: 'Kategori tidak dikenal. Silakan pilih dari daftar.' },
  'location.kelurahan': {
    unknown_kelurahan: 'Kelurahan tidak ditemukan di Kota Blitar. Silakan pilih dari daftar.',
    kelurahan_not_in_kecamatan: 'Kelurahan ini tidak berada di kecamatan yang Anda pilih.',
  },
  'location.kecamatan': { unknown_kecamatan: 'Kecamatan tidak dikenal. Silakan pilih dari daftar.' },
  'location.lat': {
    lat_lon_together: 'Lokasi dari perangkat belum lengkap. Silakan tekan "Pakai lokasi saya" sekali lagi.',
    invalid_type: 'Lokasi dari perangkat tidak terbaca. Silakan tekan "Pakai lokasi saya" sekali lagi.',
    out_of_range: 'Lokasi dari perangkat tidak terbaca. Silakan tekan "Pakai lokasi saya" sekali lagi.',
  },
  'location.lon': {
    invalid_type: 'Lokasi dari perangkat tidak terbaca. Silakan tekan "Pakai lokasi saya" sekali lagi.',
    out_of_range: 'Lokasi dari perangkat tidak terbaca. Silakan tekan "Pakai lokasi saya" sekali lagi.',
  },
  'location.description': { too_long: 'Keterangan lokasi terlalu panjang (maksimal 500 huruf).' },
  'reporter.phone': { invalid_phone: 'Nomor HP belum benar. Contoh: 0812 3456 7890.' },
  'reporter.email': { invalid_email: 'Alamat email belum benar. Contoh: nama@gmail.com.' },
  'reporter.name': { too_long: 'Nama terlalu panjang (maksimal 120 huruf).' },
  photos: {
    unsupported_media_type: 'Berkas yang dipilih bukan foto. Silakan pilih foto.',
    damaged_photo: 'Foto yang dipilih rusak dan tidak dapat dibaca. Silakan pilih foto itu lagi atau foto lain.',
    payload_too_large: 'Ukuran foto terlalu besar (lebih dari {maxPhotoMb} MB per foto). Silakan pilih foto yang lebih kecil.',
    too_many_files: 'Paling banyak {maxPhotos} foto. Silakan pilih ulang fotonya.',
    // Refused before a byte was read: nothing the citizen typed came with it.
    body_too_large: 'Berkas yang dipilih terlalu besar sehingga aduan belum terkirim. Silakan isi lagi aduan Anda dan pilih foto yang lebih kecil (maksimal {maxPhotoMb} MB per foto).',
    // Not an error of the photos: a browser cannot keep chosen files across a page, so the
    // citizen must choose them again after fixing another field.
    choose_again: 'Foto yang tadi Anda pilih belum terkirim. Setelah memperbaiki isian lain, silakan pilih fotonya lagi.',
  },
};

/** The message, with the form's limits written in where it names them ({maxPhotos}, {maxPhotoMb}). */
export function fieldMessageId(field: string, code: string, limits: Record<string, string> = {}): string {
  const message = FIELD_MESSAGES[field]?.[code] ?? 'Isian ini belum benar. Mohon periksa kembali.';
  return message.replace(/\{(\w+)\}/g, (m, name: string) => limits[name] ?? m);
}

export const STATE_LABELS: Record<ComplaintState, string> = {
  received: 'Diterima, menunggu diteruskan',
  triage: 'Sedang diperiksa petugas untuk diteruskan ke instansi yang tepat',
  routed: 'Diteruskan ke instansi terkait',
  in_progress: 'Sedang ditindaklanjuti',
  resolved: 'Selesai ditangani',
  rejected: 'Tidak dapat ditindaklanjuti',
  external: 'Di luar kewenangan Pemerintah Kota Blitar',
};
