import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UsageError } from '../errors.js';
import { SUPPORTED_EXTENSIONS } from '../loaders/detect.js';

/**
 * Paths, folders and globs as given on the command line → files, in a stable order.
 * A named file that does not exist is a usage error (exit 2); a folder gives its
 * supported files, recursively; a glob that matches nothing is an error too.
 */
export async function expandInputs(inputs: string[], cwd = process.cwd()): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => { const abs = resolve(cwd, p); if (!seen.has(abs)) { seen.add(abs); out.push(p); } };
  for (const input of inputs) {
    const st = await stat(resolve(cwd, input)).catch(() => null);
    if (st?.isFile()) { add(input); continue; }
    if (st?.isDirectory()) {
      const found = await glob(`**/*{${SUPPORTED_EXTENSIONS.join(',')}}`, { cwd: resolve(cwd, input), onlyFiles: true, caseSensitiveMatch: false });
      found.sort().forEach((f) => add(`${input.replace(/\/$/, '')}/${f}`));
      continue;
    }
    if (isDynamicPattern(input)) {
      const found = (await glob(input, { cwd, onlyFiles: true })).sort();
      if (found.length === 0) throw new UsageError('no-such-file', `no file matches ${input}`);
      found.forEach(add);
      continue;
    }
    throw new UsageError('no-such-file', `no such file or folder: ${input}`);
  }
  return out.filter((p) => SUPPORTED_EXTENSIONS.includes(extname(p).toLowerCase()) || inputs.includes(p));
}
