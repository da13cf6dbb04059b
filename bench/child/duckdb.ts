/** Child: DuckDB parse + normalise + gzip of <input.csv> into <out.csv.gz> with <threads>. */
import { runDuckdb } from '../duckdb.js';
import { arg, runChild } from './result.js';

runChild(() => runDuckdb(arg(0, 'input.csv'), arg(1, 'out.csv.gz'), Number(arg(2, 'threads'))));
