import assert from 'node:assert/strict';

/** Text of exactly n UTF-8 bytes: as many `ch` (2, 3 or 4 bytes) as fit, topped up with ASCII `pad`. */
export function ofBytes(n: number, ch: string, pad = 'x'): string {
  const size = Buffer.byteLength(ch, 'utf8');
  const k = Math.floor(n / size);
  const s = ch.repeat(k) + pad.repeat(n - k * size);
  assert.equal(Buffer.byteLength(s, 'utf8'), n);
  return s;
}

/**
 * Distinct ICD-10 codes, `n3` of 3 characters, `n5` of 5 and `n6` of 6: as a JSON array their
 * text is 1 + 6·n3 + 8·n5 + 9·n6 bytes (169, 0, 1 → 1024; 168, 2, 0 → 1025).
 */
export function icd10Codes(n3: number, n5: number, n6: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n3; i++) out.push(`${'ABCDEFGH'[Math.floor(i / 100)]}${String(i % 100).padStart(2, '0')}`);
  for (let i = 0; i < n5; i++) out.push(`K${String(i).padStart(2, '0')}.1`);
  for (let i = 0; i < n6; i++) out.push(`S${String(i).padStart(2, '0')}.01`);
  return out;
}
