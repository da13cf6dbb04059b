/**
 * Hostile and malformed inputs (issue 7): every file of test/support/hostile-corpus.ts,
 * generated into a temporary folder, through the built CLI as a child process with a hard
 * timeout. For each: the expected exit code and problem code in the JSON report, no crash
 * (no "internal error", no stack trace, a report on stdout), bounded time and peak memory
 * (RSS of the whole process, worker threads included), and no personal value in any output.
 * A subset is also staged into a lake of its own: a bad file is refused with exit 1 and
 * leaves no batch at all (and no local build folder); a valid one gives a complete batch
 * whose normalised cells are exactly as sent.
 *
 * The table of time and peak memory per file is printed as test diagnostics at the end.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { assertNoPersonalData } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { runMeasured, type MeasuredRun } from '../support/measure.js';
import { writeCorpus, type HostileCase, type JsonReport } from '../support/hostile-corpus.js';

/** Per file, unless the case says less: generous, but far from "unbounded". */
const MAX_SECONDS = 60;
const MAX_RSS_MIB = 1536;
/** The child is killed past this: a hang shows as a failure with its measurements, not a stuck run. */
const KILL_AFTER_MS = 90_000;

const tmp = tempDir('halo-hostile-');
after(() => tmp.cleanup());

const generated = performance.now();
const corpus = await writeCorpus(join(tmp.path, 'corpus'));
const generateSeconds = (performance.now() - generated) / 1000;

interface Row { what: string; file: string; expected: string; exit: number; seconds: number; rssMiB: number | null }
const table: Row[] = [];

const mib = (kib: number | null) => (kib === null ? null : Math.round(kib / 1024));

/** No crash: the tool's own error path, not node's. */
function assertNoCrash(r: MeasuredRun, where: string): void {
  assert.equal(r.timedOut, false, `${where}: killed after ${KILL_AFTER_MS / 1000} s`);
  assert.equal(r.signal, null, `${where}: died of ${r.signal}`);
  assert.doesNotMatch(r.stderr, /internal error/i, `${where}: ${r.stderr.slice(0, 500)}`);
  assert.doesNotMatch(r.stderr, /^\s+at .*:\d+:\d+\)?$/m, `${where}: a stack trace on stderr`);
  assert.doesNotMatch(r.stderr, /FATAL ERROR|heap out of memory|Aborted/i, `${where}: ${r.stderr.slice(0, 500)}`);
}

function assertBounds(r: MeasuredRun, c: HostileCase, where: string): void {
  const maxSeconds = c.maxSeconds ?? MAX_SECONDS;
  const maxRss = c.maxRssMiB ?? MAX_RSS_MIB;
  assert.ok(r.seconds < maxSeconds, `${where}: took ${r.seconds.toFixed(1)} s (bound ${maxSeconds} s)`);
  assert.notEqual(r.peakRssKiB, null, `${where}: peak memory not measured`);
  assert.ok(r.peakRssKiB! / 1024 < maxRss, `${where}: peak RSS ${mib(r.peakRssKiB)} MiB (bound ${maxRss} MiB)`);
}

describe(`hostile corpus: ${corpus.cases.length} files through halo-data validate (generated in ${generateSeconds.toFixed(1)} s)`, () => {
  test('the corpus has at least 40 distinct cases', () => {
    assert.ok(corpus.cases.length >= 40, String(corpus.cases.length));
    assert.equal(new Set(corpus.cases.map((c) => c.name)).size, corpus.cases.length);
  });

  for (const c of corpus.cases) {
    test(`${c.name}: ${c.what} → exit ${c.exit}${c.code ? `, ${c.code}` : ''}`, { timeout: KILL_AFTER_MS + 30_000 }, async () => {
      // --verbose: personal data must stay out of the logs at every verbosity.
      const r = await runMeasured(['validate', c.path, ...c.args, '--config', corpus.configs[c.config], '--json', '--verbose', '--log-format', 'text'],
        { timeoutMs: KILL_AFTER_MS });
      table.push({ what: 'validate', file: c.name, expected: `${c.exit} ${c.code ?? '-'}`, exit: r.code, seconds: r.seconds, rssMiB: mib(r.peakRssKiB) });
      assertNoCrash(r, c.name);
      assertNoPersonalData(r.stdout + r.stderr, c.name);
      assert.equal(r.code, c.exit, `${c.name}: exit ${r.code}; stderr: ${r.stderr.slice(0, 300)}`);
      const report = JSON.parse(r.stdout) as JsonReport;
      assert.equal(report.files.length, 1);
      const f = report.files[0];
      assert.equal(report.valid, c.exit === 0);
      if (c.code !== null) {
        const found = f.errors.filter((p) => p.code === c.code);
        assert.ok(found.length > 0, `${c.name}: no ${c.code} among ${JSON.stringify(f.errors.map((p) => p.code))}`);
        if (c.severity) assert.ok(found.some((p) => p.severity === c.severity), `${c.name}: ${c.code} is not a ${c.severity}`);
      }
      if (c.exit === 1) assert.ok(f.errorCount > 0);
      const complaint = c.check?.(f) ?? null;
      assert.equal(complaint, null, `${c.name}: ${complaint}`);
      assertBounds(r, c, c.name);
    });
  }
});

describe('hostile corpus: stage writes no partial batch', () => {
  const staged = corpus.cases.filter((c) => c.stage);

  test('the subset covers CSV, XLSX, XLS and PDF, refused and valid', () => {
    for (const ext of ['.csv', '.xlsx', '.xls', '.pdf']) assert.ok(staged.some((c) => c.name.endsWith(ext)), ext);
    assert.ok(staged.filter((c) => c.exit === 1).length >= 10);
    assert.ok(staged.some((c) => c.exit === 0));
  });

  for (const c of staged) {
    const schemaArgs = c.args.includes('--schema') ? c.args : [...c.args, '--schema', 'claim_pdf'];
    const exit = c.stageExit ?? c.exit;
    test(`stage ${c.name} → ${exit === 1 ? 'refused, no batch' : 'one complete batch, cells as sent, rejects masked'}`, { timeout: KILL_AFTER_MS + 30_000 }, async () => {
      const lake = join(tmp.path, 'lakes', c.name);
      const buildTmp = join(tmp.path, 'build-tmp', c.name);
      mkdirSync(buildTmp, { recursive: true });
      // A lake and a TMPDIR of its own: what this stage left behind is all there is to see.
      // Claims are staged with members as a keyed hash: the key is needed (and never in a part).
      const env = { HALO_DATA_LAKE_URL: lake, TMPDIR: buildTmp, HALO_DATA_MEMBER_KEY: 'hostile-test-member-key' };
      const r = await runMeasured(['stage', c.path, ...schemaArgs, '--source', 'hostile', '--config', corpus.configs[c.config], '--json'],
        { timeoutMs: KILL_AFTER_MS, env });
      table.push({ what: 'stage', file: c.name, expected: exit === 1 ? '1 refused' : '0 batch', exit: r.code, seconds: r.seconds, rssMiB: mib(r.peakRssKiB) });
      assertNoCrash(r, `stage ${c.name}`);
      assertNoPersonalData(r.stdout + r.stderr, `stage ${c.name}`);
      assert.equal(r.code, exit, `stage ${c.name}: exit ${r.code}; ${r.stderr.slice(0, 300)}`);

      const list = await runMeasured(['batches', 'list', '--json', '--config', corpus.configs[c.config]], { timeoutMs: KILL_AFTER_MS, env });
      assertNoCrash(list, `batches list after ${c.name}`);
      assert.equal(list.code, 0, list.stderr);
      const batches = (JSON.parse(list.stdout) as { batches: Array<{ batchId: string; status: string }> }).batches;
      const manifests = findFiles(lake, 'manifest.json');
      if (exit === 1) {
        assert.deepEqual(batches, [], `stage ${c.name}: a refused stage leaves no batch, complete or not`);
        assert.deepEqual(manifests, []);
        assert.deepEqual(findFiles(lake, null), [], `stage ${c.name}: nothing at all in the lake`);
        assert.deepEqual(readdirSync(buildTmp).filter((n) => n.startsWith('halo-batch-')), [], 'the local build folder is removed');
      } else {
        assert.equal(batches.length, 1);
        assert.equal(batches[0].status, 'complete');
        assert.equal(manifests.length, 1);
        const parts = findFiles(lake, null).filter((p) => /\/normalized\/part-\d+\.csv\.gz$/.test(p));
        assert.ok(parts.length > 0);
        const cells = new Set(parts.flatMap((p) => (parse(gunzipSync(readFileSync(p)).toString('utf8'), { relax_column_count: true }) as string[][]).flat()));
        for (const want of c.stagedCells ?? []) assert.ok(cells.has(want), `stage ${c.name}: the normalised output lacks the cell ${JSON.stringify(want)}`);
        // Parts are what the warehouse COPYs: no personal value (members only as member_key).
        for (const p of parts) assertNoPersonalData(gunzipSync(readFileSync(p)).toString('utf8'), `stage ${c.name}: ${p.slice(lake.length)}`);
        // Rejected rows keep their values, personal fields masked.
        for (const p of findFiles(lake, 'rejects.ndjson.gz')) assertNoPersonalData(gunzipSync(readFileSync(p)).toString('utf8'), `stage ${c.name}: rejects`);
      }
      assertBounds(r, c, `stage ${c.name}`);
    });
  }
});

describe('hostile corpus: personal data in the text report', () => {
  test('the claim files and PDFs at once, text format, --verbose: no personal value in stdout or stderr', { timeout: 300_000 }, async () => {
    const files = corpus.cases.filter((c) => c.config === 'default' && !c.maxRssMiB && (c.name.startsWith('claims-') || c.name.endsWith('.pdf')));
    assert.ok(files.length >= 5);
    const r = await runMeasured(['validate', ...files.map((c) => c.path),
      '--schema', 'insurance_claim', '--config', corpus.configs.default, '--verbose', '--log-format', 'text'], { timeoutMs: 240_000 });
    assertNoCrash(r, 'text report');
    assert.equal(r.code, 1);
    assertNoPersonalData(r.stdout + r.stderr, 'text report');
  });
});

test('time and peak memory per file (printed below)', (t) => {
  const w = Math.max(...table.map((r) => r.file.length));
  t.diagnostic(`${'command'.padEnd(8)}  ${'file'.padEnd(w)}  ${'expected'.padEnd(18)}  exit  ${'seconds'.padStart(7)}  ${'peak RSS'.padStart(9)}`);
  for (const r of table) {
    t.diagnostic(`${r.what.padEnd(8)}  ${r.file.padEnd(w)}  ${r.expected.padEnd(18)}  ${String(r.exit).padStart(4)}  ${r.seconds.toFixed(2).padStart(7)}  ${(r.rssMiB === null ? '?' : `${r.rssMiB} MiB`).padStart(9)}`);
  }
  const worst = [...table].sort((a, b) => (b.rssMiB ?? 0) - (a.rssMiB ?? 0))[0];
  if (worst) t.diagnostic(`largest peak: ${worst.rssMiB} MiB (${worst.what} ${worst.file}); total ${table.reduce((s, r) => s + r.seconds, 0).toFixed(1)} s in ${table.length} runs`);
});

function findFiles(dir: string, name: string | null): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, name));
    else if (name === null || e === name) out.push(p);
  }
  return out;
}
