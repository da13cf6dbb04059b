/**
 * TIFF LZW (TIFF 6.0 §13: MSB-first codes of 9 to 12 bits, Clear = 256, EOI = 257, the code
 * width growing one code early as libtiff does). Ours and not utif2's, because utif2's loops
 * forever on a damaged stream (a code past the table walks an undefined chain). Output stops
 * at `expected` bytes, so time and memory are bounded by the page whatever the input says.
 */
export function lzwDecode(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  const prefix = new Int32Array(4096).fill(-1);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  const first = new Uint8Array(4096);
  for (let i = 0; i < 256; i++) { suffix[i] = i; length[i] = 1; first[i] = i; }
  let next = 258;
  let width = 9;
  let old = -1;
  let o = 0;
  const add = (p: number, c: number) => {
    if (next >= 4096) return;
    prefix[next] = p; suffix[next] = c; length[next] = length[p] + 1; first[next] = first[p];
    next++;
    if (next >= (1 << width) - 1 && width < 12) width++;
  };
  const emit = (code: number) => {
    const end = o + length[code];
    for (let c = code, k = end - 1; c >= 0; c = prefix[c], k--) if (k < expected) out[k] = suffix[c];
    o = end;
  };
  for (let bit = 0; bit + width <= src.length * 8 && o < expected; ) {
    const at = bit >> 3;
    const code = (((src[at] << 16) | (src[at + 1] << 8) | src[at + 2]) >> (24 - (bit & 7) - width)) & ((1 << width) - 1);
    bit += width;
    if (code === 257) break;
    if (code === 256) { next = 258; width = 9; old = -1; continue; }
    if (old === -1) {
      if (code > 255) throw new Error(`LZW code ${code} right after a Clear code`);
      emit(code);
    } else if (code < next) {
      add(old, first[code]);
      emit(code);
    } else if (code === next) {
      add(old, first[old]);
      emit(code);
    } else {
      throw new Error(`LZW code ${code} is past the table (${next})`);
    }
    old = code;
  }
  return out;
}
