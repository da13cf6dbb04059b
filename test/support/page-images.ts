import { readFileSync } from 'node:fs';
import { createCanvas, loadImage, type SKRSContext2D } from '@napi-rs/canvas';
import { PDFParse } from 'pdf-parse';
import type { GrayImage } from '../../src/documents/images/image.js';

/** Page images for the image-prep tests: synthetic claim forms drawn with canvas, and the repo's claim PDFs rendered. */

const A4_INCHES = { width: 8.27, height: 11.69 };

/** RGBA (from canvas) to grey, the usual luma weights. */
export function rgbaToGray(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, dpi: number | null): GrayImage {
  const data = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < data.length; i++, j += 4) {
    data[i] = (rgba[j] * 299 + rgba[j + 1] * 587 + rgba[j + 2] * 114 + 500) / 1000;
  }
  return { width, height, data, dpi };
}

export interface FormOptions {
  dpi: number;
  /** Degrees clockwise the content is drawn turned by (a skewed scan). */
  angle?: number;
  /** A bordered item table whose digits touch the cell borders. */
  table?: boolean;
  /** Draw the table's ruling lines (default true): without them, the same page is the ground truth of its text. */
  grid?: boolean;
  /** Text lines of the form (default: a few lines like a claim form's header). */
  lines?: number;
  /** Text size in points. */
  fontPt?: number;
  /** Seed for which words are drawn (to vary pages). */
  seed?: number;
}

const WORDS = ['Nama', 'Pasien', 'Nomor', 'Peserta', 'Tanggal', 'Rawat', 'Inap', 'Jalan', 'Dokter', 'Diagnosa', 'Kamar', 'Obat', 'Total', 'Biaya', 'Klaim', 'Rumah', 'Sakit', 'Harapan', 'Sehat', 'Invoice', 'Amount', 'Rp', '1.250.000', '75.000', '12/03/2026', 'Jl.', 'Merdeka', 'No.', 'Kota'];

/** A synthetic claim form on an A4 page: a letterhead, label/value lines, optionally a ruled item table. */
export function drawForm(options: FormOptions): GrayImage {
  const { dpi } = options;
  const width = Math.round(A4_INCHES.width * dpi);
  const height = Math.round(A4_INCHES.height * dpi);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.translate(width / 2, height / 2);
  ctx.rotate(((options.angle ?? 0) * Math.PI) / 180);
  ctx.translate(-width / 2, -height / 2);
  const pt = dpi / 72;
  const fontPt = options.fontPt ?? 10;
  let seed = options.seed ?? 1;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  ctx.fillStyle = '#000';
  ctx.font = `bold ${Math.round(16 * pt)}px sans-serif`;
  ctx.fillText('RUMAH SAKIT HARAPAN SEHAT', 60 * pt, 80 * pt);
  ctx.font = `${Math.round(fontPt * pt)}px sans-serif`;
  let y = 120 * pt;
  for (let i = 0; i < (options.lines ?? 12); i++) {
    const words: string[] = [];
    const n = 3 + (next() % 6);
    for (let k = 0; k < n; k++) words.push(WORDS[next() % WORDS.length]);
    ctx.fillText(words.join(' '), 60 * pt, y);
    y += fontPt * 1.6 * pt;
  }
  if (options.table) drawTable(ctx, 60 * pt, y + 10 * pt, fontPt * pt, next, options.grid ?? true);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  return rgbaToGray(rgba, width, height, dpi);
}

/** An item table of 8 rows and 5 columns, ruled or not; amounts touch their cell's right and bottom borders. */
function drawTable(ctx: SKRSContext2D, left: number, top: number, fontPx: number, next: () => number, grid: boolean): void {
  const colWidths = [30, 220, 60, 110, 110].map((w) => (w * fontPx) / 10);
  const rowHeight = fontPx * 1.5;
  const rows = 8;
  const right = left + colWidths.reduce((a, b) => a + b, 0);
  ctx.lineWidth = Math.max(1, fontPx / 10);
  ctx.strokeStyle = '#000';
  ctx.font = `${Math.round(fontPx)}px sans-serif`;
  for (let r = 0; r <= rows && grid; r++) {
    ctx.beginPath();
    ctx.moveTo(left, top + r * rowHeight);
    ctx.lineTo(right, top + r * rowHeight);
    ctx.stroke();
  }
  let x = left;
  for (const w of grid ? [0, ...colWidths] : []) {
    x += w;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + rows * rowHeight);
    ctx.stroke();
  }
  for (let r = 0; r < rows; r++) {
    const base = top + (r + 1) * rowHeight - fontPx * 0.3;
    let cx = left;
    for (let c = 0; c < colWidths.length; c++) {
      // Amounts are right-aligned hard against the cell's right border and sit on its bottom border: they touch both.
      const text = c === 0 ? String(r + 1) : c === 1 ? `${WORDS[next() % WORDS.length]} ${WORDS[next() % WORDS.length]}` : c === 2 ? String(1 + (next() % 9)) : `${1 + (next() % 90)}.${String(next() % 1000).padStart(3, '0')}`;
      if (c >= 3) {
        ctx.textAlign = 'right';
        ctx.fillText(text, cx + colWidths[c] - ctx.lineWidth / 2, top + (r + 1) * rowHeight - ctx.lineWidth / 2);
        ctx.textAlign = 'left';
      } else {
        ctx.fillText(text, cx + fontPx * 0.3, base);
      }
      cx += colWidths[c];
    }
  }
}

/** Scanner noise: `share` of the pixels set to a random grey (seeded, so a test is repeatable). */
export function speckle(image: GrayImage, share: number, seed = 7): GrayImage {
  const data = image.data.slice();
  let s = seed;
  const count = Math.round(data.length * share);
  for (let k = 0; k < count; k++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const i = s % data.length;
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[i] = s & 255;
  }
  return { ...image, data };
}

/** Page `page` of a PDF rendered by pdf.js (pdf-parse) at `dpi`. */
export async function renderPdfPage(path: string, dpi: number, page = 1): Promise<GrayImage> {
  const parser = new PDFParse({ data: new Uint8Array(readFileSync(path)), verbosity: 0 });
  try {
    const shot = await parser.getScreenshot({ scale: dpi / 72, imageBuffer: true, imageDataUrl: false, partial: [page] });
    const png = shot.pages[0].data;
    const img = await loadImage(Buffer.from(png));
    const canvas = createCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return rgbaToGray(ctx.getImageData(0, 0, img.width, img.height).data, img.width, img.height, dpi);
  } finally {
    await parser.destroy();
  }
}
