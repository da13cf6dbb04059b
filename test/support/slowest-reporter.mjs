/**
 * A node:test reporter that prints, once the run is over, where the suite's time went: the
 * slowest test files, the slowest tests and the runner's wall time. It runs beside the spec
 * reporter (`--test-reporter=spec --test-reporter-destination=stdout
 * --test-reporter=./test/support/slowest-reporter.mjs --test-reporter-destination=stdout`),
 * so CI's log shows both the results and what to make faster.
 *
 * A file's time comes from the runner's own per-file record, which differs by Node version:
 * Node 20 wraps each file in a top-level test named by its path; Node 22 and later emit a
 * `test:summary` per file. On a version with neither, each file's top-level tests are summed.
 * A test is listed under the file that defines it; on Node 20 one defined in a support module
 * (a suite shared by several files) goes under the next test file to finish. Plain JavaScript, so
 * the runner can load it without a loader.
 */
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';

const TOP = Number(process.env.HALO_TEST_SLOWEST ?? 20);
const TEST_FILE = /\.test\.[cm]?[jt]s$/;

export default async function* slowestReporter(source) {
  const started = performance.now();
  const fileTime = new Map(); // file -> ms, from the runner's per-file record
  const fileSum = new Map(); // file -> ms, the sum of its top-level tests (fallback)
  const paths = new Map(); // file:line:column:name -> "suite › test", from test:start
  const stacks = new Map(); // file -> names by nesting, for the path of each test
  const tests = [];
  let unfiled = []; // tests since the last file wrapper (Node 20 streams a file's events as one block)

  for await (const event of source) {
    const d = event.data ?? {};
    const file = d.file ?? '';
    if (event.type === 'test:start' && file) {
      const stack = stacks.get(file) ?? [];
      stack.length = d.nesting;
      stack.push(d.name);
      stacks.set(file, stack);
      paths.set(key(d), stack.filter((n) => n !== file).join(' › '));
    } else if (event.type === 'test:summary' && d.file) {
      fileTime.set(d.file, d.duration_ms);
    } else if (event.type === 'test:complete' && d.nesting === 0 && d.name === file) {
      fileTime.set(file, d.details?.duration_ms ?? 0); // Node 20's per-file wrapper
      // A test's own `file` is where test() was called: for a suite defined in a support
      // module, Node 20 names the module; such a test is put under the wrapper that follows it
      // (files' events can interleave, so only those, not tests that name a test file).
      for (const t of unfiled) if (!TEST_FILE.test(t.file)) t.file = file;
      unfiled = [];
    } else if ((event.type === 'test:pass' || event.type === 'test:fail') && d.name !== file) {
      const ms = d.details?.duration_ms ?? 0;
      if (d.nesting === 0 && file) fileSum.set(file, (fileSum.get(file) ?? 0) + ms);
      if (d.details?.type !== 'suite') {
        const t = { file, name: paths.get(key(d)) ?? d.name, ms, failed: event.type === 'test:fail' };
        tests.push(t);
        unfiled.push(t);
      }
    }
  }

  // No per-file record at all (a Node version with neither): the files'
  // top-level tests, by the file that defines them.
  if (fileTime.size === 0) for (const [file, ms] of fileSum) fileTime.set(file, ms);
  const files = [...fileTime].map(([file, ms]) => ({ file, ms })).sort((a, b) => b.ms - a.ms);
  tests.sort((a, b) => b.ms - a.ms);

  const lines = ['', `slowest test files (of ${files.length}):`];
  for (const f of files.slice(0, TOP)) lines.push(`  ${secs(f.ms)}  ${rel(f.file)}`);
  lines.push('', `slowest tests (of ${tests.length}):`);
  for (const t of tests.slice(0, TOP)) lines.push(`  ${secs(t.ms)}  ${rel(t.file)} › ${t.name}${t.failed ? '  (failed)' : ''}`);
  const sum = files.reduce((s, f) => s + f.ms, 0);
  lines.push('', `test runner wall time ${secs(performance.now() - started).trim()}; the files' own times add up to ${secs(sum).trim()}`, '');
  yield lines.join('\n') + '\n';
}

function key(d) {
  return `${d.file}:${d.line}:${d.column}:${d.nesting}:${d.name}`;
}

function secs(ms) {
  return `${(ms / 1000).toFixed(1)} s`.padStart(8);
}

function rel(file) {
  return file ? relative(process.cwd(), file) : '(no file)';
}
