/**
 * The contenders of `bench validate`. Each runs in its own measured child process and comes
 * back as a ContenderResult: status, the four figures, and a line saying what work was done
 * (record counts from the contender itself, so a suspiciously fast run is visible as such).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runMeasured, type Measured } from '../support/measure.js';
import type { ChildLauncher } from '../support/child-scripts.js';
import { int, mb, mibFromKb, tail } from '../support/format.js';

export interface InputFile {
  path: string;
  bytes: number;
  rows: number;
}

export interface Figures {
  wallSeconds: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  peakRssMiB: number | null;
  /** CPU seconds over all threads: above wall time = parallel; far below = waiting/contention. */
  cpuSeconds: number | null;
  /** CPU seconds other processes used meanwhile (see Measured.otherCpuSeconds). */
  otherCpuSeconds: number | null;
}

export interface ContenderResult {
  /** 'a'..'e', or e.g. 'b@4x' for a run on the scaled-up file. */
  key: string;
  name: string;
  input: InputFile;
  status: 'ok' | 'failed' | 'not-available';
  /** Why it failed or is not available. */
  message?: string;
  figures?: Figures;
  /** What the contender reports it did (rows, valid rows, bytes written...). */
  details?: Record<string, unknown>;
  /** One-line human summary of `details`. */
  summary?: string;
}

export interface ContenderContext {
  root: string;
  tmpDir: string;
  timeoutMs: number;
  launcher: ChildLauncher | null;
  /** For normalizeFile; undefined = its own default. */
  threads: number | undefined;
  duckdbThreads: number;
}

function figures(m: Measured, input: InputFile): Figures {
  return {
    wallSeconds: m.wallSeconds,
    rowsPerSecond: input.rows / m.wallSeconds,
    mbPerSecond: input.bytes / 1e6 / m.wallSeconds,
    peakRssMiB: m.maxRssKb === null ? null : mibFromKb(m.maxRssKb),
    cpuSeconds: m.cpuSeconds,
    otherCpuSeconds: m.otherCpuSeconds,
  };
}

function failure(m: Measured, base: Omit<ContenderResult, 'status'>, why?: string): ContenderResult {
  const how = m.timedOut
    ? `timed out (killed after ${Math.round(m.wallSeconds)} s)`
    : m.signal
      ? `killed by ${m.signal}`
      : `exit code ${m.exitCode}`;
  const output = tail(m.stderrTail) || tail(m.stdoutTail);
  return { ...base, status: 'failed', message: `${why ?? how}${output ? '\n' + output : ''}` };
}

const labelOf = (key: string): string => key.replace(/[^a-z0-9]+/gi, '-');

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/** Removes a contender's output file, returning its size first (0 if absent). */
function consume(file: string): number {
  const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  fs.rmSync(file, { force: true });
  return size;
}

/** a. bare csv-parse, counting records. */
export async function floorCsvParse(ctx: ContenderContext, input: InputFile, key = 'a'): Promise<ContenderResult> {
  const base = { key, name: 'csv-parse floor', input };
  if (!ctx.launcher) throw new Error('child launcher not prepared');
  const m = await runMeasured({
    label: labelOf(key),
    args: [...ctx.launcher.argsFor('floor'), input.path],
    cwd: ctx.root,
    tmpDir: ctx.tmpDir,
    timeoutMs: ctx.timeoutMs,
  });
  const result = record(m.result);
  if (m.exitCode !== 0 || !result) return failure(m, base);
  return { ...base, status: 'ok', figures: figures(m, input), details: result, summary: `${int(Number(result.records))} records` };
}

/** b / e. The real CLI: `halo-data validate <file> --schema merchant_inventory --format json`. */
export async function cliValidate(
  ctx: ContenderContext,
  input: InputFile,
  key: string,
  name: string,
): Promise<ContenderResult> {
  const base = { key, name, input };
  const bin = path.join(ctx.root, 'bin', 'halo-data.js');
  if (!fs.existsSync(bin)) return { ...base, status: 'not-available', message: 'bin/halo-data.js missing' };
  const reportFile = path.join(ctx.tmpDir, `${labelOf(key)}-report.json`);
  const m = await runMeasured({
    label: labelOf(key),
    args: [bin, 'validate', input.path, '--schema', 'merchant_inventory', '--format', 'json', '--output-file', reportFile],
    cwd: ctx.root,
    tmpDir: ctx.tmpDir,
    timeoutMs: ctx.timeoutMs,
  });
  // 0 = valid, 1 = validation errors found: both mean the validation ran to the end.
  if (m.exitCode !== 0 && m.exitCode !== 1) return failure(m, base);
  let report: Record<string, unknown> | undefined;
  try {
    report = record(JSON.parse(fs.readFileSync(reportFile, 'utf8')));
  } catch {
    return failure(m, base, `exit code ${m.exitCode} but no readable JSON report at --output-file`);
  } finally {
    fs.rmSync(reportFile, { force: true });
  }
  const files = Array.isArray(report?.files) ? report.files : [];
  const file = record(files[0]);
  const details = { exitCode: m.exitCode, rows: file?.rows, validRows: file?.validRows };
  const summary = `exit ${m.exitCode}, report rows ${fmtMaybe(file?.rows)}, validRows ${fmtMaybe(file?.validRows)}`;
  return { ...base, status: 'ok', figures: figures(m, input), details, summary };
}

const fmtMaybe = (v: unknown): string => (typeof v === 'number' ? int(v) : String(v));

/** c. halo-data's normalizeFile (compiled, from dist/) writing a gzipped normalised CSV. */
export async function haloNormalize(ctx: ContenderContext, input: InputFile, key = 'c'): Promise<ContenderResult> {
  const base = { key, name: 'halo-data normalise+gzip', input };
  const modulePath = path.join(ctx.root, 'dist', 'files', 'normalize-file.js');
  if (!fs.existsSync(modulePath)) {
    return { ...base, status: 'not-available', message: 'dist/files/normalize-file.js missing — run npm run build' };
  }
  if (!ctx.launcher) throw new Error('child launcher not prepared');
  const outFile = path.join(ctx.tmpDir, `${labelOf(key)}-out.csv.gz`);
  const m = await runMeasured({
    label: labelOf(key),
    args: [
      ...ctx.launcher.argsFor('normalize'),
      modulePath,
      input.path,
      outFile,
      ...(ctx.threads === undefined ? [] : [String(ctx.threads)]),
    ],
    cwd: ctx.root,
    tmpDir: ctx.tmpDir,
    timeoutMs: ctx.timeoutMs,
  });
  const outBytes = consume(outFile);
  const result = record(m.result);
  if (m.exitCode !== 0 || !result) return failure(m, base);
  const summary =
    `rows ${fmtMaybe(result.rows)}, valid ${fmtMaybe(result.validRows)}, errors ${fmtMaybe(result.errors)}, ` +
    `wrote ${mb(Number(result.bytesWritten ?? outBytes))} MB gz`;
  return { ...base, status: 'ok', figures: figures(m, input), details: { ...result, outFileBytes: outBytes }, summary };
}

/** d. DuckDB doing the same parse + normalise + gzip. */
export async function duckdbNormalize(ctx: ContenderContext, input: InputFile, key = 'd'): Promise<ContenderResult> {
  const base = { key, name: 'DuckDB parse+normalise+gzip', input };
  if (!ctx.launcher) throw new Error('child launcher not prepared');
  const outFile = path.join(ctx.tmpDir, `${labelOf(key)}-out.csv.gz`);
  const m = await runMeasured({
    label: labelOf(key),
    args: [...ctx.launcher.argsFor('duckdb'), input.path, outFile, String(ctx.duckdbThreads)],
    cwd: ctx.root,
    tmpDir: ctx.tmpDir,
    timeoutMs: ctx.timeoutMs,
  });
  consume(outFile);
  const result = record(m.result);
  if (m.exitCode !== 0 || !result) return failure(m, base);
  const summary =
    `${int(Number(result.rowsWritten))} rows, wrote ${mb(Number(result.bytesWritten))} MB gz, ` +
    `${String(result.threads)} threads, ${String(result.duckdbVersion)}`;
  return { ...base, status: 'ok', figures: figures(m, input), details: result, summary };
}
