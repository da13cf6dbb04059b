/**
 * The page model: what every reader of a claim document sees. A source of words (the PDF's
 * text layer through pdf.js, or OCR for scans) gives positioned words; everything after it
 * (lines, columns, tables, fields) is a pure function of these pages, so a second source
 * plugs in unchanged.
 *
 * Coordinates are PDF points (1/72 inch) with the origin at the page's top-left corner,
 * y growing downwards: the way a person reads a page, and what a template's `region` uses.
 */
export interface Word {
  text: string;
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  w: number;
  h: number;
  /**
   * How sure the source is of the text, 0..1: 1 for a text layer, the engine's own figure
   * for OCR. A reader treats a value built from an unsure word as unsure (needs-review).
   */
  conf: number;
  /**
   * Words drawn by one text-showing operation share a run number (text layer only): a gap
   * inside a run is a typed space, a gap between runs is where the layout put something.
   */
  run?: number;
  /** OCR only: the engine's line the word was read in (words of one line were seen as one text). */
  ocrLine?: number;
}

export interface Page {
  /** 1-based. */
  number: number;
  width: number;
  height: number;
  words: Word[];
  /** Where this page's words came from (a PDF can mix text pages and scanned pages); absent = the document's source. */
  source?: WordSource;
  /** How an OCR'd page was read: for the quality gate, reports and explain. */
  ocr?: OcrPageFacts;
}

export type WordSource = 'text-layer' | 'ocr';

export interface OcrPageFacts {
  engine: string;
  /** The engine's mean word confidence on the page, 0..1. */
  meanConf: number;
  /** The resolution the page was recognised at (after any scaling). */
  dpi: number;
  /** Quarter turns applied to make the text upright (0, 90, 180, 270), and the skew removed, degrees. */
  rotated: 0 | 90 | 180 | 270;
  skew: number;
  /** Why the page cannot be trusted, when it cannot (too small, too blurred): the gates make the claim needs-review with it. */
  unreadable?: string;
}

export interface DocumentPages {
  pages: Page[];
  /** 'mixed': some pages from the text layer, some by OCR (Page.source says which). */
  source: WordSource | 'mixed';
}

export function pageSource(doc: DocumentPages, page: number): WordSource {
  const p = doc.pages[page - 1];
  return p?.source ?? (doc.source === 'mixed' ? 'text-layer' : doc.source);
}
