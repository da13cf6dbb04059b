/**
 * `npm run bench -- warehouse-open [--repeat 5]`: the embedded warehouse's (PGlite) start-up
 * as a user meets it, each case a whole CLI process (start-up and close included), repeated:
 *
 *   create      `halo-data warehouse init` in an empty folder: a new database + star schema
 *   open        `halo-data warehouse status` on that warehouse: open an existing one, read, close
 *   doctor      `halo-data doctor` on it: the warehouse and ledger checks (one open)
 *   none        `halo-data warehouse status` in an empty folder: no warehouse, none created
 *
 * Prints median and min wall seconds, the median CPU seconds and the peak RSS (of the process,
 * all threads) per case, and how much other work the machine did meanwhile: on a busy machine
 * compare medians, and CPU seconds rather than wall.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeTempDir } from './support/cleanup.js';
import { runMeasured, machineBusyShare, type Measured } from './support/measure.js';
import { fixed, padLeft, padRight } from './support/format.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_BIN = path.join(ROOT, 'bin/halo-data.js');

interface Case { name: string; args: string[]; cwd: () => string; what: string }

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { repeat: { type: 'string', default: '5' }, bin: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) { process.stdout.write('npm run bench -- warehouse-open [--repeat N (5)] [--bin path/to/bin/halo-data.js (another build, e.g. a worktree of an older commit)] [--json]\n'); return 0; }
  const bin = path.resolve(values.bin ?? DEFAULT_BIN);
  const repeat = Math.max(1, Number(values.repeat));
  const tmp = makeTempDir('halo-bench-wh-open-');
  const out = (s: string) => (values.json ? process.stderr : process.stdout).write(s);
  out(`halo-data bench: warehouse-open (${bin})\n\n  node ${process.version}, ${os.availableParallelism()} CPUs; CPUs busy before start: ${Math.round((await machineBusyShare(1000)) * 100)}%\n\n`);

  const existing = path.join(tmp, 'existing');
  mkdirSync(existing);
  // doctor checks the member key: without one it exits 2, which would read as a failed run.
  process.env.HALO_DATA_MEMBER_KEY ??= 'bench-member-key-not-a-secret-0123456789';
  let n = 0;
  const fresh = () => { const d = path.join(tmp, `fresh-${++n}`); mkdirSync(d); return d; };
  const cases: Case[] = [
    { name: 'create', args: ['warehouse', 'init'], cwd: fresh, what: 'warehouse init, empty folder' },
    { name: 'open', args: ['warehouse', 'status'], cwd: () => existing, what: 'warehouse status, existing warehouse' },
    { name: 'doctor', args: ['doctor'], cwd: () => existing, what: 'doctor, existing warehouse' },
    { name: 'none', args: ['warehouse', 'status'], cwd: fresh, what: 'warehouse status, empty folder' },
  ];
  const first = await runMeasured({ label: 'setup', args: [bin, 'warehouse', 'init'], cwd: existing, tmpDir: tmp, timeoutMs: 300_000 });
  if (first.exitCode !== 0) { out(`setup failed: ${first.stderrTail}\n`); return 1; }

  const runs = new Map<string, Measured[]>(cases.map((c) => [c.name, []]));
  let failed = false;
  // Cases alternate within each round, so a busy spell of the machine spreads over all of them.
  for (let r = 0; r < repeat; r++) {
    for (const c of cases) {
      const cwd = c.cwd();
      const m = await runMeasured({ label: `${c.name}-${r}`, args: [bin, ...c.args], cwd, tmpDir: tmp, timeoutMs: 300_000 });
      if (m.exitCode !== 0) { failed = true; out(`  ${c.name} exited ${m.exitCode}: ${m.stderrTail.slice(-400)}\n`); }
      if (c.name === 'none' && existsSync(path.join(cwd, '.halo-data'))) { failed = true; out('  none: a warehouse folder was created\n'); }
      runs.get(c.name)!.push(m);
      if (cwd !== existing) rmSync(cwd, { recursive: true, force: true });
    }
  }

  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  // CPU seconds of the process itself move less with the machine's load than wall time does.
  out(`  ${padRight('case', 8)} ${padRight('what', 38)} ${padLeft('median s', 9)} ${padLeft('min s', 7)} ${padLeft('CPU s (median)', 15)} ${padLeft('peak RSS MiB', 13)} ${padLeft('other CPU s', 12)}\n`);
  const figures: Record<string, { medianSeconds: number; minSeconds: number; cpuSeconds: number | null; peakRssMiB: number | null; runs: number }> = {};
  for (const c of cases) {
    const ms = runs.get(c.name)!;
    const walls = ms.map((m) => m.wallSeconds);
    const rss = ms.map((m) => m.maxRssKb).filter((x): x is number => x !== null);
    const other = ms.map((m) => m.otherCpuSeconds ?? 0);
    const cpu = ms.map((m) => m.cpuSeconds).filter((x): x is number => x !== null);
    figures[c.name] = { medianSeconds: median(walls), minSeconds: Math.min(...walls), cpuSeconds: cpu.length ? median(cpu) : null, peakRssMiB: rss.length ? Math.max(...rss) / 1024 : null, runs: ms.length };
    out(`  ${padRight(c.name, 8)} ${padRight(c.what, 38)} ${padLeft(fixed(median(walls)), 9)} ${padLeft(fixed(Math.min(...walls)), 7)} ${padLeft(cpu.length ? fixed(median(cpu)) : '?', 15)} ${padLeft(rss.length ? String(Math.round(Math.max(...rss) / 1024)) : '?', 13)} ${padLeft(fixed(median(other)), 12)}\n`);
  }
  if (values.json) process.stdout.write(JSON.stringify({ repeat, cases: figures }, null, 2) + '\n');
  return failed ? 1 : 0;
}
