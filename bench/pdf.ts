/**
 * `npm run bench -- pdf`: claim-PDF throughput and memory with the real CLI, and the reader's
 * accuracy on the layout fixtures (issue 18's Benchmark section).
 *
 * Throughput: `halo-data validate <dir> --schema claim_pdf` over N and K×N generated PDFs
 * (every layout the fixture generators know, see generate/claim-pdfs.ts), each in its own
 * process: wall, CPU, PDFs/s, peak RSS, the K×N/N RSS ratio (flat), and per layout how many
 * claims were valid and who read them. With templates (built-ins + config) and, when the CLI
 * has a way to switch them off (`validate --no-templates`), with the generic reader alone,
 * in the same run: figures from another day or machine are not comparable.
 * Goal (issue 18): >= 200 PDFs/s on 2 cores, RSS at K×N <= 1.2x RSS at N, all claims valid.
 *
 * Accuracy: `halo-data claims test <dir> --format json` on fixtures/claims-layouts and
 * fixtures/claims-pdf (whose report.json files are converted to expected.json in a temporary
 * folder, pdf/report-to-expected.ts), with and without --no-templates, summed per layout by
 * pdf/accuracy.ts. Skipped, with a note, when the CLI has no `claims test`.
 */
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchLayouts, claimPdfs, layoutOfFile, type ClaimPdfSet } from './generate/claim-pdfs.js';
import { runMeasured, machineBusyShare, type Measured } from './support/measure.js';
import { makeTempDir } from './support/cleanup.js';
import { layoutOutcomes, formatOutcome, type LayoutOutcome } from './pdf/outcomes.js';
import { parseClaimsTestReport, accuracyRows, formatAccuracy, type AccuracyRow } from './pdf/accuracy.js';
import { expectedFromReport, type FixtureReport } from './pdf/report-to-expected.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/halo-data.js');
const GOAL_RATE = 200;
const GOAL_FLAT = 1.2;
const ACCURACY_DIRS = ['fixtures/claims-layouts', 'fixtures/claims-pdf'];

const USAGE = `npm run bench -- pdf [--count N (500)] [--scale K (2)] [--threads T] [--no-accuracy]

  --count N      claim PDFs in the first run (the layouts in turn)
  --scale K      the second run reads K×N of them: peak RSS must stay flat
  --threads T    PDF worker threads of the CLI (HALO_DATA_THREADS; default: the CLI's, one per CPU)
  --no-accuracy  skip the accuracy table (claims test on the fixtures)
`;

interface Reader { name: string; args: string[] }
interface Row { reader: string; set: ClaimPdfSet; m: Measured; ok: boolean; outcomes: LayoutOutcome[] }

/** True when `halo-data <args> --help` exits 0 and its help mentions `needle`. */
function cliHas(args: string[], needle: string): boolean {
  const r = spawnSync(process.execPath, [BIN, ...args, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && `${r.stdout}${r.stderr}`.includes(needle);
}

const mib = (m: Measured) => (m.maxRssKb === null ? NaN : m.maxRssKb / 1024);

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    count: { type: 'string', default: '500' }, scale: { type: 'string', default: '2' }, threads: { type: 'string' },
    'no-accuracy': { type: 'boolean' }, help: { type: 'boolean' },
  } });
  if (values.help) { process.stdout.write(USAGE); return 0; }
  const count = Number(values.count), scale = Number(values.scale);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(scale) || scale < 1) {
    process.stderr.write(`--count and --scale must be whole numbers >= 1\n${USAGE}`);
    return 2;
  }
  const env: Record<string, string> = values.threads ? { HALO_DATA_THREADS: values.threads } : {};
  const out = (s: string) => process.stdout.write(s);
  const tmp = makeTempDir('halo-bench-pdf-');

  out(`halo-data bench: pdf\n\nEnvironment:\n  node ${process.version} on ${os.platform()}-${os.arch()}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim()})\n`);
  out(`  CPUs busy before start: ${Math.round((await machineBusyShare(1000)) * 100)}% (other processes; a run they slow is flagged "noisy")\n`);
  out(`  PDF worker threads: ${values.threads ?? `the CLI's default (${os.availableParallelism()} here)`}\n`);

  const { layouts, note } = await benchLayouts();
  out(`\nInputs: N = ${count}, K = ${scale}; ${layouts.length} layouts (${note}):\n  ${layouts.map((l) => l.name).join(', ')}\n`);
  const sets: ClaimPdfSet[] = [];
  for (const n of [count, count * scale]) {
    const set = await claimPdfs(n, layouts);
    sets.push(set);
    out(`  ${String(n).padStart(6)} PDFs: ${(set.bytes / 1e6).toFixed(1)} MB (${Math.round(set.bytes / n).toLocaleString('en-US')} bytes each on average), ${set.dir} (${set.cached ? 'cached' : `generated in ${set.seconds.toFixed(1)} s`})\n`);
  }

  const readers: Reader[] = [{ name: 'with templates', args: [] }];
  if (cliHas(['validate'], '--no-templates')) readers.push({ name: 'generic reader alone', args: ['--no-templates'] });
  else out('  (the CLI has no `validate --no-templates` yet: figures with templates only)\n');

  const rows: Row[] = [];
  for (const reader of readers) {
    for (const set of sets) {
      const label = `pdf-${rows.length}`;
      const report = path.join(tmp, `${label}.json`);
      const m = await runMeasured({
        label, args: [BIN, 'validate', set.dir, '--schema', 'claim_pdf', ...reader.args, '--format', 'json', '--output-file', report, '--quiet'],
        cwd: ROOT, tmpDir: tmp, timeoutMs: 30 * 60_000, env,
      });
      let ok = false, outcomes: LayoutOutcome[] = [];
      try {
        const r = JSON.parse(fs.readFileSync(report, 'utf8'));
        ok = r.summary.files === set.count && r.summary.validRows === set.count;
        outcomes = layoutOutcomes(r, layoutOfFile);
      } catch {
        out(`  ${reader.name}, ${set.count} PDFs: no report (exit ${m.exitCode}${m.timedOut ? ', timed out' : ''}): ${m.stderrTail.trim().split('\n').slice(-3).join(' | ')}\n`);
      }
      rows.push({ reader: reader.name, set, m, ok, outcomes });
    }
  }

  out('\nResults (wall: the whole process, start-up included; cpu: all its threads; peak RSS: the process):\n');
  out(`  ${'reader'.padEnd(22)} ${'PDFs'.padStart(6)} ${'wall s'.padStart(7)} ${'cpu s'.padStart(7)} ${'PDFs/s'.padStart(7)} ${'cpu ms/PDF'.padStart(10)} ${'peak RSS'.padStart(12)}   all valid\n`);
  for (const r of rows) {
    const noisy = (r.m.otherCpuSeconds ?? 0) > 1 ? `  (noisy: other processes used ${r.m.otherCpuSeconds!.toFixed(1)} CPU-s)` : '';
    const cpuMs = r.m.cpuSeconds === null ? NaN : (1000 * r.m.cpuSeconds) / r.set.count;
    out(`  ${r.reader.padEnd(22)} ${String(r.set.count).padStart(6)} ${r.m.wallSeconds.toFixed(2).padStart(7)} ${(r.m.cpuSeconds ?? NaN).toFixed(2).padStart(7)} ${(r.set.count / r.m.wallSeconds).toFixed(1).padStart(7)} ${cpuMs.toFixed(2).padStart(10)} ${mib(r.m).toFixed(1).padStart(8)} MiB   ${r.ok ? 'yes' : 'NO'}${noisy}\n`);
  }
  out('\nPer layout (the K×N run):\n');
  for (const r of rows.filter((x) => x.set === sets[1])) {
    out(`  ${r.reader}:\n`);
    for (const o of r.outcomes) out(`    ${formatOutcome(o)}\n`);
  }

  out('\nAcceptance (PDFs/s at N, as issue 3 measured it):\n');
  const checks: Array<[string, string, boolean]> = [];
  for (const reader of readers) {
    const [a, b] = rows.filter((r) => r.reader === reader.name);
    const rate = a.set.count / a.m.wallSeconds;
    const flat = mib(b.m) / mib(a.m);
    checks.push([`${reader.name}: ${rate.toFixed(1)} PDFs/s at ${a.set.count}`, `goal >= ${GOAL_RATE}`, rate >= GOAL_RATE]);
    checks.push([`${reader.name}: peak RSS at ${b.set.count} / at ${a.set.count}: ${flat.toFixed(2)}x`, `flat: <= ${GOAL_FLAT}x`, flat <= GOAL_FLAT]);
    checks.push([`${reader.name}: all claims valid at ${a.set.count} and ${b.set.count}`, '', a.ok && b.ok]);
  }
  for (const [what, goal, ok] of checks) out(`  ${what.padEnd(62)} ${goal.padEnd(14)} ${ok ? 'PASS' : 'FAIL'}\n`);
  if (readers.length > 1) {
    const rateOf = (name: string) => { const r = rows.find((x) => x.reader === name && x.set === sets[0])!; return r.set.count / r.m.wallSeconds; };
    out(`  same run: generic reader alone / with templates: ${(rateOf(readers[1].name) / rateOf(readers[0].name)).toFixed(2)}x the PDFs/s\n`);
  }

  if (!values['no-accuracy']) accuracy(out, tmp);
  return checks.every((c) => c[2]) ? 0 : 1;
}

/**
 * A folder `claims test` can read: `dir` itself when it has .expected.json files, else a
 * temporary copy of the PDFs whose report.json says what was read, with expected.json files
 * made from them; null when neither.
 */
function expectedDir(dir: string, tmp: string): { path: string; note: string } | null {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return null;
  const files = fs.readdirSync(abs);
  if (files.some((f) => f.endsWith('.expected.json'))) return { path: dir, note: '' };
  const out = path.join(tmp, `expected-${path.basename(dir)}`);
  let cases = 0;
  for (const f of files.filter((x) => x.endsWith('.report.json'))) {
    const name = f.slice(0, -'.report.json'.length);
    const expected = expectedFromReport(JSON.parse(fs.readFileSync(path.join(abs, f), 'utf8')) as FixtureReport);
    if (!expected || !fs.existsSync(path.join(abs, `${name}.pdf`))) continue;
    fs.mkdirSync(out, { recursive: true });
    fs.copyFileSync(path.join(abs, `${name}.pdf`), path.join(out, `${name}.pdf`));
    fs.writeFileSync(path.join(out, `${name}.expected.json`), JSON.stringify(expected));
    cases++;
  }
  return cases > 0 ? { path: out, note: ` (${cases} cases whose report.json has a claim, converted to expected.json)` } : null;
}

/** The accuracy table; informational (the tests hold the reader to its fixtures), never fails the run. */
function accuracy(out: (s: string) => void, tmp: string): void {
  out('\nAccuracy (`halo-data claims test <dir> --format json`; fields right / expected, lines right / expected):\n');
  if (!cliHas(['claims', 'test'], '--no-templates')) {
    out('  skipped: this CLI has no `claims test --no-templates` yet\n');
    return;
  }
  for (const dir of ACCURACY_DIRS) {
    const target = expectedDir(dir, tmp);
    if (!target) { out(`  ${dir}: no expected values, not measured\n`); continue; }
    const runs: Array<{ label: string; rows: AccuracyRow[] }> = [];
    for (const [label, extra] of [['with templates', []], ['generic reader alone', ['--no-templates']]] as const) {
      const r = spawnSync(process.execPath, [BIN, 'claims', 'test', target.path, ...extra, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 64 << 20 });
      try {
        runs.push({ label, rows: accuracyRows(parseClaimsTestReport(JSON.parse(r.stdout))) });
      } catch (e) {
        out(`  ${dir} ${label}: no usable report (exit ${r.status}): ${(e as Error).message}\n`);
      }
    }
    out(`\n  ${dir}${target.note}:\n${formatAccuracy(runs)}`);
  }
}
