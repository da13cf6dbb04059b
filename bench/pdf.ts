/**
 * `npm run bench -- pdf`: validates N generated claim PDFs (three hospital layouts) with the
 * real CLI and prints PDFs/s and peak RSS, at N and at K×N to show memory stays flat.
 * Target (issue 3): >= 50 claim PDFs/s on this 2-core machine.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { claimPdfs } from './generate/claim-pdfs.js';
import { runMeasured, machineBusyShare } from './support/measure.js';
import { makeTempDir } from './support/cleanup.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/halo-data.js');

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    count: { type: 'string', default: '500' }, scale: { type: 'string', default: '2' }, help: { type: 'boolean' },
  } });
  if (values.help) {
    process.stdout.write('npm run bench -- pdf [--count N (500)] [--scale K (2)]\n');
    return 0;
  }
  const count = Number(values.count), scale = Number(values.scale);
  const tmp = makeTempDir('halo-bench-pdf-');
  process.stdout.write(`halo-data bench: pdf\n\nEnvironment:\n  node ${process.version} on ${os.platform()}-${os.arch()}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim()})\n`);
  process.stdout.write(`  CPUs busy before start: ${Math.round((await machineBusyShare(1000)) * 100)}%\n\nInputs:\n`);
  const rows: Array<{ label: string; n: number; wall: number; rssMiB: number | null; cpu: number | null; other: number | null; ok: boolean }> = [];
  for (const n of [count, count * scale]) {
    const set = await claimPdfs(n);
    process.stdout.write(`  ${n} claim PDFs: ${set.dir} (${(set.bytes / 1e6).toFixed(1)} MB, ${set.cached ? 'cached' : `generated in ${set.seconds.toFixed(1)} s`})\n`);
    const report = path.join(tmp, `report-${n}.json`);
    const m = await runMeasured({
      label: `pdf-${n}`, args: [BIN, 'validate', set.dir, '--schema', 'claim_pdf', '--format', 'json', '--output-file', report, '--quiet'],
      cwd: ROOT, tmpDir: tmp, timeoutMs: 30 * 60_000,
    });
    let ok = false;
    try {
      const r = JSON.parse(readFileSync(report, 'utf8'));
      ok = r.summary.files === n && r.summary.validRows === n;
    } catch { /* reported below */ }
    rows.push({ label: `validate ${n} PDFs`, n, wall: m.wallSeconds, rssMiB: m.maxRssKb === null ? null : m.maxRssKb / 1024, cpu: m.cpuSeconds, other: m.otherCpuSeconds, ok });
  }
  process.stdout.write('\nResults (wall s includes process start-up; peak RSS of the CLI process, all threads):\n');
  process.stdout.write('  run                     wall s   cpu s    PDFs/s   peak RSS    all claims valid\n');
  for (const r of rows) {
    process.stdout.write(`  ${r.label.padEnd(22)} ${r.wall.toFixed(2).padStart(7)} ${(r.cpu ?? NaN).toFixed(2).padStart(7)} ${(r.n / r.wall).toFixed(1).padStart(9)} ${(r.rssMiB ?? NaN).toFixed(1).padStart(7)} MiB   ${r.ok ? 'yes' : 'NO'}${(r.other ?? 0) > 1 ? `  (noisy: other processes used ${r.other!.toFixed(1)} CPU-s)` : ''}\n`);
  }
  const rate = rows[0].n / rows[0].wall;
  const flat = rows[1].rssMiB !== null && rows[0].rssMiB !== null ? rows[1].rssMiB / rows[0].rssMiB : NaN;
  process.stdout.write(`\nAcceptance:\n  claim PDFs/s at ${rows[0].n}: ${rate.toFixed(1)}  target >= 50  ${rate >= 50 ? 'PASS' : 'FAIL'}\n`);
  process.stdout.write(`  peak RSS at ${rows[1].n} / at ${rows[0].n}: ${flat.toFixed(2)}x  (flat: <= 1.2x)  ${flat <= 1.2 ? 'PASS' : 'FAIL'}\n`);
  return rate >= 50 && flat <= 1.2 && rows.every((r) => r.ok) ? 0 : 1;
}
