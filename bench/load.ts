/**
 * `npm run bench -- load [--rows N] [--per-merchant N] [--refresh]`: stages N inventory rows
 * (the validate benchmark's generator, shaped like the platform: ~1,570 products per
 * pharmacy, so 5.5 M rows are 3,500 merchants) to a temporary lake, then times
 * `halo-data load` into an empty embedded warehouse (COPY + merge + ledger, one
 * transaction), beside a bare PGlite COPY of the same rows in the same run (the floor).
 * `--refresh` stages the file again and loads that batch too: the every-15-minutes case,
 * where every product already exists. Issue 5's goal: 5.5 M rows loaded and merged in <= 60 s.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureInventoryCsv } from './generate/inventory-csv.js';
import { makeTempDir } from './support/cleanup.js';
import { runMeasured, machineBusyShare } from './support/measure.js';
import { copyFloorSeconds } from './support/copy-floor.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/halo-data.js');

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    rows: { type: 'string', default: '5500000' }, 'per-merchant': { type: 'string', default: '1570' }, refresh: { type: 'boolean' }, help: { type: 'boolean' },
  } });
  if (values.help) { process.stdout.write('npm run bench -- load [--rows N (5500000)] [--per-merchant N (1570)] [--refresh]\n'); return 0; }
  const rows = Number(values.rows);
  const perMerchant = Number(values['per-merchant']);
  const tmp = makeTempDir('halo-bench-load-');
  const out = (s: string) => process.stdout.write(s);
  out(`halo-data bench: load\n\n  node ${process.version}, ${os.availableParallelism()} CPUs; CPUs busy before start: ${Math.round((await machineBusyShare(1000)) * 100)}%\n`);
  const csv = await ensureInventoryCsv(rows, 42, perMerchant);
  out(`  input: ${rows.toLocaleString('en-US')} rows (${Math.ceil(rows / perMerchant).toLocaleString('en-US')} merchants × ${perMerchant.toLocaleString('en-US')} products), ${(csv.bytes / 1e6).toFixed(1)} MB\n\n`);
  const cfg = path.join(tmp, 'halo-data.config.yaml');
  writeFileSync(cfg, `lake: { url: ${JSON.stringify(path.join(tmp, 'lake'))} }\nwarehouse: { engine: pglite, path: ${JSON.stringify(path.join(tmp, 'wh'))} }\n`);
  const stage = await runMeasured({ label: 'stage', args: [BIN, 'stage', csv.path, '--schema', 'merchant_inventory', '--config', cfg, '--json', '--quiet'], cwd: ROOT, tmpDir: tmp, timeoutMs: 3_600_000 });
  const batch = JSON.parse(stage.stdoutTail);
  const load = await runMeasured({ label: 'load', args: [BIN, 'load', batch.batchId, '--config', cfg, '--quiet'], cwd: ROOT, tmpDir: tmp, timeoutMs: 3_600_000 });
  let refresh: Awaited<ReturnType<typeof runMeasured>> | null = null;
  if (values.refresh) {
    const again = await runMeasured({ label: 'stage', args: [BIN, 'stage', csv.path, '--schema', 'merchant_inventory', '--config', cfg, '--json', '--quiet'], cwd: ROOT, tmpDir: tmp, timeoutMs: 3_600_000 });
    const b2 = JSON.parse(again.stdoutTail);
    refresh = await runMeasured({ label: 'refresh', args: [BIN, 'load', b2.batchId, '--config', cfg, '--quiet'], cwd: ROOT, tmpDir: tmp, timeoutMs: 3_600_000 });
  }
  // The floor: the same parts COPYed into a plain table, nothing else.
  const partsDir = path.join(tmp, 'lake', batch.prefix, 'normalized');
  const parts = readdirSync(partsDir).filter((f) => f.endsWith('.csv.gz')).map((f) => path.join(partsDir, f));
  const floor = await copyFloorSeconds({ engine: 'pglite', dir: path.join(tmp, 'floor') }, parts, batch.manifest.columns);
  const mib = (kb: number | null) => (kb === null ? NaN : kb / 1024);
  out('  step                                   wall s   peak RSS\n');
  out(`  stage (validate, normalise, lake)      ${stage.wallSeconds.toFixed(2).padStart(6)}   ${mib(stage.maxRssKb).toFixed(0)} MiB\n`);
  out(`  load (COPY + merge + ledger)           ${load.wallSeconds.toFixed(2).padStart(6)}   ${mib(load.maxRssKb).toFixed(0)} MiB   exit ${load.exitCode}\n`);
  if (refresh) out(`  refresh: load of the same rows again    ${refresh.wallSeconds.toFixed(2).padStart(6)}   ${mib(refresh.maxRssKb).toFixed(0)} MiB   exit ${refresh.exitCode}\n`);
  out(`  bare PGlite COPY of the same parts     ${floor.toFixed(2).padStart(6)}   (in the harness process)\n`);
  const perRow = load.wallSeconds / rows;
  out(`\n  load+merge: ${(rows / load.wallSeconds).toFixed(0)} rows/s; at 5.5 M rows ~${(perRow * 5_500_000).toFixed(0)} s (goal <= 60 s)${rows >= 5_500_000 ? (load.wallSeconds <= 60 ? '  PASS' : '  FAIL') : ''}\n`);
  return load.exitCode === 0 ? 0 : 1;
}
