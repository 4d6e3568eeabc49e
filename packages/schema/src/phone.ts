/**
 * Normalizes an Indonesian phone number as people write it ("0812-3456-7890", "62812...",
 * "+62 812 3456 7890", "(0342) 801234") into E.164 (+62...). Returns null when it cannot be a
 * phone number. Numbers starting with another country code are kept when written with "+".
 */
export function normalizePhone(input: string): string | null {
  const trimmed = input.trim();
  // Digits and the separators people write between them, nothing else: a letter O typed for a
  // zero ("0812 3456 789O") was dropped, and the rest kept as another, shorter number.
  if (!/^\+?[\d\s()./-]+$/.test(trimmed)) return null;
  const plus = trimmed.startsWith('+');
  const digits = trimmed.replace(/[^\d]/g, '');
  if (digits.length < 8 || digits.length > 15) return null;
  let e164: string;
  // "+62 0812…": the trunk 0 written after the country code is no part of the number.
  if (plus) e164 = `+${digits.startsWith('620') ? `62${digits.slice(3)}` : digits}`;
  else if (digits.startsWith('620')) e164 = `+62${digits.slice(3)}`;
  else if (digits.startsWith('62')) e164 = `+${digits}`;
  else if (digits.startsWith('0')) e164 = `+62${digits.slice(1)}`;
  else if (digits.startsWith('8')) e164 = `+62${digits}`;
  else return null;
  return /^\+[1-9]\d{7,14}$/.test(e164) ? e164 : null;
}

/** An E.164 number as people here read it: "+6281234567890" -> "0812-3456-7890"; other countries as given. */
export function displayPhone(e164: string): string {
  if (!e164.startsWith('+62')) return e164;
  const local = `0${e164.slice(3)}`;
  return [local.slice(0, 4), local.slice(4, 8), local.slice(8)].filter(Boolean).join('-');
}
