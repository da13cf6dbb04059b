import type { GrayImage } from '../../images/image.js';
import { estimateSkew, quarterTurn, rotate, scaleBy, scaleTo, textDirection, textHeight } from '../../images/prep/index.js';
import { despeckle } from '../../images/prep/despeckle.js';
import { normalPolarity } from '../../images/prep/polarity.js';

/**
 * What OCR needs done to a page image before recognition (src/documents/images/prep/ does
 * it). An interface so that tests can give a page as it is, and so the steps are named in
 * one place.
 */
export interface PagePrep {
  /** Dark text on light paper: a light-on-dark page (an inverted fax) inverted, decided on its margin and its letters. */
  normalPolarity(image: GrayImage): GrayImage;
  /** Isolated specks removed (punctuation kept by where it sits), greyed paper stretched to white. */
  despeckle(image: GrayImage): GrayImage;
  /** Whether text lines run horizontally (upright or upside down) or vertically (a quarter turn). */
  textDirection(image: GrayImage): { horizontal: boolean };
  /** Clockwise quarter turns. */
  quarterTurn(image: GrayImage, turns: 90 | 180 | 270): GrayImage;
  /** Degrees the text lines are turned clockwise; rotate(image, -skew) levels them. */
  estimateSkew(image: GrayImage): number;
  rotate(image: GrayImage, degrees: number): GrayImage;
  /** To the recognition resolution: down when the image is finer, up (bounded) when it is coarser. */
  scaleTo(image: GrayImage, dpi: number): GrayImage;
  /** Capital height in pixels (a high percentile of character-like ink); null when there is none. */
  textHeight(image: GrayImage): number | null;
}

/** Scans coarser than this are brought up to the recognition resolution (small digits in table cells get lost below it), by at most MAX_UPSCALE. */
const MAX_UPSCALE = 2.5;

function toRecognition(image: GrayImage, dpi: number): GrayImage {
  if (!image.dpi || image.dpi <= 0) return image;
  if (image.dpi > dpi * 1.05) return scaleTo(image, dpi);
  if (image.dpi < dpi * 0.9) return scaleBy(image, Math.min(MAX_UPSCALE, dpi / image.dpi));
  return image;
}

/** The steps of src/documents/images/prep/. */
export const defaultPrep: PagePrep = {
  normalPolarity,
  despeckle: (image) => despeckle(image),
  textDirection,
  quarterTurn: (image, turns) => quarterTurn(image, turns),
  estimateSkew,
  rotate: (image, degrees) => rotate(image, degrees),
  scaleTo: toRecognition,
  textHeight,
};
