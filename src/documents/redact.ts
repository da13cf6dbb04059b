import type { Reading } from './reading.js';
import { parseDateText } from '../schemas/fields/dates.js';
import { FieldFail } from '../schemas/fields/fail.js';
import { DICTIONARY } from './read/dictionary.js';

/**
 * Masking by value. Once a document's personal values are read (whatever a template says it
 * read them as), no text about the document may quote them: every message, explain line,
 * reject and log line passes through the mask this builds. A field-based mask alone is not
 * enough: a template that points claim_id at the patient's name line would otherwise print
 * the name as a claim id.
 *
 * The values masked are those read beside any personal field's label (the dictionary's and
 * the template's: personal.ts reads them whatever the template does), in every form they are
 * likely to be written: as printed, in any case, a name's words, a date in the other common
 * formats, a member number with its spaces or dots taken out.
 */
export const PERSONAL_FIELDS = ['member_id', 'patient_name', 'patient_dob'] as const;

const BULAN = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
const MONTH = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number) => String(n).padStart(2, '0');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every form a personal value is likely to be written in. */
export function personalForms(field: string, value: string): string[] {
  const v = value.trim();
  if (v.length < 2) return [];
  if (field === 'form') return [v]; // already one of the forms (claim.ts, maskOf)
  const forms = new Set<string>([v]);
  if (field === 'patient_name') {
    // A name's own words (a surname alone in a message is still the person), but not words a
    // form prints anyway: a misread name can hold a neighbouring label's words.
    for (const w of v.split(/[\s,.()]+/)) if (w.length >= 4 && /^\p{L}+$/u.test(w) && !COMMON_WORDS.has(w.toLowerCase())) forms.add(w);
  }
  if (field === 'member_id') {
    forms.add(v.replace(/[\s.\-/]/g, ''));
  }
  if (field === 'patient_dob') {
    for (const order of ['DMY', 'MDY'] as const) {
      const d = parseDateText(v, order);
      if (d instanceof FieldFail) continue;
      const { y, m, d: day } = d;
      for (const f of [`${y}-${pad(m)}-${pad(day)}`, `${pad(day)}/${pad(m)}/${y}`, `${pad(day)}-${pad(m)}-${y}`, `${pad(day)}.${pad(m)}.${y}`,
        `${day} ${BULAN[m - 1]} ${y}`, `${pad(day)} ${BULAN[m - 1]} ${y}`, `${day} ${MONTH[m - 1]} ${y}`, `${pad(day)} ${MONTH[m - 1]} ${y}`,
        `${day} ${MONTH[m - 1].slice(0, 3)} ${y}`, `${pad(day)} ${MONTH[m - 1].slice(0, 3)} ${y}`, `${pad(day)}-${MONTH[m - 1].slice(0, 3)}-${y}`, `${day}-${MONTH[m - 1].slice(0, 3)}-${y}`,
        `${pad(day)}-${BULAN[m - 1].slice(0, 3)}-${y}`, `${pad(day)} ${BULAN[m - 1].slice(0, 3)} ${y}`, `${day} ${BULAN[m - 1].slice(0, 3)} ${y}`, `${pad(m)}/${pad(day)}/${y}`, `${y}/${pad(m)}/${pad(day)}`]) forms.add(f);
    }
  }
  return [...forms];
}

/** Words of the labels and titles forms print (never masked on their own). */
const COMMON_WORDS = new Set(Object.values(DICTIONARY.fields).concat(Object.values(DICTIONARY.columns), [DICTIONARY.other, DICTIONARY.totals, DICTIONARY.subtotals])
  .flat().flatMap((l) => l.toLowerCase().split(/[\s.():/-]+/)).filter((w) => w.length >= 4)
  .concat(['rawat', 'inap', 'jalan', 'rumah', 'sakit', 'klinik', 'clinic', 'hospital', 'dokter', 'pasien', 'nama', 'asuransi', 'kartu', 'peserta', 'lahir', 'tanggal']));

export type Mask = (text: string) => string;

/** `***(n)`: a masked value shows only its length. */
export const masked = (value: string): string => `***(${value.length})`;

export function maskFor(values: Array<{ field: string; value: string }>): Mask {
  const forms = [...new Set(values.flatMap((v) => personalForms(v.field, v.value)))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (t) => t;
  // One pass, longest form first, case-insensitive, never inside a longer word or number.
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${forms.map((f) => escapeRe(f).replace(/\s+/g, '\\s+')).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text) => (text ? text.replace(re, (m) => masked(m)) : text);
}

/** The mask of a reading: its personal fields' values and every value read beside a personal label. */
export function maskOfReading(reading: Reading, alsoRead: Array<{ field: string; value: string }> = []): Mask {
  const values: Array<{ field: string; value: string }> = [...alsoRead];
  for (const f of PERSONAL_FIELDS) {
    const v = reading.fields[f]?.value;
    if (v) values.push({ field: f, value: v });
  }
  return maskFor(values);
}
