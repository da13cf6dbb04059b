/**
 * Child: halo-data's own normaliser, from the compiled build (dist/), on <input.csv>:
 *   normalize.ts <normalize-file.js> <input.csv> <out.csv.gz> [threads]
 *
 * The module path comes from the parent (an absolute path, imported as a file URL) because
 * this script runs bundled from another folder; it is imported dynamically so that this file
 * compiles, and the bench still runs, before src/files/normalize-file.ts exists.
 */
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { arg, runChild } from './result.js';

/** The contract agreed with src/files/normalize-file.ts. */
export interface NormalizeFileResult {
  rows: number;
  validRows: number;
  errors: number;
  bytesRead: number;
  bytesWritten: number;
}
interface NormalizeFileModule {
  normalizeFile(options: {
    path: string;
    schema: 'merchant_inventory';
    outFile: string;
    threads?: number;
  }): Promise<NormalizeFileResult>;
}

runChild(async () => {
  const modulePath = arg(0, 'normalize-file.js');
  if (!fs.existsSync(modulePath)) throw new Error(`${modulePath} missing — run npm run build`);
  const mod = (await import(pathToFileURL(modulePath).href)) as Partial<NormalizeFileModule>;
  if (typeof mod.normalizeFile !== 'function') throw new Error(`${modulePath} does not export normalizeFile`);
  const threadsArg = process.argv[2 + 3];
  const started = performance.now();
  const result = await mod.normalizeFile({
    path: arg(1, 'input.csv'),
    schema: 'merchant_inventory',
    outFile: arg(2, 'out.csv.gz'),
    ...(threadsArg ? { threads: Number(threadsArg) } : {}),
  });
  return { ...result, seconds: (performance.now() - started) / 1000 };
});
