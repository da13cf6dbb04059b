/**
 * The TIFF container, read defensively: byte order, the chain of IFDs (image file directories,
 * one per page) and the tags of one IFD. Used for TIFF files and for the EXIF block of a JPEG
 * (EXIF is a TIFF structure inside an APP1 segment). Every offset is checked against the end
 * of the bytes and the IFD chain against loops, because utif2's own walk trusts both and spins
 * forever on an IFD that points back to itself.
 */
import { PdfProblem } from '../../loaders/pdf.js';
import { damaged } from './damaged.js';
import type { ImageKind } from './image.js';

export type TagValue = number[] | Array<[number, number]> | Uint8Array | string[];

/** More IFDs than this is not a claim but an attack on the header walk (each page costs memory before any limit is applied). */
export const MAX_IFDS = 65_536;

/** Bytes per value of each TIFF field type (TIFF 6.0 §2, plus 13 = IFD offset). */
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

export class TiffStructure {
  readonly le: boolean;
  private readonly view: DataView;

  /** `base` is where the TIFF header starts in `bytes` (0 for a file, after "Exif\0\0" in a JPEG); TIFF offsets count from it. */
  constructor(readonly bytes: Uint8Array, readonly kind: ImageKind, readonly base = 0) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.need(base, 8, 'the TIFF header');
    const order = String.fromCharCode(bytes[base], bytes[base + 1]);
    if (order !== 'II' && order !== 'MM') throw damaged(kind, `byte order "${order}" is neither II nor MM`);
    this.le = order === 'II';
    const magic = this.u16(base + 2);
    if (magic === 43) {
      throw new PdfProblem('parse-error', 'TIFF image is a BigTIFF, which halo-data does not read; save it as a standard TIFF, PDF or PNG');
    }
    if (magic !== 42) throw damaged(kind, `TIFF magic number is ${magic}, not 42`);
  }

  u16(at: number): number { return this.view.getUint16(at, this.le); }
  u32(at: number): number { return this.view.getUint32(at, this.le); }

  /** Absolute offsets of every IFD in the chain, in order. */
  ifdOffsets(limit = MAX_IFDS): number[] {
    const offsets: number[] = [];
    const seen = new Set<number>();
    let next = this.u32(this.base + 4);
    while (next !== 0) {
      if (seen.has(next)) throw damaged(this.kind, `the directory chain loops back to offset ${next}`);
      if (offsets.length >= limit) {
        throw new PdfProblem('file-too-large', `the ${this.kind.toUpperCase()} has more than ${limit} pages`);
      }
      seen.add(next);
      const at = this.ifdAt(next);
      offsets.push(at);
      next = this.u32(at + 2 + 12 * this.u16(at));
    }
    return offsets;
  }

  /** Absolute offset of the IFD at TIFF offset `offset`, after checking that the whole directory lies inside the bytes. */
  ifdAt(offset: number): number {
    const at = this.base + offset;
    this.need(at, 2, `the directory at offset ${offset}`);
    this.need(at, 2 + 12 * this.u16(at) + 4, `the directory at offset ${offset}`);
    return at;
  }

  /** The tags of the IFD at absolute offset `at` (only `wanted` ones when given); unknown field types are skipped, as TIFF 6.0 asks. */
  tags(at: number, wanted?: ReadonlySet<number>): Map<number, TagValue> {
    const out = new Map<number, TagValue>();
    const count = this.u16(at);
    for (let i = 0; i < count; i++) {
      const entry = at + 2 + 12 * i;
      const tag = this.u16(entry);
      if (wanted && !wanted.has(tag)) continue;
      const type = this.u16(entry + 2);
      const size = TYPE_SIZE[type];
      if (size === undefined) continue;
      const n = this.u32(entry + 4);
      const valueAt = size * n <= 4 ? entry + 8 : this.base + this.u32(entry + 8);
      this.need(valueAt, size * n, `tag ${tag}`);
      out.set(tag, this.values(type, valueAt, n));
    }
    return out;
  }

  private values(type: number, at: number, n: number): TagValue {
    const v = this.view;
    if (type === 1 || type === 7) return this.bytes.subarray(at, at + n);
    if (type === 2) {
      const raw = this.bytes.subarray(at, at + n);
      const end = raw.indexOf(0);
      return [String.fromCharCode(...raw.subarray(0, end < 0 ? n : end).subarray(0, 4096))];
    }
    if (type === 5 || type === 10) {
      const read = type === 5 ? (o: number) => v.getUint32(o, this.le) : (o: number) => v.getInt32(o, this.le);
      return Array.from({ length: n }, (_, j): [number, number] => [read(at + 8 * j), read(at + 8 * j + 4)]);
    }
    const size = TYPE_SIZE[type];
    const read: (o: number) => number = {
      3: (o: number) => v.getUint16(o, this.le), 4: (o: number) => v.getUint32(o, this.le), 6: (o: number) => v.getInt8(o),
      8: (o: number) => v.getInt16(o, this.le), 9: (o: number) => v.getInt32(o, this.le), 11: (o: number) => v.getFloat32(o, this.le),
      12: (o: number) => v.getFloat64(o, this.le), 13: (o: number) => v.getUint32(o, this.le),
    }[type]!;
    return Array.from({ length: n }, (_, j) => read(at + size * j));
  }

  private need(at: number, length: number, what: string): void {
    if (at < 0 || at + length > this.bytes.length) throw damaged(this.kind, `${what} runs past the end of the file`);
  }
}

/** First number of a numeric tag, or undefined. */
export function num(tags: Map<number, TagValue>, tag: number): number | undefined {
  const v = tags.get(tag);
  return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : undefined;
}

/** First rational of a tag as a number, or undefined (also for a zero denominator). */
export function rational(tags: Map<number, TagValue>, tag: number): number | undefined {
  const v = tags.get(tag);
  const r = Array.isArray(v) ? v[0] : undefined;
  return Array.isArray(r) && r[1] !== 0 ? r[0] / r[1] : typeof r === 'number' ? r : undefined;
}

/** Pixels per inch from XResolution (282) and ResolutionUnit (296: 1 none, 2 inch — the default, 3 cm). */
export function tiffDpi(tags: Map<number, TagValue>): number | null {
  const x = rational(tags, 282);
  const unit = num(tags, 296) ?? 2;
  if (x === undefined || unit === 1) return null;
  return unit === 3 ? x * 2.54 : x;
}
