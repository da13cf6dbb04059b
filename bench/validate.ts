/**
 * `npm run bench -- validate [flags]`: how fast and how lean halo-data is on a large merchant
 * inventory file, next to a parsing floor (bare csv-parse) and a native reference (DuckDB).
 *
 * All contenders run one after another, each in its own child process, on the same cached
 * input files (so the page cache is warm for all of them alike).
 */
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { GeneratedFile } from './generate/cache.js';
import { ensureInventoryCsv } from './generate/inventory-csv.js';
import { ensureInventoryXlsx } from './generate/inventory-xlsx.js';
import { prepareChildScripts, type ChildLauncher } from './support/child-scripts.js';
import { makeTempDir, removeNow } from './support/cleanup.js';
import { machineBusyShare } from './support/measure.js';
import { fixed, int, mb } from './support/format.js';
import {
  cliValidate,
  duckdbNormalize,
  floorCsvParse,
  haloNormalize,
  type ContenderContext,
  type ContenderResult,
  type InputFile,
} from './validate/contenders.js';
import { computeChecks, printChecks, printResult, printResultHeader, printScaleComparison, type Say } from './validate/report.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const USAGE = `usage: npm run bench -- validate [options]

  --rows N         rows in the CSV (default 1000000)
  --xlsx-rows N    rows in the XLSX (default 100000)
  --scale K        also run b and c on a K-times larger CSV and compare their peak RSS
  --only LIST      subset of contenders, e.g. a,b,d (also: floor, validate, normalise, duckdb, xlsx)
  --threads N      threads for normalizeFile (and DuckDB; DuckDB defaults to the CPU count)
  --seed N         generator seed (default 42)
  --repeat N       run each contender N times and report the median wall time (default 1;
                   useful on shared machines, where run-to-run noise can reach 2x)
  --timeout S      per-contender time limit in seconds (default 1200; scaled runs get K times it)
  --json           print every figure as one JSON document on stdout (the report goes to stderr)

contenders: a csv-parse floor, b halo-data validate (CSV), c halo-data normalise+gzip,
            d DuckDB parse+normalise+gzip, e halo-data validate (XLSX)
exit code: 0 all measured checks pass; 1 a check failed or a contender failed; 2 bad usage`;

const CONTENDERS = ['a', 'b', 'c', 'd', 'e'] as const;
type ContenderKey = (typeof CONTENDERS)[number];
const ALIASES: Record<string, ContenderKey> = {
  floor: 'a', 'csv-parse': 'a', validate: 'b', normalise: 'c', normalize: 'c', duckdb: 'd', xlsx: 'e',
};

interface Options {
  rows: number;
  xlsxRows: number;
  scale: number | undefined;
  only: Set<ContenderKey>;
  threads: number | undefined;
  seed: number;
  repeat: number;
  timeoutMs: number;
  json: boolean;
}

class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      rows: { type: 'string', default: '1000000' },
      'xlsx-rows': { type: 'string', default: '100000' },
      scale: { type: 'string' },
      only: { type: 'string' },
      threads: { type: 'string' },
      seed: { type: 'string', default: '42' },
      repeat: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '1200' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const only = new Set<ContenderKey>();
  for (const item of (values.only ?? CONTENDERS.join(',')).split(',').map((s) => s.trim().toLowerCase())) {
    if (!item) continue;
    const key = (CONTENDERS as readonly string[]).includes(item) ? (item as ContenderKey) : ALIASES[item];
    if (!key) throw new UsageError(`--only: unknown contender "${item}"`);
    only.add(key);
  }
  return {
    rows: positiveInt('rows', values.rows)!,
    xlsxRows: positiveInt('xlsx-rows', values['xlsx-rows'])!,
    scale: positiveInt('scale', values.scale, 2),
    only,
    threads: positiveInt('threads', values.threads),
    seed: positiveInt('seed', values.seed, 0)!,
    repeat: positiveInt('repeat', values.repeat)!,
    timeoutMs: positiveInt('timeout', values.timeout)! * 1000,
    json: values.json,
  };
}

/**
 * The median-wall-time run of `times` runs (stopping at the first that does not succeed). Its
 * peak RSS is replaced by the highest of all runs: memory is judged on the worst case.
 */
async function medianOf(times: number, runOnce: () => Promise<ContenderResult>): Promise<ContenderResult> {
  const runs: ContenderResult[] = [];
  for (let i = 0; i < times; i++) {
    const r = await runOnce();
    if (r.status !== 'ok' || !r.figures) return r;
    runs.push(r);
  }
  if (runs.length === 1) return runs[0];
  const walls = runs.map((r) => r.figures!.wallSeconds);
  const median = [...runs].sort((x, y) => x.figures!.wallSeconds - y.figures!.wallSeconds)[Math.floor(runs.length / 2)];
  const rss = runs.map((r) => r.figures!.peakRssMiB).filter((v): v is number => v !== null);
  return {
    ...median,
    figures: { ...median.figures!, peakRssMiB: rss.length ? Math.max(...rss) : null },
    details: { ...median.details, wallSecondsAllRuns: walls },
    summary: `${median.summary ?? ''} [median of ${walls.map((w) => fixed(w)).join(' / ')} s]`,
  };
}

async function prepareInput(say: Say, what: string, make: () => Promise<GeneratedFile>): Promise<GeneratedFile> {
  const file = await make();
  const how = file.cached ? 'cached' : `generated in ${fixed(file.seconds, 1)} s`;
  say(`  ${what}: ${file.path}`);
  say(`      ${int(file.rows)} rows, ${mb(file.bytes)} MB (${file.bytes.toLocaleString('en-US')} bytes), ${how}`);
  return file;
}

export async function run(argv: string[]): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const opts = options;
  // With --json, stdout carries only the JSON document; the readable report goes to stderr.
  const out = opts.json ? process.stderr : process.stdout;
  const say: Say = (line = '') => void out.write(line + '\n');
  const wants = (k: ContenderKey): boolean => opts.only.has(k);

  const duckdbThreads = opts.threads ?? os.availableParallelism();
  say('halo-data bench: validate');
  say();
  say('Environment:');
  say(`  node ${process.version} on ${os.platform()}-${os.arch()}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${fixed(os.totalmem() / 2 ** 30, 1)} GiB RAM`);
  say(`  normalizeFile threads: ${opts.threads ?? 'its default'}; DuckDB threads: ${duckdbThreads}; runs per contender: ${opts.repeat}`);
  const busy = await machineBusyShare(1000);
  say(`  CPUs busy before start: ${fixed(busy * 100, 0)}%${busy > 0.1 ? '  <- something else is running: wall times will be noisy' : ''}`);

  say();
  say('Inputs (cached in bench/.data/, keyed by generator version + rows + seed):');
  const csv = await prepareInput(say, 'CSV', () => ensureInventoryCsv(opts.rows, opts.seed));
  const xlsx = wants('e') ? await prepareInput(say, 'XLSX', () => ensureInventoryXlsx(opts.xlsxRows, opts.seed)) : undefined;
  const scaleRuns = opts.scale !== undefined && (wants('b') || wants('c'));
  const big = scaleRuns
    ? await prepareInput(say, `CSV ${opts.scale}x`, () => ensureInventoryCsv(opts.rows * opts.scale!, opts.seed))
    : undefined;
  if (opts.scale !== undefined && !scaleRuns) say(`  (--scale ignored: it applies to contenders b and c, not selected)`);

  const needsChildScripts = wants('a') || wants('c') || wants('d');
  const launcher: ChildLauncher | null = needsChildScripts ? await prepareChildScripts() : null;
  if (launcher) say(`  child scripts: ${launcher.mode === 'bundled' ? 'bundled with esbuild, run by plain node' : 'run through tsx (adds its loader to RSS and start-up)'}`);

  const tmpDir = makeTempDir('halo-bench-validate-');
  const ctx: ContenderContext = { root: ROOT, tmpDir, timeoutMs: opts.timeoutMs, launcher, threads: opts.threads, duckdbThreads };
  const asInput = (f: GeneratedFile): InputFile => ({ path: f.path, bytes: f.bytes, rows: f.rows });

  const results: ContenderResult[] = [];
  /** Runs a contender --repeat times, keeps the median run, records and prints it. */
  const record = async (runOnce: () => Promise<ContenderResult>): Promise<ContenderResult> => {
    const r = await medianOf(opts.repeat, runOnce);
    results.push(r);
    printResult(say, r);
    return r;
  };

  try {
    say();
    say(`Results (wall s includes process start-up; cpu s = user+system over all threads;`);
    say(`         rows/s and MB/s = input rows and MB / wall s; peak RSS = the child process's):`);
    printResultHeader(say);
    const csvIn = asInput(csv);
    if (wants('a')) await record(() => floorCsvParse(ctx, csvIn));
    if (wants('b')) await record(() => cliValidate(ctx, csvIn, 'b', 'halo-data validate (CSV)'));
    if (wants('c')) await record(() => haloNormalize(ctx, csvIn));
    if (wants('d')) await record(() => duckdbNormalize(ctx, csvIn));
    if (wants('e') && xlsx) await record(() => cliValidate(ctx, asInput(xlsx), 'e', 'halo-data validate (XLSX)'));

    const pairs: Array<[ContenderResult, ContenderResult]> = [];
    if (big && opts.scale !== undefined) {
      const bigCtx = { ...ctx, timeoutMs: opts.timeoutMs * opts.scale };
      const tag = `@${opts.scale}x`;
      const bigIn = asInput(big);
      const find = (k: string): ContenderResult | undefined => results.find((r) => r.key === k);
      if (wants('b')) {
        const r = await record(() => cliValidate(bigCtx, bigIn, `b${tag}`, 'halo-data validate (CSV)'));
        pairs.push([find('b')!, r]);
      }
      if (wants('c')) {
        const r = await record(() => haloNormalize(bigCtx, bigIn, `c${tag}`));
        pairs.push([find('c')!, r]);
      }
      say();
      printScaleComparison(say, pairs, opts.scale);
    }

    const checks = computeChecks(results);
    say();
    say('Acceptance (RSS in MiB = 2^20 bytes):');
    printChecks(say, checks);

    if (opts.json) {
      const doc = {
        benchmark: 'validate',
        finishedAt: new Date().toISOString(),
        environment: {
          node: process.version,
          platform: `${os.platform()}-${os.arch()}`,
          cpus: os.availableParallelism(),
          cpuModel: os.cpus()[0]?.model ?? null,
          totalMemBytes: os.totalmem(),
          normalizeThreads: opts.threads ?? null,
          duckdbThreads,
          childScripts: launcher?.mode ?? null,
          cpuBusyShareAtStart: busy,
        },
        options: { ...opts, scale: opts.scale ?? null, threads: opts.threads ?? null, only: [...opts.only] },
        inputs: { csv, xlsx: xlsx ?? null, scaledCsv: big ?? null },
        results,
        checks,
      };
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    }

    const failed = results.some((r) => r.status === 'failed') || checks.some((c) => c.verdict === 'FAIL');
    return failed ? 1 : 0;
  } finally {
    removeNow(tmpDir);
  }
}
