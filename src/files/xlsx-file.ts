import { stat } from 'node:fs/promises';
import { readWorkbook, WorkbookProblem, type Sheet } from '../loaders/xlsx.js';
import { aliasIndex, headerScore, HEADER_MIN_SCORE, HEADER_SEARCH_ROWS } from '../schemas/headers.js';
import type { SchemaSpec, Profile } from '../schemas/types.js';
import { planFile } from '../validation/plan.js';
import { settleLocale } from '../validation/locale.js';
import { problem } from '../validation/problem.js';
import { RowProcessor } from '../validation/rows.js';
import { FileAccumulator } from './file-accumulator.js';
import { finish } from './csv-file.js';
import type { FileOutcome } from './file-outcome.js';
import { keyIndexFor, type FileJob } from './file-job.js';
import type { Cell } from '../schemas/fields/fail.js';

const DAYS_1904 = 1462;

interface Found { sheet: Sheet; schema: SchemaSpec; headerIndex: number; score: number }

/** The profile's sheet, else the first sheet whose rows name the schema's headers. */
function findHeader(sheets: Sheet[], schemas: SchemaSpec[], profile: Profile): Found | null {
  const wanted = profile.sheet?.toLowerCase();
  for (const sheet of sheets) {
    if (wanted !== undefined && sheet.name.toLowerCase() !== wanted) continue;
    let best: Found | null = null;
    for (const schema of schemas) {
      const index = aliasIndex(schema, profile);
      for (let r = 0; r < Math.min(sheet.rows.length, HEADER_SEARCH_ROWS); r++) {
        if (profile.headerRow !== undefined && r + 1 !== profile.headerRow) continue;
        const row = sheet.rows[r];
        if (!row) continue;
        const score = headerScore(row, index);
        if (score < HEADER_MIN_SCORE && profile.headerRow === undefined) continue;
        if (!best || score > best.score) best = { sheet, schema, headerIndex: r, score };
        break;
      }
    }
    if (best) return best;
  }
  return null;
}

export async function processSpreadsheetFile(job: FileJob, format: 'xls' | 'xlsx'): Promise<FileOutcome> {
  const started = performance.now();
  const size = (await stat(job.path)).size;
  const outcome: FileOutcome = {
    path: job.path, format, schema: job.schema?.name ?? null, schemaGuessed: false,
    rows: 0, validRows: 0, errorCount: 0, warningCount: 0, problems: [], truncated: false, durationMs: 0, bytes: size,
  };
  const fail = (code: WorkbookProblem['code'] | 'missing-header', message: string) => {
    outcome.problems.push(problem(code, 'error', null, null, null, message));
    outcome.errorCount++;
    outcome.durationMs = performance.now() - started;
    return outcome;
  };
  let wb;
  try {
    wb = await readWorkbook(job.path, {
      fileBytes: job.limits.spreadsheetBytes, inflatedBytes: job.limits.spreadsheetInflatedBytes, rows: job.limits.spreadsheetRows,
    });
  } catch (e) {
    if (e instanceof WorkbookProblem) return fail(e.code, e.message);
    throw e;
  }
  const found = findHeader(wb.sheets, job.schema ? [job.schema] : job.candidates, job.profile);
  if (!found) {
    const where = job.profile.sheet ? `sheet '${job.profile.sheet}'` : `any of the sheets (${wb.sheets.map((s) => s.name).join(', ')})`;
    return fail('missing-header', `no header row naming at least two ${job.schema?.name ?? 'schema'} fields in the first 50 rows of ${where}`);
  }
  const { sheet, schema, headerIndex } = found;
  outcome.schema = schema.name;
  outcome.schemaGuessed = job.schema === null;
  outcome.sheet = sheet.name;
  outcome.headerRow = headerIndex + 1;
  const { plan, problems } = planFile({
    schema, profile: job.profile, headerCells: sheet.rows[headerIndex]!, headerRow: headerIndex + 1, merchantId: job.merchantId, speaksFor: job.speaksFor,
    strictCellCount: false, maxProblems: job.maxErrors, emit: job.emit !== null, sourceFile: job.sourceFile, sheet: sheet.name,
  });
  plan.profile = { ...plan.profile, locale: settleLocale(plan, sheet.rows.slice(headerIndex + 1).filter((r): r is Cell[] => r !== undefined)) };
  const keys = await keyIndexFor(job, schema.keyScope, sheet.rows.length - headerIndex, format);
  const acc = new FileAccumulator(plan, job.maxErrors, keys.index, job.emit, job.gzipLevel, keys.sightings);
  for (const p of problems) acc.addProblem({ ...p, sheet: sheet.name });

  // 1904-based workbooks: shift date serials to the 1900 system the normalisers use.
  const dateColumns = wb.date1904
    ? schema.fields.map((f, i) => (f.type === 'date' || f.type === 'timestamp' ? plan.fieldIndex[i] : -1)).filter((c) => c >= 0)
    : [];
  const proc = new RowProcessor(plan);
  const empty: Cell[] = [];
  for (let r = headerIndex + 1; r < sheet.rows.length; r++) {
    const row = sheet.rows[r] ?? empty;
    for (const c of dateColumns) if (typeof row[c] === 'number') row[c] = (row[c] as number) + DAYS_1904;
    // SheetJS turns &#0; and _x0000_ into NUL characters: not text, and PostgreSQL's and
    // Redshift's COPY refuse them, so such a row would fail the whole batch's load later.
    const nul = row.findIndex((c) => typeof c === 'string' && c.includes('\u0000'));
    if (nul >= 0) {
      const fi = plan.fieldIndex.indexOf(nul);
      proc.addProblem({ ...problem('encoding-error', 'error', r + 1, plan.columns[nul] || null, fi >= 0 ? schema.fields[fi].name : null,
        'a NUL character (binary data, not text) in this row'), sheet: sheet.name });
      proc.countBrokenRow(r + 1, row);
      continue;
    }
    proc.process(row, r + 1);
  }
  const res = proc.result();
  await acc.add({ ...res, out: job.emit ? res.out : null });
  await acc.finish();
  return finish(outcome, plan, acc, started);
}
