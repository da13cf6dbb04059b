import type { SchemaSpec, Profile, FieldSpec } from '../schemas/types.js';
import { KeyIndex } from '../validation/keys.js';
import type { WorkerPool } from './worker-pool.js';
import type { ChunkTask, ChunkResult } from './csv-chunk.js';
import type { RowSink } from './file-accumulator.js';
import type { PdfTask, PdfResult } from './pdf-worker.js';
import type { ClaimSetup } from '../documents/claim.js';
import { MAX_RECORD_BYTES } from '../loaders/csv/chunks.js';

/** Everything a format driver needs to validate (and maybe normalise) one file. */
export interface FileJob {
  path: string;
  /** Fixed schema, or null to guess it among `candidates` from the headers. */
  schema: SchemaSpec | null;
  candidates: SchemaSpec[];
  profile: Profile;
  merchantId?: string;
  /** Other merchants a file of merchantId may hold rows of (its source's speaksFor). */
  speaksFor?: string[];
  /** The config's list of accepted ICD-10 codes (claim PDFs apply it to claim_pdf). */
  icd10Codes?: FieldSpec['allowed'];
  maxErrors: number;
  /** Normalised rows go here (stage); null when only validating. */
  emit: RowSink | null;
  gzipLevel?: number;
  /** Key index shared by every file of a run (claims); `turn` resolves when this file may use it. */
  runKeys: RunKeys | null;
  /** Worker threads for large CSVs; null when the main thread is the only reader. */
  pool: () => WorkerPool<ChunkTask, ChunkResult> | null;
  /** Worker threads that read PDFs. */
  pdfPool: () => WorkerPool<PdfTask, PdfResult>;
  /** Claim documents: the templates (built in, from the config) and the label dictionary. */
  claims: ClaimSetup;
  /** Name written into each normalised row. */
  sourceFile: string;
  limits: Limits;
  /** Bytes per CSV chunk (default CHUNK_BYTES): the tests make it small to cut files in many places. */
  csvChunkBytes?: number;
  /** Told, as a CSV is read, its rows and bytes read so far (progress: counts only). */
  onRead?: (rows: number, bytes: number) => void;
}

export interface RunKeys {
  index: KeyIndex;
  turn: () => Promise<void>;
  /** Where keys were first seen in this run: the index stores a sighting id, this says what it was. */
  sightings: Sightings;
}

/** File and row of each first sighting of a run-scoped key (claims: a few per file). */
export class Sightings {
  private files: string[] = [];
  private fileOf: number[] = [];
  private rowOf: number[] = [];
  /** A 1-based id for the index (0 means empty there). */
  add(file: string, row: number): number {
    let f = this.files.lastIndexOf(file);
    if (f < 0) f = this.files.push(file) - 1;
    this.fileOf.push(f);
    this.rowOf.push(row);
    return this.fileOf.length;
  }
  describe(id: number, format: string | null): string {
    const file = this.files[this.fileOf[id - 1]];
    return format === 'pdf' || format === 'image' ? file : `${file}, row ${this.rowOf[id - 1]}`;
  }
}

/** The key index for a file: the run's (after waiting its turn) or a fresh one. */
export interface FileKeys {
  index: KeyIndex;
  sightings: { ids: Sightings; file: string; format: string | null } | null;
}

export async function keyIndexFor(job: FileJob, keyScope: 'file' | 'run', expectedRows: number, format: string): Promise<FileKeys> {
  if (keyScope === 'run' && job.runKeys) {
    await job.runKeys.turn();
    return { index: job.runKeys.index, sightings: { ids: job.runKeys.sightings, file: job.sourceFile, format } };
  }
  // Sized for the rows the file should hold, so a large file never rehashes a full table.
  return { index: new KeyIndex(Math.min(Math.ceil(expectedRows * 1.05), 1 << 26)), sightings: null };
}

export interface Limits {
  /** Bytes of a CSV file. */
  csvBytes: number;
  /** Bytes of one CSV record: a record with no end within them refuses the file (an unclosed quote, or not a CSV). */
  csvRecordBytes: number;
  /** Bytes of a spreadsheet file on disk. */
  spreadsheetBytes: number;
  /** Bytes a spreadsheet inflates to (XLSX is a ZIP): counted while inflating, never trusted from headers. */
  spreadsheetInflatedBytes: number;
  /** Rows of a spreadsheet sheet. */
  spreadsheetRows: number;
  pdfBytes: number;
  pdfPages: number;
  /** Time to read one PDF before its worker is killed (a hostile PDF must not hang a run). */
  pdfSeconds: number;
  /** Time to recognise one scanned page (OCR) before its worker is killed. */
  ocrPageSeconds: number;
  /** Pixels of one page of an image file or of a scanned PDF page as rendered: checked in the headers, before decoding. */
  imagePixels: number;
}

export const DEFAULT_LIMITS: Limits = {
  csvBytes: 8 * 1024 ** 3,
  csvRecordBytes: MAX_RECORD_BYTES,
  spreadsheetBytes: 100 * 1024 ** 2,
  spreadsheetInflatedBytes: 512 * 1024 ** 2,
  spreadsheetRows: 2_000_000,
  pdfBytes: 50 * 1024 ** 2,
  pdfPages: 200,
  pdfSeconds: 30,
  ocrPageSeconds: 60,
  // 6,000 × 6,000: an A4 page at 600 dpi is 35 MP; decoding takes 4 bytes a pixel for a moment.
  imagePixels: 36_000_000,
};
