/**
 * Shared tail of every bench/child script: run the work, hand its figures to the parent
 * through the file named by HALO_BENCH_RESULT_FILE (stdout is left to the code under test),
 * and exit explicitly so a stray open handle cannot hang the benchmark.
 */
import * as fs from 'node:fs';

export function runChild(main: () => Promise<unknown>): void {
  main().then(
    (result) => {
      const file = process.env.HALO_BENCH_RESULT_FILE;
      const json = JSON.stringify(result);
      if (file) fs.writeFileSync(file, json);
      else process.stdout.write(json + '\n');
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

/** The n-th command-line argument, or a usage error. */
export function arg(n: number, name: string): string {
  const value = process.argv[2 + n];
  if (value === undefined) throw new Error(`missing argument ${n + 1}: ${name}`);
  return value;
}
