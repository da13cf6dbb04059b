/**
 * `npm run bench -- stage`: `halo-data stage` of the 1 M-row CSV to the local lake, beside
 * DuckDB's parse + normalise + gzip of the same file in the same run (target: stage <= 2.5×
 * DuckDB), and to an S3-compatible server (s3rver, started here on 127.0.0.1): MB/s and
 * peak RSS (target <= 300 MiB).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { ensureInventoryCsv } from './generate/inventory-csv.js';
import { prepareChildScripts } from './support/child-scripts.js';
import { makeTempDir } from './support/cleanup.js';
import { runMeasured, machineBusyShare, type Measured } from './support/measure.js';
import { duckdbNormalize, type ContenderContext } from './validate/contenders.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/halo-data.js');

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { rows: { type: 'string', default: '1000000' }, help: { type: 'boolean' } } });
  if (values.help) { process.stdout.write('npm run bench -- stage [--rows N (1000000)]\n'); return 0; }
  const rows = Number(values.rows);
  const tmp = makeTempDir('halo-bench-stage-');
  const out = (s: string) => process.stdout.write(s);
  out(`halo-data bench: stage\n\nEnvironment:\n  node ${process.version}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim()})\n`);
  out(`  CPUs busy before start: ${Math.round((await machineBusyShare(1000)) * 100)}%\n`);
  const csv = await ensureInventoryCsv(rows, 42);
  out(`\nInput: ${csv.path}\n  ${rows.toLocaleString('en-US')} rows, ${(csv.bytes / 1e6).toFixed(1)} MB\n\n`);
  const input = { path: csv.path, bytes: csv.bytes, rows };
  const ctx: ContenderContext = { root: ROOT, tmpDir: tmp, timeoutMs: 30 * 60_000, launcher: await prepareChildScripts(), threads: undefined, duckdbThreads: 2 };

  const stageRun = async (label: string, configText: string, env: Record<string, string> = {}): Promise<Measured> => {
    const cfg = path.join(tmp, `${label}.yaml`);
    writeFileSync(cfg, configText);
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return await runMeasured({ label, args: [BIN, 'stage', csv.path, '--schema', 'merchant_inventory', '--config', cfg, '--quiet'], cwd: ROOT, tmpDir: tmp, timeoutMs: 30 * 60_000 });
    } finally {
      process.env = saved;
    }
  };

  const local = await stageRun('stage-local', `lake: { url: ${JSON.stringify(path.join(tmp, 'lake'))} }\n`);
  const duck = await duckdbNormalize(ctx, input, 'd');
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver');
  const s3dir = path.join(tmp, 's3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: 'bench' }] });
  const addr = await server.run();
  let s3: Measured;
  try {
    s3 = await stageRun('stage-s3', `lake:\n  url: s3://bench/lake\n  endpoint: http://127.0.0.1:${addr.port}\n`,
      { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'ap-southeast-3' });
  } finally {
    await server.close();
  }
  const mib = (m: Measured) => (m.maxRssKb === null ? NaN : m.maxRssKb / 1024);
  const noisy = (m: Measured) => ((m.otherCpuSeconds ?? 0) > 1 ? `  (noisy: others used ${m.otherCpuSeconds!.toFixed(1)} CPU-s)` : '');
  out('Results (wall s includes start-up; peak RSS of the process, all threads):\n');
  out('  contender                                wall s   cpu s     MB/s    peak RSS   exit\n');
  const line = (name: string, m: Measured) => out(`  ${name.padEnd(40)} ${m.wallSeconds.toFixed(2).padStart(6)} ${(m.cpuSeconds ?? NaN).toFixed(2).padStart(7)} ${(csv.bytes / 1e6 / m.wallSeconds).toFixed(1).padStart(8)} ${mib(m).toFixed(1).padStart(7)} MiB   ${m.exitCode}${noisy(m)}\n`);
  line('halo-data stage -> local lake', local);
  if (duck.status === 'ok' && duck.figures) out(`  ${'DuckDB parse+normalise+gzip'.padEnd(40)} ${duck.figures.wallSeconds.toFixed(2).padStart(6)} ${(duck.figures.cpuSeconds ?? NaN).toFixed(2).padStart(7)} ${duck.figures.mbPerSecond.toFixed(1).padStart(8)} ${(duck.figures.peakRssMiB ?? NaN).toFixed(1).padStart(7)} MiB   0\n`);
  else out(`  DuckDB: ${duck.status} ${duck.message ?? ''}\n`);
  line('halo-data stage -> S3 (s3rver, loopback)', s3);
  const ratio = duck.figures ? local.wallSeconds / duck.figures.wallSeconds : NaN;
  const checks = [
    [`stage (local) / DuckDB wall time: ${ratio.toFixed(2)}x`, 'target <= 2.5x', ratio <= 2.5],
    [`stage (local) peak RSS: ${mib(local).toFixed(1)} MiB`, 'target <= 300 MiB', mib(local) <= 300],
    [`stage (S3) throughput: ${(csv.bytes / 1e6 / s3.wallSeconds).toFixed(1)} MB/s; peak RSS ${mib(s3).toFixed(1)} MiB`, 'target RSS <= 300 MiB', mib(s3) <= 300],
  ] as const;
  out('\nAcceptance:\n');
  for (const [what, target, ok] of checks) out(`  ${what.padEnd(64)} ${target.padEnd(20)} ${ok ? 'PASS' : 'FAIL'}\n`);
  return local.exitCode === 0 && s3.exitCode === 0 && checks.every((c) => c[2]) ? 0 : 1;
}
