/**
 * CCITT fax decoding (ITU-T T.4 Modified Huffman and READ, T.6 "G4"), the compressions of
 * bilevel scans: TIFF compression 2 (MH rows, byte-aligned), 3 (T.4, 1-D or 2-D lines after
 * EOLs) and 4 (T.6). Ours and not utif2's: utif2 matches codes by growing a string one bit at
 * a time and never resets it after an invalid code, so a damaged strip costs time quadratic in
 * its length, and a line can grow past the page. Here each mode consumes bits and a line
 * never passes the width: time is linear in the strip, memory one piece.
 *
 * Output: rows of ceil(width / 8) bytes, MSB first, 1 = black (what the codes call black).
 * A strip that ends early (or an EOL where a run is due: the end of a T.4 page) leaves the
 * remaining rows white, as fax viewers do.
 */
import UTIF from 'utif2';

export interface CcittOptions { compression: 2 | 3 | 4; fillOrder: number; t4Options: number }

const MODES: Record<string, string> = {
  '1': 'V0', '011': 'VR1', '000011': 'VR2', '0000011': 'VR3', '010': 'VL1', '000010': 'VL2', '0000010': 'VL3',
  '001': 'H', '0001': 'P', '000000000001': 'EOL',
};
const SHIFT: Record<string, number> = { V0: 0, VR1: 1, VR2: 2, VR3: 3, VL1: -1, VL2: -2, VL3: -3 };

/** Bit strings as numbers: (length << 16) | value, so a code is found with one Map lookup per bit. */
const key = (bits: string) => (bits.length << 16) | parseInt(bits, 2);
const modeTable = new Map(Object.entries(MODES).map(([bits, mode]) => [key(bits), mode]));
/** Run-length codes, white and black, from the standard tables utif2 carries; an EOL where a run is due reads as -1 (the end of the data: RTC). */
const runTables = (() => {
  const lens = (UTIF as unknown as { decode?: { _lens?: Array<Record<string, number>> } }).decode?._lens;
  if (!lens || lens.length !== 2) throw new Error('utif2 changed: its CCITT code tables (UTIF.decode._lens) are gone');
  return lens.map((table) => new Map([...Object.entries(table).map(([bits, run]): [number, number] => [key(bits), run]), [key('000000000001'), -1]]));
})();

class End extends Error {}

class Bits {
  private at = 0;
  constructor(private readonly data: Uint8Array, private readonly lsbFirst: boolean) {}
  next(): number {
    if (this.at >= this.data.length * 8) throw new End();
    const byte = this.data[this.at >> 3];
    const shift = this.lsbFirst ? this.at & 7 : 7 - (this.at & 7);
    this.at++;
    return (byte >> shift) & 1;
  }
  /** A code from `table`, read bit by bit, at most `max` bits long. */
  code<T>(table: Map<number, T>, max: number, what: string): T {
    let value = 0;
    for (let length = 1; length <= max; length++) {
      value = (value << 1) | this.next();
      const found = table.get((length << 16) | value);
      if (found !== undefined) return found;
    }
    throw new Error(`an invalid ${what} code at bit ${this.at}`);
  }
  alignToByte(): void { this.at = Math.ceil(this.at / 8) * 8; }
  /** Consumes fill zeros and an EOL (eleven or more zeros, then a 1) if one is next. */
  skipEol(): boolean {
    const start = this.at;
    let zeros = 0;
    try {
      while (this.next() === 0) zeros++;
    } catch (error) {
      if (!(error instanceof End)) throw error;
    }
    if (zeros >= 11) return true;
    this.at = start;
    return false;
  }
}

export function ccittDecode(src: Uint8Array, width: number, height: number, o: CcittOptions): Uint8Array {
  const rowBytes = Math.ceil(width / 8);
  const out = new Uint8Array(rowBytes * height);
  const bits = new Bits(src, o.fillOrder === 2);
  const twoD = o.compression === 4 || (o.compression === 3 && (o.t4Options & 1) === 1);
  let ref: number[] = [width, width, width];
  try {
    for (let row = 0; row < height; row++) {
      if (o.compression === 3) bits.skipEol();
      const useTwoD = o.compression === 4 || (twoD && bits.next() === 0);
      const changes = useTwoD ? line2d(bits, ref, width) : line1d(bits, width);
      if (changes === null) break; // EOFB
      fill(out, row * rowBytes, changes, width);
      ref = [...changes, width, width, width];
      if (o.compression === 2) bits.alignToByte();
    }
  } catch (error) {
    if (!(error instanceof End)) throw error;
  }
  return out;
}

function run(bits: Bits, colour: number, room: number): number {
  let total = 0;
  for (;;) {
    const length = bits.code(runTables[colour], 13, colour ? 'black run' : 'white run');
    if (length < 0) throw new End();
    total += length;
    if (total > room) throw new Error('a coded line runs past the page width');
    if (length < 64) return total;
  }
}

/** One Modified Huffman line: alternating white and black runs from white. */
function line1d(bits: Bits, width: number): number[] {
  const changes: number[] = [];
  for (let x = 0, colour = 0; x < width; colour ^= 1) {
    x += run(bits, colour, width - x);
    changes.push(x);
  }
  return changes;
}

/** One READ line, coded against the line above (`ref`, its changing elements, then the width thrice). Null at EOFB. */
function line2d(bits: Bits, ref: number[], width: number): number[] | null {
  const changes: number[] = [];
  let a0 = -1;
  let colour = 0;
  let p = 0;
  while (a0 < width) {
    const mode = bits.code(modeTable, 12, 'mode');
    if (mode === 'EOL') return null;
    while (ref[p] <= a0 && p < ref.length - 3) p++;
    const b1i = (p & 1) === colour ? p : p + 1; // b1: the next change on the line above to the colour opposite a0's
    const b1 = ref[b1i];
    const b2 = ref[b1i + 1] ?? width;
    if (mode === 'P') {
      a0 = b2;
    } else if (mode === 'H') {
      const start = Math.max(a0, 0);
      const a1 = start + run(bits, colour, width - start);
      const a2 = a1 + run(bits, colour ^ 1, width - a1);
      changes.push(a1, a2);
      a0 = a2;
    } else {
      const a1 = b1 + SHIFT[mode];
      if (a1 < Math.max(a0, 0) || a1 > width) throw new Error('a coded line runs past the page width');
      changes.push(a1);
      a0 = a1;
      colour ^= 1;
    }
  }
  return changes;
}

/** Black from each even change to the next odd one. */
function fill(out: Uint8Array, rowStart: number, changes: number[], width: number): void {
  for (let k = 0; k < changes.length; k += 2) {
    const end = Math.min(changes[k + 1] ?? width, width);
    for (let x = changes[k]; x < end; x++) out[rowStart + (x >> 3)] |= 0x80 >> (x & 7);
  }
}
