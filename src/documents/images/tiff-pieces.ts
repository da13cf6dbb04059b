/**
 * Where a TIFF page's pixels are: its strips (full-width bands of RowsPerStrip rows) or its
 * tiles, each with its place on the page and its byte range, checked against the file.
 */
import { PdfProblem } from '../../loaders/pdf.js';
import { damaged } from './damaged.js';
import type { TiffPage } from './tiff-pages.js';
import { num, type TagValue, type TiffStructure } from './tiff-structure.js';

export interface Piece { x: number; y: number; width: number; height: number; offset: number; count: number }

/** The strips (full-width bands of RowsPerStrip rows) or tiles of a page, each inside the file. */
export function pieces(tiff: TiffStructure, tags: Map<number, TagValue>, page: TiffPage, rowBytes: number, where: string): Piece[] {
  const tiled = tags.has(322);
  const tileW = num(tags, 322) ?? page.width;
  const tileH = (tiled ? num(tags, 323) : Math.min(num(tags, 278) ?? page.height, page.height)) ?? 0;
  if (tileW < 1 || tileH < 1) throw damaged('tiff', `${where} has tiles or strips of size 0`);
  // A tile is decoded whole: one larger than the page (beyond the padding to a usual tile size)
  // would get round the pixel limit, which was checked on the page.
  if (tileW > Math.max(page.width, 1024) || tileH > Math.max(page.height, 1024)) {
    throw new PdfProblem('file-too-large', `${where} is ${page.width} × ${page.height} pixels but its tiles are ${tileW} × ${tileH}`);
  }
  const across = Math.ceil(page.width / tileW);
  const down = Math.ceil(page.height / tileH);
  const offsets = tags.get(tiled ? 324 : 273) as number[] | undefined;
  let counts = tags.get(tiled ? 325 : 279) as number[] | undefined;
  // An uncompressed single strip may omit its byte count (TIFF 6.0 readers infer it).
  if (!counts && !tiled && across * down === 1 && (num(tags, 259) ?? 1) === 1) counts = [page.height * rowBytes];
  if (!Array.isArray(offsets) || !Array.isArray(counts) || offsets.length < across * down || counts.length < across * down) {
    throw damaged('tiff', `${where} lacks the offsets or sizes of its ${tiled ? 'tiles' : 'strips'}`);
  }
  const out: Piece[] = [];
  for (let i = 0; i < across * down; i++) {
    const x = (i % across) * tileW;
    const y = Math.floor(i / across) * tileH;
    const offset = offsets[i];
    const count = Math.min(counts[i], tiff.bytes.length - offset);
    if (offset >= tiff.bytes.length || count <= 0) throw damaged('tiff', `${where}: ${tiled ? 'tile' : 'strip'} ${i + 1} lies past the end of the file`);
    out.push({ x, y, width: tiled ? tileW : page.width, height: tiled ? tileH : Math.min(tileH, page.height - y), offset, count });
  }
  return out;
}
