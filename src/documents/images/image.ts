/**
 * A page image on its way to OCR: one byte per pixel, 0 = black, 255 = white, row-major,
 * no padding. Grey is all OCR needs (colour photos are converted on decode); one byte per
 * pixel keeps a 300 dpi A4 page at 8.7 MB.
 */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** Pixels per inch, when the file says (PNG pHYs, JPEG JFIF/EXIF density, TIFF resolution) or the renderer knows; else null. */
  dpi: number | null;
}

/** Image file kinds read as claim documents, by their bytes (never by the extension alone). */
export type ImageKind = 'png' | 'jpeg' | 'tiff';

/** What an image file's headers say, read before any pixel is decoded (the pixel limit is checked on it). */
export interface ImageInfo {
  kind: ImageKind;
  /**
   * Size as the page is to be seen: for a JPEG whose EXIF orientation is 5–8 (a phone held
   * upright), width and height are the stored ones swapped, as decode yields them.
   * `orientation` is the EXIF Orientation (2–8) when it is not upright; absent otherwise.
   */
  pages: Array<{ width: number; height: number; dpi: number | null; orientation?: number }>;
}
