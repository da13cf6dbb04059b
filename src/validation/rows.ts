import type { FilePlan } from './plan.js';
import { compileField, isEmptyCell, cellText, type FieldNormalizer } from '../schemas/normalize-field.js';
import { FieldFail, type Cell } from '../schemas/fields/fail.js';
import { LocaleState, compareDecimal } from '../schemas/fields/number.js';
import { ProblemSink, problem, type Problem } from './problem.js';
import { KeyList, KeyHasher } from './keys.js';

export interface KeyEntries { h1: Uint32Array; h2: Uint32Array; rows: Int32Array; valid: Uint8Array; length: number }
import { csvField } from '../batch/csv-out.js';

const FOOTER_WORDS = new Set(['TOTAL', 'JUMLAH', 'GRAND TOTAL', 'SUBTOTAL', 'SUB TOTAL']);

/** What a row processor hands back for one chunk (or a whole file). Row numbers may be relative. */
export interface RowsResult {
  rows: number;
  validRows: number;
  /** Records that are not data: blank and footer rows (reported as warnings, never counted as rows). */
  skipped: number;
  errors: number;
  warnings: number;
  problems: Problem[];
  /** Key hashes of rows whose key is complete, with their rows (and output line, when emitting). */
  keys: KeyEntries;
  /** Normalised CSV lines of the valid rows, UTF-8, '\n'-terminated (when the plan emits). */
  out: Uint8Array;
  /** How many lines `out` holds. */
  outLines: number;
  /** For each out line, its index in keys (or -1): lets the caller drop a duplicate's line. */
  outKey: Int32Array;
  /** Rejected rows as NDJSON (when the plan emits), personal fields masked. */
  rejects: Uint8Array;
  rejectLines: number;
}

/** What a masked personal value shows in a rejects file. */
export const MASK = '***';

/**
 * Validates and normalises rows, one call per row. Compiled once per file: one normaliser
 * per field, no per-row allocation beyond the output values.
 */
export class RowProcessor {
  private readonly norms: FieldNormalizer[];
  private readonly sink: ProblemSink;
  private readonly keyFields: number[];
  private readonly keyList = new KeyList();
  private readonly hasher = new KeyHasher();
  private readonly out = new OutputBuffer();
  private readonly rejects = new OutputBuffer();
  /** Error codes of the row being read (for its reject record). */
  private readonly rowCodes: string[] = [];
  private outKey: Int32Array = new Int32Array(1024);
  private readonly values: Array<string | null>;
  private readonly rules: Array<{ kind: string; field: number; other: number; fields: number[]; message: string }>;
  private readonly quoteValues: boolean[];
  private readonly headerWidth: number;
  /** Only free text can hold a comma, quote or line break; other canonical values never need quoting. */
  private readonly freeText: boolean[];
  private readonly sourceField: string;
  /** The merchants this file may hold rows of (its folder's, and those it speaks for), or null: any. */
  private readonly merchants: Set<string> | null;
  private readonly merchantField: number;
  rows = 0;
  validRows = 0;
  skipped = 0;

  constructor(private readonly plan: FilePlan) {
    const locale = new LocaleState(plan.profile.locale);
    const pos = new Map(plan.schema.fields.map((f, i) => [f.name, i]));
    // Canonical text is needed for output, keys and row rules; other fields are only checked.
    const needed = new Set<string>(plan.schema.key);
    for (const r of plan.schema.rules ?? []) (r.kind === 'oneOf' ? r.fields : [r.field, r.other]).forEach((f) => needed.add(f));
    this.merchantField = pos.get('merchant_id') ?? -1;
    this.merchants = plan.merchants && this.merchantField >= 0 ? new Set(plan.merchants) : null;
    if (this.merchants) needed.add('merchant_id');
    this.norms = plan.schema.fields.map((f) => compileField(f, plan.profile, locale, !plan.emit && !needed.has(f.name)));
    this.sink = new ProblemSink(plan.maxProblems);
    this.keyFields = plan.schema.key.map((k) => pos.get(k)!);
    this.values = new Array(plan.schema.fields.length).fill(null);
    this.rules = (plan.schema.rules ?? []).map((r) => r.kind === 'oneOf'
      ? { kind: r.kind, field: -1, other: -1, fields: r.fields.map((f) => pos.get(f)!), message: r.message }
      : { kind: r.kind, field: pos.get(r.field)!, other: pos.get(r.other)!, fields: [], message: r.message });
    // Values of personal fields never go into a message.
    this.quoteValues = plan.schema.fields.map((f) => !f.personal);
    this.headerWidth = plan.columns.length;
    this.sourceField = csvField(plan.sourceFile);
    this.freeText = plan.schema.fields.map((f) => (f.type === 'string' && f.format === undefined) || f.type === 'string[]');
  }

  private columnName(fi: number): string | null {
    const col = this.plan.fieldIndex[fi];
    return col >= 0 ? this.plan.columns[col] || null : null;
  }

  private report(code: Problem['code'], severity: Problem['severity'], row: number, fi: number, message: string): void {
    const p = problem(code, severity, row, fi >= 0 ? this.columnName(fi) : null, fi >= 0 ? this.plan.schema.fields[fi].name : null, message);
    this.addProblem(p);
  }

  /** A problem found by the loader (parse or encoding errors) or by a check of its own. */
  addProblem(p: Problem): void {
    if (this.plan.sheet && p.sheet === undefined) p.sheet = this.plan.sheet;
    if (p.severity === 'error' && !this.rowCodes.includes(p.code)) this.rowCodes.push(p.code);
    this.sink.add(p);
  }

  /** Counts a row that the loader could not read as a row at all; it is rejected. */
  countBrokenRow(row: number, cells: readonly Cell[] | null): void {
    this.rows++;
    if (this.plan.emit) this.writeReject(cells ?? [], row);
    this.rowCodes.length = 0;
  }

  process(cells: readonly Cell[], row: number): void {
    const plan = this.plan;
    // Blank and footer rows are not data.
    let first = -1;
    for (let i = 0; i < cells.length; i++) if (!isEmptyCell(cells[i])) { first = i; break; }
    if (first < 0) { this.skipped++; this.report('blank-row', 'warning', row, -1, 'blank row skipped'); return; }
    if (mayBeFooter(cells[first]) && FOOTER_WORDS.has(cellText(cells[first]).trim().toUpperCase().replace(/\s+/g, ' ').replace(/:$/, '')) && this.keyIsEmpty(cells)) {
      this.skipped++;
      this.report('footer-row', 'warning', row, -1, 'footer row (totals) skipped');
      return;
    }
    this.rows++;
    this.rowCodes.length = 0;
    if (!this.readRow(cells, row) && plan.emit) this.writeReject(cells, row);
  }

  /** Checks and normalises one data row; true when it is valid (and emitted). */
  private readRow(cells: readonly Cell[], row: number): boolean {
    const plan = this.plan;
    if (plan.strictCellCount) {
      if (cells.length < this.headerWidth) {
        const p = problem('missing-cell', 'error', row, plan.columns[cells.length] || null, null,
          `row has ${cells.length} cells but the header has ${this.headerWidth}; the first missing is '${plan.columns[cells.length]}'`);
        const fi = plan.fieldIndex.indexOf(cells.length);
        if (fi >= 0) p.field = plan.schema.fields[fi].name;
        this.addProblem(p);
        return false;
      }
      for (let i = this.headerWidth; i < cells.length; i++) {
        if (!isEmptyCell(cells[i])) {
          this.report('extra-cell', 'error', row, -1, `row has a value in column ${i + 1}, beyond the header's ${this.headerWidth} columns`);
          return false;
        }
      }
    }
    if (plan.headerFatal) {
      this.rowCodes.push('missing-header');
      return false;
    }
    const before = this.sink.errors;
    const fields = plan.schema.fields;
    const values = this.values;
    for (let fi = 0; fi < fields.length; fi++) {
      const col = plan.fieldIndex[fi];
      const cell: Cell = col >= 0 ? cells[col] : plan.constants[fi];
      if (isEmptyCell(cell)) {
        const def = fields[fi].default ?? null;
        values[fi] = def;
        // A field without a column was settled by the header check (missing-header, once).
        if (def === null && fields[fi].required && col >= 0) {
          this.report('required-error', 'error', row, fi, `${fields[fi].name} is required but empty`);
        }
        continue;
      }
      const r = this.norms[fi](cell);
      if (r instanceof FieldFail) {
        const f = fields[fi];
        const warn = r.code === 'constraint-error' && f.formatSeverity === 'warning';
        const shown = !r.quoteValue ? '' : this.quoteValues[fi] ? `'${truncate(cellText(cell))}' ` : 'value (hidden: personal data) ';
        this.report(r.code, warn ? 'warning' : 'error', row, fi, `${f.name} ${shown}${r.message}`);
        values[fi] = null;
      } else {
        values[fi] = r;
      }
    }
    if (this.merchants !== null) this.checkMerchant(values[this.merchantField], row);
    for (const rule of this.rules) {
      if (rule.kind === 'oneOf') {
        if (rule.fields.every((fi) => values[fi] === null)) {
          const fi = rule.fields[rule.fields.length - 1];
          this.report('required-error', 'error', row, fi, rule.message);
        }
        continue;
      }
      const a = values[rule.field], b = values[rule.other];
      if (a === null || b === null) continue;
      const type = fields[rule.field].type;
      const cmp = type === 'decimal' || type === 'integer' ? compareDecimal(a, b) : a < b ? -1 : a > b ? 1 : 0;
      if (rule.kind === 'gte' ? cmp < 0 : cmp > 0) this.report('constraint-error', 'error', row, rule.field, rule.message);
    }
    let keyIdx = -1;
    let keyOk = true;
    const hasher = this.hasher;
    hasher.reset();
    for (let k = 0; k < this.keyFields.length; k++) {
      const v = values[this.keyFields[k]];
      if (v === null) { keyOk = false; break; }
      hasher.add(v);
    }
    const ok = this.sink.errors === before;
    if (keyOk) {
      hasher.finish();
      keyIdx = this.keyList.length;
      this.keyList.push(hasher.h1, hasher.h2, row, ok);
    }
    if (!ok) return false;
    this.validRows++;
    if (plan.emit) this.emit(values, row, keyIdx);
    return true;
  }

  /**
   * A file from a merchant's folder (or given --merchant) holds that merchant's rows, or those
   * of merchants its source says it speaks for (a chain's head office): a row naming another
   * merchant would otherwise be stored as that merchant's.
   */
  private checkMerchant(id: string | null, row: number): void {
    if (id === null || this.merchants!.has(id)) return;
    const [own, ...others] = this.plan.merchants!;
    const may = others.length ? `${own}, or ${others.join(', ')} that its source's speaksFor lists` : own;
    this.report('merchant-mismatch', 'error', row, this.merchantField,
      `merchant_id '${truncate(id)}' is not the merchant this file comes from (${may})`);
  }

  /**
   * A rejected row for the batch's rejects file: where it is, why, and its cells by field,
   * personal fields masked (the rejects file is output like any other).
   */
  private writeReject(cells: readonly Cell[], row: number): void {
    const plan = this.plan;
    const values: Record<string, string> = {};
    plan.schema.fields.forEach((f, fi) => {
      const col = plan.fieldIndex[fi];
      if (col < 0 || col >= cells.length) return;
      const text = cellText(cells[col]);
      values[f.name] = f.personal ? (text.trim() ? MASK : '') : text.length > 500 ? text.slice(0, 500) + '…' : text;
    });
    const record = { file: plan.sourceFile, ...(plan.sheet ? { sheet: plan.sheet } : {}), row, codes: [...this.rowCodes], values };
    this.rejects.add(JSON.stringify(record) + '\n');
  }

  private keyIsEmpty(cells: readonly Cell[]): boolean {
    for (const fi of this.keyFields) {
      const col = this.plan.fieldIndex[fi];
      if (col >= 0 && !isEmptyCell(cells[col])) return false;
    }
    return true;
  }

  private emit(values: Array<string | null>, row: number, keyIdx: number): void {
    let line = '';
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== null) line += this.freeText[i] ? csvField(v) : v;
      line += ',';
    }
    line += this.sourceField + ',' + row + '\n';
    const n = this.out.lines;
    if (n === this.outKey.length) {
      const grown = new Int32Array(this.outKey.length * 2); grown.set(this.outKey); this.outKey = grown;
    }
    this.outKey[n] = keyIdx;
    this.out.add(line);
  }

  result(): RowsResult {
    const k = this.keyList;
    return {
      rows: this.rows, validRows: this.validRows, skipped: this.skipped, errors: this.sink.errors, warnings: this.sink.warnings,
      problems: this.sink.kept,
      keys: {
        h1: k.h1.subarray(0, k.length), h2: k.h2.subarray(0, k.length), rows: k.rows.subarray(0, k.length),
        valid: k.valid.subarray(0, k.length), length: k.length,
      },
      out: this.out.finish(), outLines: this.out.lines, outKey: this.outKey.subarray(0, this.out.lines),
      rejects: this.rejects.finish(), rejectLines: this.rejects.lines,
    };
  }
}

/**
 * Output lines go straight into UTF-8 bytes as they are made: keeping a chunk's lines as
 * strings until the end made the young-generation GC copy every one of them.
 */
class OutputBuffer {
  // allocUnsafeSlow: never Node's shared pool, so the bytes can be transferred to another thread.
  // Empty until the first line: validate never writes one.
  private buf = Buffer.allocUnsafeSlow(0);
  private used = 0;
  lines = 0;

  add(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (this.used + line.length * 3 > this.buf.length) this.grow(this.used + line.length * 3);
    this.used += this.buf.write(line, this.used, 'utf8');
    this.lines++;
  }

  private grow(need: number): void {
    let size = Math.max(1 << 20, this.buf.length * 2);
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }

  /** The bytes, in a buffer of their own (transferable). */
  finish(): Uint8Array {
    const out = Buffer.allocUnsafeSlow(this.used);
    this.buf.copy(out, 0, 0, this.used);
    return out;
  }
}

/** Cheap first test: footer words start with T, J, G or S. */
function mayBeFooter(cell: Cell): boolean {
  if (typeof cell !== 'string') return false;
  let i = 0;
  while (i < cell.length && cell.charCodeAt(i) <= 32) i++;
  const c = cell.charCodeAt(i) | 32;
  return c === 116 || c === 106 || c === 103 || c === 115;
}

function truncate(s: string): string {
  const t = s.replace(/[\r\n\t]+/g, ' ');
  return t.length > 60 ? t.slice(0, 57) + '...' : t;
}
