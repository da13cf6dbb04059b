/**
 * `npm run bench -- ocr`: scanned claims through the real CLI (issue 19's Benchmark section).
 *
 * Throughput: `halo-data validate <dir> --schema claim_pdf --format json` over N and K×N
 * scanned pages (ocr/scan-set.ts: one-page claims, each with its own id, rendered at 300 dpi;
 * PNG, or image-only PDFs with --input pdf), each in its own process with the OCR worker
 * threads on the cores: wall, CPU, pages/s, cpu ms/page, peak RSS of the process (the workers
 * are threads of it), the K×N/N RSS ratio, and the verdicts.
 *
 * Accuracy: the scanned fixtures of fixtures/generate-scans.ts (made into bench/.data/, cached),
 * `halo-data claims test <dir> --format json` over them, per variant (clean-150, clean-300,
 * noise-300, skew-300, photo, rot180, tiff, image-only and mixed PDFs): fields and lines right,
 * verdicts, and scans accepted as valid with a wrong amount; beside each, the text-layer
 * reading of the same source documents, in the same run.
 *
 * Goals: >= 1 page/s at N on 2 cores, peak RSS at K×N <= 1.2x at N, >= 95 % of fields right on
 * 300 dpi scans, 0 scans accepted with a wrong amount. Exit 1 when one is missed, 2 on bad flags.
 */
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchLayouts } from './generate/claim-pdfs.js';
import { DATA_DIR } from './generate/cache.js';
import { runMeasured, machineBusyShare, type Measured } from './support/measure.js';
import { makeTempDir, removeAtExit, removeNow, trackChild } from './support/cleanup.js';
import { layoutOutcomes, formatOutcome, type LayoutOutcome } from './pdf/outcomes.js';
import { parseClaimsTestReport, type ClaimsTestDocument } from './pdf/accuracy.js';
import { scanSet, onePageLayouts, layoutOfScan, type ScanKind, type ScanSet } from './ocr/scan-set.js';
import { variantRows, textLayerRow, fieldsAtDpi, formatVariantTable, share, scanKey, type VariantRow } from './ocr/variants.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/halo-data.js');
const GOAL_RATE = 1;
const GOAL_FLAT = 1.2;
const GOAL_FIELDS_300 = 0.95;
export const DEFAULT_VARIANTS = ['clean-150', 'clean-300', 'noise-300', 'skew-300', 'photo', 'rot180-300', 'tiff-300', 'image-only-300', 'mixed-300'];

const USAGE = `npm run bench -- ocr [--n N (20)] [--k K (2)] [--threads T (2)] [--input png|pdf] [--no-accuracy] [--no-throughput]
                    [--variants v1,v2 (${DEFAULT_VARIANTS.join(',')})] [--sources s1,s2]

  --n N            scanned pages in the first throughput run (one-page claims, 300 dpi)
  --k K            the second run reads K×N of them: peak RSS must stay flat
  --threads T      worker threads of the CLI (HALO_DATA_THREADS); also how many claims test folders are read at once
  --input KIND     png (default) or pdf (image-only PDFs of the same pages)
  --no-accuracy    skip the accuracy table (claims test on the scanned fixtures)
  --no-throughput  skip the throughput runs
  --variants LIST  the scan variants of the accuracy table (<variant>-<dpi>, or photo)
  --sources LIST   the source documents of the accuracy table (default: all of fixtures/generate-scans.ts)
`;

interface Row { set: ScanSet; m: Measured; files: number; valid: number; review: number; outcomes: LayoutOutcome[]; ocrPages: number }

const mib = (m: Measured) => (m.maxRssKb === null ? NaN : m.maxRssKb / 1024);

/** What a validate --format json report says, file by file: valid, needs-review, and pages read by OCR. */
export function summariseValidate(report: { files?: Array<{ validRows?: number; errors?: Array<{ code?: string }>; problems?: Array<{ code?: string }>; ocr?: { pages?: unknown[] } }> }): { files: number; valid: number; review: number; ocrPages: number } {
  let valid = 0, review = 0, ocrPages = 0;
  const files = report.files ?? [];
  for (const f of files) {
    const codes = [...(f.errors ?? []), ...(f.problems ?? [])].map((e) => e.code);
    if ((f.validRows ?? 0) > 0 && (f.errors ?? []).length === 0) valid++;
    if (codes.includes('needs-review')) review++;
    ocrPages += Array.isArray(f.ocr?.pages) ? f.ocr!.pages!.length : 0;
  }
  return { files: files.length, valid, review, ocrPages };
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: {
      n: { type: 'string', default: '20' }, k: { type: 'string', default: '2' }, threads: { type: 'string', default: '2' },
      input: { type: 'string', default: 'png' }, 'no-accuracy': { type: 'boolean' }, 'no-throughput': { type: 'boolean' },
      variants: { type: 'string' }, sources: { type: 'string' }, help: { type: 'boolean' },
    } }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) { process.stdout.write(USAGE); return 0; }
  const n = Number(values.n), k = Number(values.k);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 1 || !/^[1-9]\d*$/.test(values.threads!) || !['png', 'pdf'].includes(values.input!)) {
    process.stderr.write(`--n, --k and --threads must be whole numbers >= 1, --input png or pdf\n${USAGE}`);
    return 2;
  }
  const variants = values.variants ? values.variants.split(',').filter(Boolean) : DEFAULT_VARIANTS;
  const bad = variants.filter((v) => !/^(photo|[a-z][a-z0-9-]*-\d+)$/.test(v));
  if (bad.length) { process.stderr.write(`--variants: ${bad.join(', ')} is not <variant>-<dpi> or photo\n${USAGE}`); return 2; }
  const out = (s: string) => process.stdout.write(s);
  const tmp = makeTempDir('halo-bench-ocr-');
  const env = { HALO_DATA_THREADS: values.threads! };

  out(`halo-data bench: ocr\n\nEnvironment:\n  node ${process.version} on ${os.platform()}-${os.arch()}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim()})\n`);
  out(`  CPUs busy before start: ${Math.round((await machineBusyShare(1000)) * 100)}% (other processes; a run they slow is flagged "noisy")\n`);
  out(`  worker threads: ${values.threads}\n  ${ocrEngineLine()}\n`);

  const checks: Array<[string, string, boolean]> = [];
  if (!values['no-throughput']) await throughput(out, tmp, n, k, values.input as ScanKind, env, checks);
  if (!values['no-accuracy']) await accuracy(out, tmp, variants, values.sources?.split(',').filter(Boolean), Number(values.threads), checks);

  out('\nGoals (issue 19):\n');
  for (const [what, goal, ok] of checks) out(`  ${what.padEnd(66)} ${goal.padEnd(16)} ${ok ? 'met' : 'MISSED'}\n`);
  return checks.every((c) => c[2]) ? 0 : 1;
}

/** `doctor`'s OCR line when the CLI has one (engine and languages), else a note. */
function ocrEngineLine(): string {
  const r = spawnSync(process.execPath, [BIN, 'doctor'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const line = `${r.stdout}`.split('\n').find((l) => /\bocr\b/i.test(l));
  return line ? `doctor: ${line.trim()}` : 'doctor has no OCR line';
}

async function throughput(out: (s: string) => void, tmp: string, n: number, k: number, kind: ScanKind, env: Record<string, string>,
  checks: Array<[string, string, boolean]>): Promise<void> {
  const { layouts, note } = await benchLayouts();
  const { kept, left } = await onePageLayouts(layouts);
  out(`\nThroughput inputs: N = ${n}, K = ${k}; one-page claims at 300 dpi as ${kind === 'png' ? 'grey PNG (dpi in pHYs)' : 'image-only PDFs'}, ${kept.length} layouts in turn (${note}; ${left.length ? `left out, more than one page: ${left.join(', ')}` : 'none left out'}):\n  ${kept.map((l) => l.name).join(', ')}\n`);
  // The K×N set first; the N set links its first N files.
  const big = await scanSet(n * k, kept, kind);
  const sets: ScanSet[] = [await scanSet(n, kept, kind, big), big];
  for (const set of sets) {
    out(`  ${String(set.count).padStart(5)} pages: ${(set.bytes / 1e6).toFixed(1)} MB (${Math.round(set.bytes / set.count / 1000)} kB each on average), ${set.dir} (${set.cached ? 'cached' : set.linked === set.count ? 'linked from the larger set' : `generated in ${set.seconds.toFixed(1)} s`})\n`);
  }

  const rows: Row[] = [];
  for (const set of sets) {
    const label = `ocr-${rows.length}`;
    const report = path.join(tmp, `${label}.json`);
    const m = await runMeasured({
      label, args: [BIN, 'validate', set.dir, '--schema', 'claim_pdf', '--format', 'json', '--output-file', report, '--quiet'],
      cwd: ROOT, tmpDir: tmp, timeoutMs: 60 * 60_000, env,
    });
    let s = { files: 0, valid: 0, review: 0, ocrPages: 0 }, outcomes: LayoutOutcome[] = [];
    try {
      const r = JSON.parse(fs.readFileSync(report, 'utf8'));
      s = summariseValidate(r);
      outcomes = layoutOutcomes(r, layoutOfScan);
    } catch {
      out(`  ${set.count} pages: no report (exit ${m.exitCode}${m.timedOut ? ', timed out' : ''}): ${m.stderrTail.trim().split('\n').slice(-3).join(' | ')}\n`);
    }
    rows.push({ set, m, ...s, outcomes });
  }

  out('\nThroughput (wall: the whole process, start-up included; cpu: all its threads; peak RSS: the process, OCR worker threads included):\n');
  out(`  ${'pages'.padStart(6)} ${'wall s'.padStart(7)} ${'cpu s'.padStart(7)} ${'pages/s'.padStart(8)} ${'cpu ms/page'.padStart(11)} ${'peak RSS'.padStart(12)}   valid / needs-review / files\n`);
  for (const r of rows) {
    const noisy = (r.m.otherCpuSeconds ?? 0) > 1 ? `  (noisy: other processes used ${r.m.otherCpuSeconds!.toFixed(1)} CPU-s)` : '';
    const cpuMs = r.m.cpuSeconds === null ? NaN : (1000 * r.m.cpuSeconds) / r.set.count;
    out(`  ${String(r.set.count).padStart(6)} ${r.m.wallSeconds.toFixed(1).padStart(7)} ${(r.m.cpuSeconds ?? NaN).toFixed(1).padStart(7)} ${(r.set.count / r.m.wallSeconds).toFixed(2).padStart(8)} ${cpuMs.toFixed(0).padStart(11)} ${mib(r.m).toFixed(1).padStart(8)} MiB   ${r.valid} / ${r.review} / ${r.files}${noisy}\n`);
  }
  const cpuPerPage = rows[0].m.cpuSeconds === null ? NaN : rows[0].m.cpuSeconds / rows[0].set.count;
  out(`  2 cores give at most ${(2 / cpuPerPage).toFixed(2)} pages/s at ${(1000 * cpuPerPage).toFixed(0)} cpu ms/page (start-up included)\n`);
  out('\nPer layout (the K×N run):\n');
  for (const o of rows[1].outcomes) out(`  ${formatOutcome(o)}\n`);

  const [a, b] = rows;
  const rate = a.set.count / a.m.wallSeconds;
  const flat = mib(b.m) / mib(a.m);
  checks.push([`${rate.toFixed(2)} pages/s at ${a.set.count} pages`, `>= ${GOAL_RATE} page/s`, rate >= GOAL_RATE]);
  checks.push([`peak RSS at ${b.set.count} / at ${a.set.count} pages: ${flat.toFixed(2)}x`, `flat: <= ${GOAL_FLAT}x`, flat <= GOAL_FLAT]);
}

/** What the accuracy part needs of fixtures/generate-scans.ts (helper h19fix's generator). */
interface ScansModule {
  generateScans(o: { out: string; sources?: string[]; variants?: string[]; dpis?: number[] }): Promise<Array<{ path: string; source: string; variant: string; dpi: number; pages: number }>>;
  scanSources(): Array<{ name: string; pdf: string; expected: object }>;
}

/** The scanned fixtures asked for, cached in bench/.data/ocr-fixtures-<hash>/ (the generator's source, variants and sources in the hash). */
async function scanFixtures(mod: ScansModule, variants: string[], sources: string[] | undefined): Promise<{ dir: string; cached: boolean; seconds: number }> {
  const hash = createHash('sha256').update(JSON.stringify({ variants, sources }));
  const kit = path.join(ROOT, 'fixtures/scan-kit');
  for (const f of [path.join(ROOT, 'fixtures/generate-scans.ts'), ...(fs.existsSync(kit) ? fs.readdirSync(kit).sort().map((x) => path.join(kit, x)) : [])]) hash.update(fs.readFileSync(f));
  const dir = path.join(DATA_DIR, `ocr-fixtures-${hash.digest('hex').slice(0, 8)}`);
  if (fs.existsSync(dir)) return { dir, cached: true, seconds: 0 };
  const started = performance.now();
  const tmp = removeAtExit(`${dir}.tmp-${process.pid}`);
  try {
    // One call per resolution (the generator crosses variants with dpis); the photo has its own.
    const byDpi = new Map<number, string[]>();
    for (const v of variants) {
      const m = /^(.+)-(\d+)$/.exec(v);
      const [name, dpi] = v === 'photo' ? ['photo', 0] : [m![1], Number(m![2])];
      byDpi.set(dpi, [...(byDpi.get(dpi) ?? []), name]);
    }
    for (const [dpi, names] of byDpi) await mod.generateScans({ out: tmp, sources, variants: names, ...(dpi ? { dpis: [dpi] } : {}) });
    fs.renameSync(tmp, dir);
  } finally {
    removeNow(tmp);
  }
  return { dir, cached: false, seconds: (performance.now() - started) / 1000 };
}

interface TestRun { documents: ClaimsTestDocument[]; error?: string; seconds: number }

/** `claims test <dir> --format json` in its own process (it reads a folder with one worker thread). */
function claimsTest(dir: string): Promise<TestRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'claims', 'test', dir, '--format', 'json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (x: string) => { stdout += x; });
    child.stderr.setEncoding('utf8').on('data', (x: string) => { stderr = (stderr + x).slice(-4000); });
    child.once('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      try {
        resolve({ documents: parseClaimsTestReport(JSON.parse(stdout)).documents, seconds });
      } catch (e) {
        resolve({ documents: [], seconds, error: `exit ${code}: ${(e as Error).message}; ${stderr.trim().split('\n').slice(-2).join(' | ')}` });
      }
    });
  });
}

/** Runs `jobs` with at most `width` at a time (claims test uses one core each: two folders at once fill two). */
async function inParallel<T>(jobs: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, async () => {
    while (next < jobs.length) { const i = next++; results[i] = await jobs[i](); }
  }));
  return results;
}

async function accuracy(out: (s: string) => void, tmp: string, variants: string[], sources: string[] | undefined, width: number,
  checks: Array<[string, string, boolean]>): Promise<void> {
  out('\nAccuracy (`halo-data claims test <dir> --format json`; fields right / expected, lines right / expected):\n');
  if (!fs.existsSync(path.join(ROOT, 'fixtures/generate-scans.ts'))) {
    out('  skipped: fixtures/generate-scans.ts (the scanned-fixture generator) is not on this branch\n');
    return;
  }
  const mod = (await import('../fixtures/generate-scans.js' as string)) as ScansModule;
  let fixtures: Awaited<ReturnType<typeof scanFixtures>>;
  try {
    fixtures = await scanFixtures(mod, variants, sources);
  } catch (e) {
    out(`  the scanned fixtures could not be made: ${(e as Error).message}\n`);
    checks.push(['accuracy: scanned fixtures made', '', false]);
    return;
  }
  const files = fs.readdirSync(fixtures.dir).filter((f) => scanKey(f) && !f.endsWith('.json'));
  out(`  scans: ${files.length} files of ${variants.length} variants (${variants.join(', ')}), ${fixtures.dir} (${fixtures.cached ? 'cached' : `generated in ${fixtures.seconds.toFixed(1)} s`})\n`);

  // The same source documents read from their text layer, in this run; and each variant in a
  // folder of its own (links), so that the folders can be read side by side.
  const textDir = path.join(tmp, 'text-layer');
  fs.mkdirSync(textDir);
  const used = new Set(files.map((f) => scanKey(f)!.source));
  for (const s of mod.scanSources().filter((x) => used.has(x.name))) {
    fs.copyFileSync(s.pdf, path.join(textDir, `${s.name}.pdf`));
    fs.writeFileSync(path.join(textDir, `${s.name}.expected.json`), JSON.stringify(s.expected));
  }
  const dirs = [textDir];
  const missing = variants.filter((v) => !files.some((f) => scanKey(f)!.variant === v));
  if (missing.length) out(`  no scans of ${missing.join(', ')} for these sources (the generator makes PNG/JPEG of one-page sources only, TIFF and mixed PDFs of multi-page ones)\n`);
  variants = variants.filter((v) => !missing.includes(v));
  for (const v of variants) {
    const dir = path.join(tmp, `scans-${v}`);
    fs.mkdirSync(dir);
    for (const f of files.filter((x) => scanKey(x)!.variant === v)) {
      fs.linkSync(path.join(fixtures.dir, f), path.join(dir, f));
      const expected = f.replace(/\.[A-Za-z]+$/, '.expected.json');
      fs.linkSync(path.join(fixtures.dir, expected), path.join(dir, expected));
    }
    dirs.push(dir);
  }
  const started = performance.now();
  const runs = await inParallel(dirs.map((d) => () => claimsTest(d)), width);
  const [text, ...perVariant] = runs;
  out(`  claims test: ${dirs.length} folders, ${width} at a time, ${((performance.now() - started) / 1000).toFixed(1)} s (text layer ${text.seconds.toFixed(1)} s)\n`);
  runs.forEach((r, i) => { if (r.error) out(`  ${i === 0 ? 'text layer' : variants[i - 1]}: no usable report (${r.error})\n`); });
  const scans = { documents: perVariant.flatMap((r) => r.documents), error: perVariant.every((r) => r.error) ? 'none read' : undefined };
  if (scans.error) { checks.push(['accuracy: claims test read the scans', '', false]); return; }

  const rows = variantRows(scans.documents, variants);
  const textRows = new Map<string, VariantRow>(rows.map((r) => [r.variant, textLayerRow(text.documents, r.sources)]));
  out(`\n${formatVariantTable(rows, textRows)}`);
  const all = rows.at(-1)!;
  if (all.acceptedFiles.length) out(`  accepted with a wrong amount: ${all.acceptedFiles.join(', ')}\n`);
  out(`  (a wrong amount: claim.claimed_amount, a line's amount, an item missing or extra; "to review": the same, verdict needs-review)\n`);

  const f300 = fieldsAtDpi(rows.slice(0, -1), 300);
  const ok300 = f300.expected > 0 && f300.right / f300.expected >= GOAL_FIELDS_300;
  checks.push([`fields right on 300 dpi scans: ${share(f300)}`, `>= ${GOAL_FIELDS_300 * 100} %`, ok300]);
  checks.push([`scans accepted with a wrong amount: ${all.wrongAmountAccepted} of ${all.documents} (to review: ${all.wrongAmountToReview})`, '0', all.wrongAmountAccepted === 0]);
}
