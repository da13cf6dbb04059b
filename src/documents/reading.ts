import type { Line } from './layout/line.js';
import type { OcrPageFacts, Page, WordSource } from './page.js';

/**
 * What the reader made of one claim document: every field with the label it found and where,
 * the line items with the text lines that formed each, and which reader (the generic one or
 * a template) did it. The gates (gates.ts) judge it; `claims explain` prints it.
 */
export interface Where {
  page: number;
  /** The line's number on its page (Line.no). */
  line: number;
  x: number;
  y: number;
}

export type FoundHow = 'right' | 'below' | 'inline' | 'region' | 'joined' | 'constant' | 'letterhead';

export interface FieldReading {
  field: string;
  /** The printed label the value was read beside (null for a constant). */
  label: string | null;
  labelAt: Where | null;
  /** The value as printed (not yet normalised); null when not found. */
  value: string | null;
  at: Where | null;
  how: FoundHow | null;
  /** Lowest confidence of the words the value came from (1 for a text layer). */
  conf: number;
  /** When not found: where the reader looked (labels tried, the region), for needs-review and explain. */
  looked?: string;
  /** Read by OCR (from a scanned page): `conf` is then the engine's confidence in the least sure word. */
  ocr?: boolean;
}

export type ItemColumn = 'line_no' | 'code' | 'description' | 'quantity' | 'unit_price' | 'amount';

export interface ItemReading {
  page: number;
  values: Partial<Record<ItemColumn, string>>;
  /** The text lines this item was built from (a wrapped description spans several). */
  from: Where[];
  conf: number;
  /** Read by OCR (from a scanned page). */
  ocr?: boolean;
  /**
   * Why the reader is not sure this row is an item as read (a row without quantity and price
   * in a table that has them; a description taken from the lines above the numbers). A total
   * that does not add up is then needs-review, not the document's mistake.
   */
  unsure?: string;
}

export type SkippedKind = 'header' | 'footer' | 'category' | 'subtotal' | 'carried' | 'total' | 'other';

export interface TableReading {
  /** Where each (repeated) header line was found. */
  headers: Where[];
  /** 'other': a column the dictionary does not know (a date, a note); its cells are not part of an item. */
  columns: Array<{ column: ItemColumn | 'other'; header: string; x0: number; x1: number }>;
  /** Lines inside the table that are not items, and why. */
  skipped: Array<{ at: Where; kind: SkippedKind; text?: string }>;
  /** Where the table's total line was (the claimed amount's evidence). */
  end: Where | null;
}

export interface TemplateChoice {
  name: string;
  source: string;
  origin: 'config' | 'built-in' | 'file';
  matched: boolean;
  /** Why it matched or not: keywords found / missing, priority, specificity. */
  why: string;
}

export interface Reading {
  /** 'generic', or the template's name. */
  reader: string;
  /** Set when a template was chosen but its reading failed the gates and the generic reader took over. */
  fellBackFrom?: string;
  candidates: TemplateChoice[];
  /** Why the chosen template (or the generic reader) won. */
  chosenBecause: string;
  source: WordSource | 'mixed';
  pageCount: number;
  /** The pages read by OCR, and how (engine, mean confidence, resolution, turn, skew, why unreadable). */
  ocrPages?: Array<OcrPageFacts & { page: number }>;
  /** The words and lines (empty when read for a batch: only `claims explain` prints them). */
  pages: Page[];
  lines: Line[][];
  fields: Record<string, FieldReading>;
  items: ItemReading[];
  table: TableReading;
  locale: 'id-ID' | 'en-US';
  dateOrder: 'DMY' | 'MDY' | 'YMD';
  /** False when the document's numeric dates could be read day-month or month-day and nothing settles it. */
  dateOrderSure: boolean;
  /** What the amounts' separators said: a style, null (nothing told) or 'mixed' (they disagree: needs-review). */
  numberStyle: 'id-ID' | 'en-US' | null | 'mixed';
}
