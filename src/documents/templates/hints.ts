import type { ItemColumn } from '../reading.js';

/**
 * What a template tells the reader, where the generic reader (dictionary + layout) is not
 * enough. Every key is optional: a template with only `identify` and `constants` still reads
 * by the dictionary.
 */
export interface Box {
  /** 1-based; absent = every page. */
  page?: number;
  /** Points from the page's top-left corner. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface FieldHint {
  /** Labels printed for this field: these replace the dictionary's for it. */
  labels?: string[];
  /** Where the value is relative to its label: right of it on the same line, on the line below, or either. */
  position?: 'right' | 'below' | 'any';
  /** Read only words inside this box (the label, when printed inside it, is removed). */
  region?: Box;
  /** What the value looks like; a `(?<value>…)` group takes part of it. */
  pattern?: string;
  /** Every label of this field that is found contributes: values joined with ", " (primary + secondary diagnosis). */
  join?: boolean;
}

export interface TableHint {
  /** Header words that mark the table's header line (all must be on it). */
  header?: string[];
  /** Header texts per column, replacing the dictionary's. */
  columns?: Partial<Record<ItemColumn, string[]>>;
  /** An item row spans this many text lines (default: found from the layout). */
  rowLines?: number;
  /** Legacy: a regular expression over a row's text with named groups per column. */
  row?: string;
  /** Lines starting with these end the table (the total line). */
  end?: string[];
  /** Lines starting with these are not items (subtotals, category rows). */
  skip?: string[];
}

export interface Hints {
  name: string;
  source: string;
  locale: 'id-ID' | 'en-US';
  dateOrder: 'DMY' | 'MDY' | 'YMD';
  fields: Record<string, FieldHint>;
  /** Printed labels that are not read: they end a value beside them. */
  otherLabels: string[];
  /** insurance_claim fields the document does not print. */
  constants: Record<string, string>;
  table: TableHint;
}
