/**
 * Schemas are plain data (JSON-serialisable) so they can be listed, exported as JSON
 * Schema, loaded from a config file and sent to worker threads, where they are compiled
 * into a normaliser once per file.
 */
export type FieldType = 'string' | 'integer' | 'decimal' | 'date' | 'timestamp' | 'enum' | 'string[]';

export interface FieldSpec {
  name: string;
  type: FieldType;
  description?: string;
  required?: boolean;
  /** Personal data: the value never appears in any output, log or message. */
  personal?: boolean;
  /** Header spellings that map to this field (matched case/space/underscore-insensitively). */
  aliases: string[];
  /** decimal(precision, scale). */
  precision?: number;
  scale?: number;
  /** Inclusive lower bound for numbers. */
  min?: number;
  /** Exclusive lower bound for numbers (claimed_amount > 0). */
  exclusiveMin?: number;
  /** Extra checks on a string (or on each item of a string[]). */
  format?: 'barcode' | 'icd10';
  /** When the format check fails: 'error' rejects the row; 'warning' keeps the row with null. */
  formatSeverity?: 'error' | 'warning';
  /** enum: canonical values with the spellings that mean them. */
  enum?: Record<string, string[]>;
  lowercase?: boolean;
  uppercase?: boolean;
  /** Items of a string[] are split on these characters. */
  separators?: string;
  /** Value used when the cell is empty (e.g. currency IDR). */
  default?: string;
  /**
   * string, string[] and enum: the most UTF-8 BYTES the canonical value may take (string[]:
   * its stored JSON array text). The same number is the warehouse column's VARCHAR width
   * (Amazon Redshift counts VARCHAR(n) in bytes), so a longer value is a row's
   * constraint-error here, never a failed load.
   */
  maxBytes?: number;
  /**
   * string[] with a format: the only items accepted (an insurer's ICD-10 list, from the
   * config), and where the list came from, for messages. Unset: any well-formed item.
   */
  allowed?: { source: string; items: string[] };
}

export type RowRule =
  /** `field` must be >= `other` when both are present (dates or numbers). */
  | { kind: 'gte'; field: string; other: string; message: string }
  /** `field` must be <= `other` when both are present. */
  | { kind: 'lte'; field: string; other: string; message: string }
  /** At least one of `fields` must be present. */
  | { kind: 'oneOf'; fields: string[]; message: string };

export interface SchemaSpec {
  name: string;
  version: number;
  description: string;
  fields: FieldSpec[];
  /** Fields whose combination must be unique. */
  key: string[];
  /** 'file': unique within one file; 'run': unique across every file of one run. */
  keyScope: 'file' | 'run';
  rules?: RowRule[];
  /** Which loaders can feed this schema. */
  formats: Array<'csv' | 'xls' | 'xlsx' | 'pdf' | 'image'>;
}

export type Locale = 'id-ID' | 'en-US' | 'auto';
export type DateOrder = 'DMY' | 'MDY' | 'YMD';

/** A merchant's (or an issuer's) profile: how to read its files. */
export interface Profile {
  locale: Locale;
  dateOrder?: DateOrder;
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  /** 1-based row of the header, when it should not be found automatically. */
  headerRow?: number;
  /** More header spellings per canonical field. */
  aliases?: Record<string, string[]>;
  /** IANA zone (or +07:00) for naive timestamps. */
  timezone: string;
}

export const DEFAULT_PROFILE: Profile = { locale: 'id-ID', timezone: 'Asia/Jakarta' };
