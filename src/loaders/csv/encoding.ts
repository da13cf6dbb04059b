import iconv from 'iconv-lite';

/**
 * Which text encoding a CSV is in, read from its first bytes: a BOM decides; otherwise
 * bytes that are valid UTF-8 are UTF-8 and anything else is Windows-1252 (what Excel on
 * an Indonesian Windows writes), unless the merchant's profile names an encoding.
 */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | string;

export interface EncodingGuess {
  encoding: Encoding;
  /** Bytes of BOM to skip. */
  bomLength: number;
  /** Why it was chosen, for the report. */
  reason: 'bom' | 'profile' | 'valid-utf8' | 'not-utf8';
}

export class BinaryFileError extends Error {}

/**
 * Text in an encoding halo-data does not read (UTF-32, UTF-16 without a BOM). Still a
 * BinaryFileError (it cannot be read as CSV text), refined so the report says encoding-error
 * and what to do, rather than "binary data".
 */
export class UnsupportedEncodingError extends BinaryFileError {}

export function detectEncoding(sample: Uint8Array, atEof: boolean, profileEncoding?: string): EncodingGuess {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) {
    if (looksBinary(sample.subarray(3))) throw new BinaryFileError('the file holds binary data (NUL or control bytes), not CSV text');
    return { encoding: 'utf-8', bomLength: 3, reason: 'bom' };
  }
  // UTF-32's BOMs before UTF-16's: FF FE 00 00 also starts with the UTF-16LE BOM, and reading
  // UTF-32 as UTF-16 gives text with a NUL between every two characters.
  if ((sample[0] === 0xff && sample[1] === 0xfe && sample[2] === 0 && sample[3] === 0)
    || (sample[0] === 0 && sample[1] === 0 && sample[2] === 0xfe && sample[3] === 0xff)) {
    throw new UnsupportedEncodingError('the file is UTF-32 text, which halo-data does not read: save it as UTF-8 (or UTF-16 with a BOM)');
  }
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2, reason: 'bom' };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2, reason: 'bom' };
  const wide = bomlessWideText(sample);
  if (wide) throw new UnsupportedEncodingError(`the file looks like ${wide} text without a byte-order mark, which cannot be told apart from binary data: save it as UTF-8 (or UTF-16 with a BOM)`);
  if (looksBinary(sample)) throw new BinaryFileError('the file holds binary data (NUL or control bytes), not CSV text');
  if (profileEncoding) {
    const enc = normaliseEncodingName(profileEncoding);
    if (!iconv.encodingExists(enc)) throw new Error(`unknown encoding '${profileEncoding}'`);
    return { encoding: enc, bomLength: 0, reason: 'profile' };
  }
  return isUtf8(sample, atEof) ? { encoding: 'utf-8', bomLength: 0, reason: 'valid-utf8' }
    : { encoding: 'windows-1252', bomLength: 0, reason: 'not-utf8' };
}

export function normaliseEncodingName(name: string): string {
  const n = name.trim().toLowerCase();
  if (n === 'utf8') return 'utf-8';
  if (n === 'cp1252' || n === 'win1252' || n === 'windows1252') return 'windows-1252';
  return n;
}

/**
 * ASCII text in UTF-16 or UTF-32 without a BOM: the NUL bytes sit at fixed positions (every
 * other byte, or three of every four) and the bytes between them are printable or line ends.
 */
function bomlessWideText(sample: Uint8Array): string | null {
  const n = Math.min(sample.length, 4096) & ~3;
  if (n < 8) return null;
  const printable = (b: number) => (b >= 32 && b < 127) || b === 9 || b === 10 || b === 13 || b >= 0xa0;
  // Nine in ten units of that shape: non-ASCII characters (日 is E5 65 in UTF-16LE) break it.
  const test = (width: number, at: number): boolean => {
    let fit = 0, units = 0;
    for (let i = 0; i < n; i += width, units++) {
      let ok = printable(sample[i + at]) && sample[i + at] !== 0;
      for (let k = 0; k < width && ok; k++) if (k !== at && sample[i + k] !== 0) ok = false;
      if (ok) fit++;
    }
    return fit * 10 >= units * 9;
  };
  if (test(4, 0)) return 'UTF-32LE';
  if (test(4, 3)) return 'UTF-32BE';
  if (test(2, 0)) return 'UTF-16LE';
  if (test(2, 1)) return 'UTF-16BE';
  return null;
}

function looksBinary(sample: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i];
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32 && b !== 26) || b === 127) control++;
  }
  return control > 8 && control > sample.length / 100;
}

export function isUtf8(sample: Uint8Array, atEof: boolean): boolean {
  try {
    // stream: true lets a character cut at the end of the sample wait for bytes that never come.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !atEof });
    return true;
  } catch {
    return false;
  }
}

/** Decoder for one chunk of ASCII-compatible bytes. Throws on invalid UTF-8 when fatal. */
export function decodeBytes(bytes: Uint8Array, encoding: Encoding, fatal: boolean): string {
  if (encoding === 'utf-8') return new TextDecoder('utf-8', { fatal, ignoreBOM: true }).decode(bytes);
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding);
}

/** True for encodings whose bytes can be cut at a line feed (everything but UTF-16/32). */
export function isAsciiCompatible(encoding: Encoding): boolean {
  return !/^utf-?(16|32)/i.test(encoding);
}
