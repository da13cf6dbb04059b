/**
 * `npm run bench -- refresh [--rows N] [--per-merchant N] [--engine pglite|postgres]`: the
 * cost of keeping the warehouse at the platform's cadence (issue 17). Three batches of one
 * source, in its order, each staged to a local lake and loaded by `halo-data load` in its own
 * process: (1) the whole catalogue into a fresh warehouse, (2) the same catalogue fifteen
 * minutes later with 2 % of rows changed, 0.5 % delisted and 0.5 % new, (3) that catalogue
 * again (a new batch, nothing changed). For each: wall time, peak RSS, the rows it wrote to
 * history and to current (read back from the warehouse), against a bare COPY of the whole
 * catalogue into an unindexed table in the same run (the floor); then the latency of the
 * best-price view for one barcode and for a basket.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureInventoryCsv } from './generate/inventory-csv.js';
import { ensureRefreshCsv, refreshCounts, DEFAULT_MIX, type RefreshCounts } from './generate/inventory-refresh.js';
import { makeTempDir } from './support/cleanup.js';
import { runMeasured, machineBusyShare, type Measured } from './support/measure.js';
import { copyFloorSeconds, type FloorTarget } from './support/copy-floor.js';
import { int, tail } from './support/format.js';
import { writtenBy, type Written } from './refresh/written.js';
import { measureLookups, type Lookups } from './refresh/lookups.js';
import { startPostgres, postgresAvailable, createTestDatabase, TEST_PGPASSWORD, type TestPostgres } from '../test/support/postgres.js';
import { loadConfig } from '../src/config/load.js';
import { requireExistingWarehouse } from '../src/warehouse/open.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/halo-data.js');
const SEED = 42;
const SOURCE = 'pharmacies';
/** The platform's size: at or above it the performance targets decide the exit code. */
const FULL_ROWS = 5_500_000;
const TARGETS = { refresh: 1.0, refreshMoonshot: 0.3, noChange: 0.2, rssMiB: 800, p99Ms: 20 };

const USAGE = `npm run bench -- refresh [options]
  --rows N            rows of the catalogue (5500000: the platform's 3,500 pharmacies)
  --per-merchant N    products per pharmacy (1570)
  --engine E          pglite (default) or postgres (a server the bench starts on 127.0.0.1)
  --lookups N         best-price lookups, and baskets, to time (1000)
  --basket N          barcodes per basket (20)
  --no-cache          generate the input files in the temporary folder, not bench/.data/
`;

interface Step {
  name: string;
  csv: string;
  /** History and current rows the load must write. */
  expected: { history: number; current: number; why: string };
}

interface StepResult extends Step {
  batchId: string;
  stage: Measured;
  load: Measured;
  written: Written | null;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    rows: { type: 'string', default: String(FULL_ROWS) }, 'per-merchant': { type: 'string', default: '1570' },
    engine: { type: 'string', default: 'pglite' }, lookups: { type: 'string', default: '1000' }, basket: { type: 'string', default: '20' },
    'no-cache': { type: 'boolean' }, help: { type: 'boolean' },
  } });
  if (values.help) { process.stdout.write(USAGE); return 0; }
  const rows = Number(values.rows);
  const perMerchant = Number(values['per-merchant']);
  const lookupCount = Number(values.lookups);
  const basketSize = Number(values.basket);
  const engine = values.engine;
  if (engine !== 'pglite' && engine !== 'postgres') { process.stderr.write(`--engine must be pglite or postgres\n${USAGE}`); return 2; }
  if (![rows, perMerchant, lookupCount, basketSize].every((v) => Number.isInteger(v) && v > 0)) { process.stderr.write(`--rows, --per-merchant, --lookups and --basket take whole numbers above 0\n${USAGE}`); return 2; }
  if (engine === 'postgres' && !postgresAvailable()) { process.stderr.write('--engine postgres needs PostgreSQL installed (apt-get install postgresql)\n'); return 2; }

  const out = (s: string) => process.stdout.write(s);
  const tmp = makeTempDir('halo-bench-refresh-');
  const dataDir = values['no-cache'] ? path.join(tmp, 'data') : undefined;
  const merchants = Math.ceil(rows / perMerchant);
  out('halo-data bench: refresh\n\nInputs:\n');
  out(`  catalogue      ${int(rows)} rows: ${int(merchants)} merchants × ${int(perMerchant)} products${rows % perMerchant ? ` (the last ${int(rows % perMerchant)})` : ''}, seed ${SEED}\n`);
  const counts = refreshCounts(rows, SEED, perMerchant, DEFAULT_MIX);
  out(`  refresh mix    ${pct(DEFAULT_MIX.changed)} change price or stock (${int(counts.changed)}: ${int(counts.changedPrice)} price, ${int(counts.changedStock)} stock), ` +
    `${pct(DEFAULT_MIX.delisted)} delisted (${int(counts.delisted)}), ${pct(DEFAULT_MIX.added)} new (${int(counts.added)}); then the same catalogue again\n`);
  out(`  engine         ${engine === 'pglite' ? 'pglite (embedded)' : 'postgres (a server started by the bench on 127.0.0.1, fsync off)'}\n`);
  out(`  machine        node ${process.version}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; CPUs busy before start: ${Math.round((await machineBusyShare(1000)) * 100)}%\n`);
  const base = await ensureInventoryCsv(rows, SEED, perMerchant, dataDir);
  const refreshed = await ensureRefreshCsv(rows, SEED, perMerchant, DEFAULT_MIX, dataDir);
  out(`  files          ${path.basename(base.path)} ${(base.bytes / 1e6).toFixed(1)} MB${base.cached ? ' (cached)' : ''}; ${path.basename(refreshed.path)} ${(refreshed.bytes / 1e6).toFixed(1)} MB${refreshed.cached ? ' (cached)' : ''}\n\n`);

  let server: TestPostgres | null = null;
  try {
    let warehouseYaml = `{ engine: pglite, path: ${JSON.stringify(path.join(tmp, 'wh'))} }`;
    let floorTarget: FloorTarget = { engine: 'pglite', dir: path.join(tmp, 'floor') };
    if (engine === 'postgres') {
      server = await startPostgres();
      const whUrl = new URL(await createTestDatabase(server, 'halo_bench'));
      floorTarget = { engine: 'postgres', url: await createTestDatabase(server, 'halo_floor') };
      whUrl.password = ''; // the CLI takes it from PGPASSWORD, as users give it
      process.env.PGPASSWORD = TEST_PGPASSWORD;
      warehouseYaml = `{ engine: postgres, url: ${JSON.stringify(whUrl.toString())} }`;
    }
    const cfg = path.join(tmp, 'halo-data.config.yaml');
    writeFileSync(cfg, `lake: { url: ${JSON.stringify(path.join(tmp, 'lake'))} }\nwarehouse: ${warehouseYaml}\n`);
    const config = loadConfig({ configFile: cfg, cwd: tmp });

    const churn = counts.changed + counts.delisted + counts.added;
    const steps: Step[] = [
      { name: '1 first load', csv: base.path, expected: { history: rows, current: rows, why: 'every row new' } },
      { name: '2 2 % refresh', csv: refreshed.path, expected: { history: churn, current: churn, why: `changed ${int(counts.changed)} + delisted ${int(counts.delisted)} + new ${int(counts.added)}` } },
      { name: '3 no change', csv: refreshed.path, expected: { history: 0, current: 0, why: 'nothing changed' } },
    ];
    const results: StepResult[] = [];
    let firstBatch: { prefix: string; columns: string[] } | null = null;
    for (const [i, step] of steps.entries()) {
      out(`  ${step.name}: staging…`);
      const stage = await runMeasured({ label: `stage-${i + 1}`, args: [BIN, 'stage', step.csv, '--schema', 'merchant_inventory', '--source', SOURCE, '--config', cfg, '--json', '--quiet'], cwd: ROOT, tmpDir: tmp, timeoutMs: 3_600_000 });
      if (stage.exitCode !== 0) { out(` failed (exit ${stage.exitCode})\n${tail(stage.stderrTail)}\n`); return 1; }
      const staged = JSON.parse(stage.stdoutTail) as { batchId: string; prefix: string; manifest: { columns: string[] } };
      firstBatch ??= { prefix: staged.prefix, columns: staged.manifest.columns };
      out(` loading batch ${staged.batchId}…`);
      const load = await runMeasured({ label: `load-${i + 1}`, args: [BIN, 'load', staged.batchId, '--config', cfg, '--quiet'], cwd: ROOT, tmpDir: tmp, timeoutMs: 3_600_000 });
      const result: StepResult = { ...step, batchId: staged.batchId, stage, load, written: null };
      results.push(result);
      if (load.exitCode !== 0) { out(` failed (exit ${load.exitCode})\n${tail(load.stderrTail)}\n`); break; }
      out(' counting…');
      const wh = await requireExistingWarehouse(config);
      try { result.written = await writtenBy(wh, staged.batchId); } finally { await wh.close(); }
      out(' done\n');
    }

    let lookups: Lookups | null = null;
    if (results.every((r) => r.written)) {
      out(`  lookups: ${int(lookupCount)} barcodes, ${int(lookupCount)} baskets of ${basketSize}…`);
      const wh = await requireExistingWarehouse(config);
      try { lookups = await measureLookups(wh, { count: lookupCount, basketSize, seed: SEED }); } finally { await wh.close(); }
      out(' done\n');
    }
    out('  floor: bare COPY of the first batch\'s parts…');
    const partsDir = path.join(tmp, 'lake', firstBatch!.prefix, 'normalized');
    const parts = readdirSync(partsDir).filter((f) => f.endsWith('.csv.gz')).sort().map((f) => path.join(partsDir, f));
    const floor = await copyFloorSeconds(floorTarget, parts, firstBatch!.columns);
    out(' done\n\n');

    return report(out, { rows, engine, counts, results, floor, lookups });
  } finally {
    await server?.stop();
  }
}

const pct = (share: number) => `${+(share * 100).toFixed(2)} %`;
const mib = (m: Measured) => (m.maxRssKb === null ? NaN : m.maxRssKb / 1024);
const verdict = (ok: boolean) => (ok ? 'OK' : 'MISS');

function report(out: (s: string) => void, r: { rows: number; engine: string; counts: RefreshCounts; results: StepResult[]; floor: number; lookups: Lookups | null }): number {
  const { results, floor } = r;
  const client = r.engine === 'postgres' ? ' (client)' : '';
  out(`Steps (each a halo-data process: wall time includes its start-up; peak RSS of that process${client}, all threads):\n`);
  out('  step            stage s  stage RSS    load s  load cpu s  load RSS   × floor    history    current  exit\n');
  for (const s of results) {
    out(`  ${s.name.padEnd(15)} ${s.stage.wallSeconds.toFixed(2).padStart(7)} ${mib(s.stage).toFixed(0).padStart(6)} MiB  ${s.load.wallSeconds.toFixed(2).padStart(8)} ${(s.load.cpuSeconds ?? NaN).toFixed(2).padStart(11)} ${mib(s.load).toFixed(0).padStart(5)} MiB ${(s.load.wallSeconds / floor).toFixed(2).padStart(8)}× ` +
      `${(s.written ? int(s.written.history) : '-').padStart(10)} ${(s.written ? int(s.written.current) : '-').padStart(10)}  ${s.load.exitCode}${noisy(s.load)}\n`);
  }
  out(`  ${`bare ${r.engine === 'pglite' ? 'PGlite' : 'PostgreSQL'} COPY of the whole catalogue into an unindexed table (the floor)`.padEnd(70)} ${floor.toFixed(2).padStart(7)} s\n`);
  for (const s of results) {
    if (!s.written) continue;
    const w = s.written;
    out(`  after ${s.name.slice(2)}: load_seq ${w.loadSeq ?? '-'}; history by kind ${Object.entries(w.historyByKind).map(([k, v]) => `${k} ${int(v)}`).join(', ') || 'none'}; ` +
      `totals: history ${int(w.totals.history)}, current ${int(w.totals.current)} (${int(w.totals.listed)} listed)\n`);
  }

  const checks: Array<{ what: string; got: string; target: string; ok: boolean; perf: boolean }> = [];
  const refresh = results[1];
  const same = results[2];
  if (refresh) {
    const x = refresh.load.wallSeconds / floor;
    checks.push({ what: '2 % refresh load / floor', got: `${x.toFixed(2)}×`, target: `≤ ${TARGETS.refresh.toFixed(1)}× (moonshot ${TARGETS.refreshMoonshot}×${x <= TARGETS.refreshMoonshot ? ': reached' : ''})`, ok: x <= TARGETS.refresh, perf: true });
  }
  if (same) {
    const x = same.load.wallSeconds / floor;
    checks.push({ what: 'no-change refresh load / floor', got: `${x.toFixed(2)}×`, target: `≤ ${TARGETS.noChange}×`, ok: x <= TARGETS.noChange, perf: true });
  }
  const peak = Math.max(...results.map((s) => mib(s.load)));
  checks.push({ what: `peak RSS of the loads${client}`, got: `${peak.toFixed(0)} MiB`, target: `≤ ${TARGETS.rssMiB} MiB`, ok: peak <= TARGETS.rssMiB, perf: true });
  for (const s of results) {
    const w = s.written;
    checks.push({ what: `history rows, ${s.name.slice(2)}`, got: w ? int(w.history) : 'load failed', target: `= ${int(s.expected.history)} (${s.expected.why})`, ok: !!w && w.history === s.expected.history, perf: false });
    checks.push({ what: `current rows, ${s.name.slice(2)}`, got: w ? int(w.current) : 'load failed', target: `= ${int(s.expected.current)}`, ok: !!w && w.current === s.expected.current, perf: false });
  }
  if (refresh?.written) {
    const t = refresh.written.totals;
    const want = { current: r.rows + r.counts.added, listed: r.rows - r.counts.delisted + r.counts.added };
    checks.push({ what: 'current table after the refresh', got: `${int(t.current)} rows, ${int(t.listed)} listed`, target: `= ${int(want.current)}, ${int(want.listed)} listed (delisted rows stay)`, ok: t.current === want.current && t.listed === want.listed, perf: false });
  }
  if (r.lookups) {
    const l = r.lookups;
    out(`\nLookups on v_product_best_price (${int(l.barcodes)} distinct barcodes held; ${int(l.answered)} of ${int(l.single.count)} single lookups found an in-stock offer, median ${l.medianMerchantsInStock} merchants stocking it):\n`);
    out(`  one barcode (WHERE product_key = $1)             median ${l.single.medianMs.toFixed(2).padStart(7)} ms   p99 ${l.single.p99Ms.toFixed(2).padStart(7)} ms   max ${l.single.maxMs.toFixed(2)} ms\n`);
    out(`  basket of ${String(l.basketSize).padEnd(3)} (WHERE product_key IN (…))        median ${l.basket.medianMs.toFixed(2).padStart(7)} ms   p99 ${l.basket.p99Ms.toFixed(2).padStart(7)} ms   max ${l.basket.maxMs.toFixed(2)} ms\n`);
    checks.push({ what: 'one barcode, p99', got: `${l.single.p99Ms.toFixed(2)} ms`, target: `≤ ${TARGETS.p99Ms} ms`, ok: l.single.p99Ms <= TARGETS.p99Ms, perf: true });
    checks.push({ what: `basket of ${l.basketSize}, p99`, got: `${l.basket.p99Ms.toFixed(2)} ms`, target: `≤ ${TARGETS.p99Ms} ms`, ok: l.basket.p99Ms <= TARGETS.p99Ms, perf: true });
    checks.push({ what: 'lookups found offers', got: `${int(l.answered)} of ${int(l.single.count)}`, target: '> 0', ok: l.answered > 0, perf: false });
  }
  const full = r.rows >= FULL_ROWS;
  out(`\nChecks${full ? '' : ` (performance targets are for ${int(FULL_ROWS)} rows: at this size they are shown, not enforced)`}:\n`);
  for (const c of checks) out(`  ${c.what.padEnd(36)} ${c.got.padStart(22)}   ${c.target.padEnd(56)} ${verdict(c.ok)}\n`);
  const failed = results.some((s) => s.load.exitCode !== 0) || checks.some((c) => !c.ok && (!c.perf || full));
  return failed ? 1 : 0;
}

function noisy(m: Measured): string {
  return (m.otherCpuSeconds ?? 0) > 1 ? `  (noisy: others used ${m.otherCpuSeconds!.toFixed(1)} CPU-s)` : '';
}
