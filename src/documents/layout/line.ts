import type { Word } from '../page.js';

/**
 * A text line rebuilt by position: words on one baseline, left to right, grouped into cells
 * (runs of words with no gap wider than about two spaces between them).
 */
export interface Cell {
  text: string;
  x0: number;
  x1: number;
  words: Word[];
}

export interface Line {
  page: number;
  /** 1-based, in reading order on its page (what explain prints and a report names). */
  no: number;
  /** Top and bottom of the line's box. */
  y0: number;
  y1: number;
  x0: number;
  x1: number;
  /** The cells' texts joined by one space. */
  text: string;
  cells: Cell[];
  /** Lowest word confidence on the line. */
  conf: number;
}
