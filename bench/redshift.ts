/**
 * `npm run bench -- redshift [--batches N] [--rows N]`: the Redshift path's Data API traffic.
 * Stages N inventory batches (the validate benchmark's generator, R rows each) to an
 * S3-compatible server on loopback, then loads them with the redshift-data engine into the
 * Data API emulator (test/support; SQL on a real PostgreSQL), and prints the Data API calls
 * by operation: the run's fixed cost and the cost per batch. Issue 5's goal: one
 * BatchExecuteStatement per batch, plus polls. Times here are the emulator's on PostgreSQL,
 * not Redshift's, and are printed only to show where the calls go.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureInventoryCsv } from './generate/inventory-csv.js';
import { makeTempDir } from './support/cleanup.js';
import { startS3 } from '../test/support/s3.js';
import { startPostgres, postgresAvailable, TEST_PGPASSWORD } from '../test/support/postgres.js';
import { startRedshiftDataEmulator } from '../test/support/redshift-data-emulator.js';
import { runCliAsync } from '../test/support/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { batches: { type: 'string', default: '5' }, rows: { type: 'string', default: '20000' }, help: { type: 'boolean' } } });
  if (values.help) { process.stdout.write('npm run bench -- redshift [--batches N (5)] [--rows N per batch (20000)]\n'); return 0; }
  if (!postgresAvailable()) { process.stderr.write('this benchmark needs PostgreSQL installed (apt-get install postgresql)\n'); return 2; }
  // The SDK's notice about Node 20 support would only clutter the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const n = Number(values.batches);
  const rows = Number(values.rows);
  const out = (s: string) => process.stdout.write(s);
  out(`halo-data bench: redshift (Data API calls, on the emulator)\n\n  node ${process.version}, ${os.availableParallelism()} CPUs\n`);
  const tmp = makeTempDir('halo-bench-redshift-');
  const s3 = await startS3();
  const server = await startPostgres();
  const url = new URL(server.url);
  url.password = TEST_PGPASSWORD;
  const emu = await startRedshiftDataEmulator({ postgresUrl: url.toString(), s3: { endpoint: s3.endpoint, region: 'ap-southeast-3', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } });
  try {
    const csv = await ensureInventoryCsv(rows, 7);
    out(`  input: ${n} batches × ${rows.toLocaleString('en-US')} inventory rows (${(csv.bytes / 1e6).toFixed(1)} MB each)\n\n`);
    const cfg = path.join(tmp, 'halo-data.config.yaml');
    writeFileSync(cfg, `lake:\n  url: s3://${s3.bucket}/lake\n  endpoint: ${s3.endpoint}\n  region: ap-southeast-3\nwarehouse:\n  engine: redshift-data\n  clusterIdentifier: bench\n  database: dev\n  dbUser: halo_etl\n  iamRole: arn:aws:iam::123456789012:role/halo-copy\n  endpoint: ${emu.endpoint}\n`);
    const env = { ...s3.env };
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await runCliAsync(['stage', csv.path, '--schema', 'merchant_inventory', '--config', cfg, '--quiet'], { env });
      if (r.code !== 0) throw new Error(`stage failed: ${r.stderr}`);
      ids.push(r.stdout.trim());
    }
    const init = await runCliAsync(['warehouse', 'init', '--config', cfg], { env });
    if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
    const snap = () => ({ ...emu.calls });
    const diff = (a: Record<string, number>, b: Record<string, number>) =>
      Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]).filter(([, v]) => Number(v) > 0)) as Record<string, number>;
    // One batch alone, then all of them: the difference is the per-batch cost.
    const c0 = snap();
    const t0 = performance.now();
    const one = await runCliAsync(['load', ids[0], '--config', cfg, '--quiet'], { env });
    const t1 = performance.now();
    const c1 = snap();
    const rest = await runCliAsync(['load', ...ids.slice(1), '--config', cfg, '--quiet'], { env });
    const t2 = performance.now();
    const c2 = snap();
    if (one.code !== 0 || rest.code !== 0) throw new Error(`load failed: ${one.stderr}${rest.stderr}`);
    const first = diff(c0, c1);
    const others = diff(c1, c2);
    out('  Data API calls                 1 batch    ' + `${n - 1} batches   per batch (of the ${n - 1})\n`);
    for (const op of [...new Set([...Object.keys(first), ...Object.keys(others)])].sort()) {
      out(`  ${op.padEnd(28)} ${String(first[op] ?? 0).padStart(7)}   ${String(others[op] ?? 0).padStart(9)}   ${((others[op] ?? 0) / Math.max(1, n - 1)).toFixed(2).padStart(8)}\n`);
    }
    const per = (others.BatchExecuteStatement ?? 0) / Math.max(1, n - 1);
    out(`\n  wall (emulator on PostgreSQL): 1 batch ${((t1 - t0) / 1000).toFixed(2)} s; ${n - 1} batches ${((t2 - t1) / 1000).toFixed(2)} s\n`);
    out(`  goal: one BatchExecuteStatement per batch plus polls: ${per === 1 ? 'PASS' : 'FAIL'} (${per.toFixed(2)})\n`);
    const check = new pg.Client({ connectionString: url.toString() });
    await check.connect();
    const f = await check.query('SELECT COUNT(*)::int AS n FROM halo.fact_inventory_history');
    await check.end();
    out(`  fact_inventory_history rows after the loads: ${f.rows[0].n.toLocaleString('en-US')}\n`);
    return per === 1 ? 0 : 1;
  } finally {
    await emu.stop();
    await server.stop();
    await s3.stop();
  }
}
