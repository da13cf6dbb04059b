/**
 * Benchmark entry point: `npm run bench -- <name> [flags]`.
 *
 * Each benchmark is a module exporting `run(argv): Promise<exitCode>`, loaded only when asked
 * for, so one benchmark's dependencies (DuckDB, SheetJS, ...) never slow another's start-up.
 * To add one (pdf, ocr, stage, load, fetch), add a line to BENCHMARKS.
 */
interface Benchmark {
  run(argv: string[]): Promise<number>;
}

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  validate: () => import('./validate.js'),
  pdf: () => import('./pdf.js'),
  ocr: () => import('./ocr.js'),
  stage: () => import('./stage.js'),
  load: () => import('./load.js'),
  refresh: () => import('./refresh.js'),
  redshift: () => import('./redshift.js'),
  fetch: () => import('./fetch.js'),
  'warehouse-open': () => import('./warehouse-open.js'),
};

const [name, ...rest] = process.argv.slice(2);
const load = name === undefined ? undefined : BENCHMARKS[name];
if (!load) {
  process.stderr.write(
    `${name === undefined ? 'no benchmark named' : `unknown benchmark "${name}"`}\n` +
      `usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [flags]   (--help for a benchmark's flags)\n`,
  );
  process.exitCode = 2;
} else {
  process.exitCode = await (await load()).run(rest);
}
