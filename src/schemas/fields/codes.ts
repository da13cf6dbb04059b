/** GS1 barcodes and ICD-10 codes. */

const GS1_LENGTHS = new Set([8, 12, 13, 14]);

/** True when `digits` (8, 12, 13 or 14 digits) ends in a correct GS1 check digit. */
export function gs1Valid(digits: string): boolean {
  if (!GS1_LENGTHS.has(digits.length)) return false;
  let sum = 0;
  // Weights 3,1,3,1... from the digit left of the check digit, moving left.
  for (let i = digits.length - 2, w = 3; i >= 0; i--, w = 4 - w) {
    const c = digits.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    sum += c * w;
  }
  const check = digits.charCodeAt(digits.length - 1) - 48;
  return check >= 0 && check <= 9 && (10 - (sum % 10)) % 10 === check;
}

export type BarcodeCheck = { ok: true; value: string } | { ok: false; reason: string };

export function checkBarcode(text: string): BarcodeCheck {
  // The usual case in one pass: 8, 12, 13 or 14 digits, no spaces, a right check digit.
  if (GS1_LENGTHS.has(text.length) && gs1Valid(text)) return { ok: true, value: text };
  const s = text.trim();
  if (!/^\d+$/.test(s)) return { ok: false, reason: 'is not all digits' };
  if (!GS1_LENGTHS.has(s.length)) return { ok: false, reason: `has ${s.length} digits (a GS1 barcode has 8, 12, 13 or 14)` };
  if (!gs1Valid(s)) return { ok: false, reason: 'has a wrong GS1 check digit' };
  return { ok: true, value: s };
}

/**
 * A barcode stored as a spreadsheet number has lost its leading zeros: put back the
 * fewest zeros that give a valid GS1 code (012345678905 stored as 12345678905).
 */
export function barcodeFromNumber(n: number): BarcodeCheck {
  if (!Number.isInteger(n) || n < 0 || n >= 1e15) return { ok: false, reason: 'is not a whole number of 8 to 14 digits' };
  const s = String(n);
  // A short number is not a barcode that lost a few zeros.
  if (s.length < 6) return checkBarcode(s);
  for (const len of [8, 12, 13, 14]) {
    if (len >= s.length) {
      const padded = s.padStart(len, '0');
      if (gs1Valid(padded)) return { ok: true, value: padded };
    }
  }
  return checkBarcode(s);
}

/**
 * WHO ICD-10 (what Indonesia codes claims in, INA-CBG/BPJS): a category is a letter and two
 * DIGITS (A00-Z99; U for special purposes, e.g. U07.1), optionally a dot and a subdivision:
 * one digit (the 4th character, J18.9), or two where WHO's optional 5th-character
 * subclassifications apply (S72.00 closed / S72.01 open fracture; M chapter sites). Letters
 * in digit places (K3O with the letter O, ICD-10-CM's C4A.0) or ICD-10-CM's 7-character
 * codes (S72.001A), dagger/asterisk marks and trailing dots are refused: a code that might be
 * misread is an error, never a guess. The dot may be left out (J189 is J18.9: the category is
 * always three characters, so that reading is exact).
 */
const ICD10 = /^([A-Z][0-9]{2})(?:\.?([0-9]{1,2}))?$/;

/** The longest canonical code (A00.00): well inside the warehouse's VARCHAR(16) for one code. */
export const ICD10_MAX_LENGTH = 6;

/** J18.9, j18.9 and J189 give J18.9; A09 stays A09; null when it is not a WHO ICD-10 code. */
export function normaliseIcd10(text: string): string | null {
  const m = ICD10.exec(text.trim().toUpperCase());
  if (!m) return null;
  return m[2] ? `${m[1]}.${m[2]}` : m[1];
}
