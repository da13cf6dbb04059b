/** The one wording of "this image file is broken", so that every header reader says it the same way. */
import { PdfProblem } from '../../loaders/pdf.js';
import type { ImageKind } from './image.js';

export const KIND_NAME: Record<ImageKind, string> = { png: 'PNG', jpeg: 'JPEG', tiff: 'TIFF' };

export function damaged(kind: ImageKind, detail: string): PdfProblem {
  return new PdfProblem('parse-error', `${KIND_NAME[kind]} image is damaged or truncated (${detail})`);
}

/** Pixels per inch rounded to a whole number: pHYs stores 300 dpi as 11811 px/m, which is 299.9994. */
export function roundDpi(dpi: number): number | null {
  return Number.isFinite(dpi) && dpi > 0 ? Math.round(dpi) : null;
}
