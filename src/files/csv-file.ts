import { open, stat } from 'node:fs/promises';
import { detectEncoding, BinaryFileError, UnsupportedEncodingError } from '../loaders/csv/encoding.js';
import { openTextBytes, readSample, recordChunks, CHUNK_BYTES } from '../loaders/csv/chunks.js';
import { sniffLayout } from '../loaders/csv/sniff.js';
import { planFile, type FilePlan } from '../validation/plan.js';
import { settleLocale } from '../validation/locale.js';
import { problem, type Problem } from '../validation/problem.js';
import { FileAccumulator } from './file-accumulator.js';
import { processChunk, type ChunkResult } from './csv-chunk.js';
import { sortProblems, type FileOutcome } from './file-outcome.js';
import { keyIndexFor, type FileJob } from './file-job.js';
import { ConfigError } from '../errors.js';
import { checkChunk, chunkLines, recordTooLong, unclosedQuote } from './csv-accounting.js';

const SAMPLE_BYTES = 64 * 1024;

export async function processCsvFile(job: FileJob): Promise<FileOutcome> {
  const started = performance.now();
  const size = (await stat(job.path)).size;
  const outcome: FileOutcome = {
    path: job.path, format: 'csv', schema: job.schema?.name ?? null, schemaGuessed: false,
    rows: 0, validRows: 0, errorCount: 0, warningCount: 0, problems: [], truncated: false, durationMs: 0, bytes: size,
  };
  const fail = (code: 'parse-error' | 'encoding-error' | 'missing-header' | 'file-too-large', message: string, row: number | null = null) => {
    outcome.problems.push(problem(code, 'error', row, null, null, message));
    outcome.errorCount++;
    outcome.durationMs = performance.now() - started;
    return outcome;
  };
  if (size > job.limits.csvBytes) return fail('file-too-large', `the file is ${size} bytes; the limit is ${job.limits.csvBytes}`);
  if (size === 0) return fail('parse-error', 'the file is empty (0 bytes)');

  const head = await readHead(job.path, SAMPLE_BYTES);
  let enc;
  try {
    enc = detectEncoding(head, size <= SAMPLE_BYTES, job.profile.encoding);
  } catch (e) {
    if (e instanceof UnsupportedEncodingError) return fail('encoding-error', e.message);
    if (e instanceof BinaryFileError) return fail('parse-error', `${e.message}; is it really a CSV?`);
    throw new ConfigError(`merchant profile: ${(e as Error).message}`);
  }
  outcome.encoding = enc.encoding;
  const sample = await readSample(job.path, enc.encoding, enc.bomLength, SAMPLE_BYTES);
  // Lines ended by CR alone (old Mac exports): the tokenizer splits records on LF only, so a
  // small file would be one header-looking line and pass as "no data rows" with every row lost.
  if (sample.bytes.indexOf(10) < 0 && sample.bytes.indexOf(13) >= 0) {
    return fail('parse-error', 'the lines end with CR only (an old Mac export); only CRLF and LF line ends are read: save the file again as CSV with CRLF or LF');
  }
  const sniffed = sniffLayout({
    sample: sample.bytes, atEof: sample.atEof, encoding: enc.encoding === 'utf-16le' || enc.encoding === 'utf-16be' ? 'utf-8' : enc.encoding,
    schemas: job.schema ? [job.schema] : job.candidates, profile: job.profile,
  });
  if (!sniffed.ok) {
    if (sniffed.reason === 'unclosed-quote') {
      const p = unclosedQuote(sniffed.line, sniffed.atEof ? ' (before any header row)' : ` (not within the first ${SAMPLE_BYTES / 1024} KB, and no header row before it)`);
      return fail('parse-error', p.message, p.row);
    }
    if (sniffed.reason === 'no-line-break') return fail('parse-error', `no line break in the first ${SAMPLE_BYTES / 1024} KB: not a CSV file`);
    return fail('missing-header', job.schema
      ? `no header row naming at least two ${job.schema.name} fields in the first 50 rows`
      : 'no header row that matches a known schema in the first 50 rows; pass --schema');
  }
  const layout = sniffed.layout;
  outcome.schema = layout.schema.name;
  outcome.schemaGuessed = job.schema === null;
  outcome.delimiter = layout.delimiter;
  outcome.headerRow = layout.headerLine;

  const { plan, problems: headerProblems } = planFile({
    schema: layout.schema, profile: job.profile, headerCells: layout.headerCells, headerRow: layout.headerLine,
    merchantId: job.merchantId, speaksFor: job.speaksFor, strictCellCount: true, maxProblems: job.maxErrors, emit: job.emit !== null, sourceFile: job.sourceFile,
  });
  plan.profile = { ...plan.profile, locale: settleLocale(plan, layout.sampleRows) };
  // Rows the file should hold, from the sample's bytes per record.
  const sampleRecords = Math.max(1, layout.sampleRows.length);
  const bytesPerRecord = Math.max(16, (sample.bytes.length - layout.dataStart) / sampleRecords);
  const keys = await keyIndexFor(job, layout.schema.keyScope, sample.atEof ? sampleRecords : size / bytesPerRecord, 'csv');
  const acc = new FileAccumulator(plan, job.maxErrors, keys.index, job.emit, job.gzipLevel, keys.sightings);
  for (const p of headerProblems) acc.addProblem(p);

  const textEncoding = enc.encoding === 'utf-16le' || enc.encoding === 'utf-16be' ? 'utf-8' : enc.encoding;
  const { stream } = openTextBytes(job.path, enc.encoding, enc.bomLength);
  // Small files run inline: starting a worker costs more than reading them. (Letting the main
  // thread read chunks too, to save an isolate, was measured slower: it then feeds the
  // workers late.)
  const chunkBytes = job.csvChunkBytes ?? CHUNK_BYTES;
  const pool = size > chunkBytes ? job.pool() : null;
  const maxInflight = pool ? pool.size * 2 : 1;
  const inflight: Array<{ result: Promise<ChunkResult>; firstRow: number; lines: number; bytes: number }> = [];
  let bytesRead = 0;
  let nextLine = layout.dataStartLine;
  // Set when a line cannot be accounted for (csv-accounting.ts): reading stops, the file is refused.
  let refusal: Problem | null = null;
  const settle = async () => {
    const c = inflight.shift()!;
    const r = await c.result;
    if (refusal) return;
    refusal = checkChunk(r, c.firstRow, c.lines);
    if (!refusal) await acc.add(r);
    bytesRead += c.bytes;
    job.onRead?.(acc.rows, bytesRead);
  };
  try {
    for await (const chunk of recordChunks(stream as AsyncIterable<Buffer>, layout.dataStart, layout.delimiter, chunkBytes, job.limits.csvRecordBytes)) {
      if (chunk.kind === 'too-long') {
        while (inflight.length) await settle();
        refusal ??= recordTooLong(nextLine, job.limits.csvRecordBytes);
        break;
      }
      const task = { plan, bytes: chunk.bytes, encoding: textEncoding, delimiter: layout.delimiter, firstRow: nextLine };
      const lines = chunkLines(chunk.bytes);
      // Its length first: handed to a worker, the buffer is detached.
      const bytes = chunk.bytes.length;
      inflight.push({ result: pool ? pool.run(task, [chunk.bytes.buffer as ArrayBuffer]) : Promise.resolve(processChunk(task)), firstRow: nextLine, lines, bytes });
      nextLine += lines;
      while (inflight.length >= maxInflight) await settle();
      if (refusal) break;
    }
    while (inflight.length) await settle();
  } catch (e) {
    // Settle what is in flight so no rejection goes unhandled, then report the first error.
    await Promise.allSettled(inflight.map((i) => i.result));
    throw e;
  } finally {
    stream.destroy();
  }
  await acc.finish();
  if (refusal) return refused(outcome, refusal, started);
  return finish(outcome, plan, acc, started);
}

/**
 * A file refused whole: no row of it counts (stage leaves it out of the batch, and withdraws
 * rows of it already written: BatchBuilder.withdraw), one problem says where and why.
 */
function refused(outcome: FileOutcome, p: Problem, started: number): FileOutcome {
  outcome.rows = 0;
  outcome.validRows = 0;
  outcome.errorCount = 1;
  outcome.warningCount = 0;
  outcome.problems = [p];
  outcome.truncated = false;
  outcome.durationMs = performance.now() - started;
  return outcome;
}

export function finish(outcome: FileOutcome, plan: FilePlan, acc: FileAccumulator, started: number): FileOutcome {
  if (acc.rows === 0) {
    acc.addProblem(problem('no-data-rows', 'warning', null, null, null, 'the file has a header but no data rows'));
  }
  outcome.rows = acc.rows;
  outcome.validRows = plan.headerFatal ? 0 : acc.validRows;
  outcome.errorCount = acc.problems.errors;
  outcome.warningCount = acc.problems.warnings;
  outcome.problems = sortProblems(acc.problems.kept);
  outcome.truncated = acc.problems.truncated;
  outcome.durationMs = performance.now() - started;
  return outcome;
}

async function readHead(path: string, max: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
