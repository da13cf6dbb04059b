/**
 * Which image kind a file is, by its first bytes: a claim arrives as `scan.pdf` that is a JPEG,
 * or `bill.png` that is a TIFF, and the name says nothing we can trust.
 */
import type { ImageKind } from './image.js';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const TIFF_LE = [0x49, 0x49, 0x2a, 0x00]; // "II*\0"
const TIFF_BE = [0x4d, 0x4d, 0x00, 0x2a]; // "MM\0*"
/** BigTIFF ("II+\0" / "MM\0+"): recognised as TIFF so that info.ts can refuse it by name. */
const BIGTIFF_LE = [0x49, 0x49, 0x2b, 0x00];
const BIGTIFF_BE = [0x4d, 0x4d, 0x00, 0x2b];

const startsWith = (head: Uint8Array, magic: number[]) => head.length >= magic.length && magic.every((b, i) => head[i] === b);

/** The kind of image these bytes start with, or null when they are not a PNG, JPEG or TIFF. At most 8 bytes are read. */
export function imageKind(head: Uint8Array): ImageKind | null {
  if (startsWith(head, PNG)) return 'png';
  if (startsWith(head, JPEG)) return 'jpeg';
  if ([TIFF_LE, TIFF_BE, BIGTIFF_LE, BIGTIFF_BE].some((m) => startsWith(head, m))) return 'tiff';
  return null;
}
