import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UsageError } from '../errors.js';
import { FOLDER_EXTENSIONS } from '../loaders/detect.js';

/**
 * Paths, folders and globs as given on the command line → files, in a stable order.
 * A named file that does not exist is a usage error (exit 2); a named file is read whatever
 * its extension (its format comes from its first bytes, and for text from its extension:
 * .csv, .tsv, .txt; any other is reported as not a readable file). A folder gives its
 * FOLDER_EXTENSIONS files, recursively, and is an error when it holds none. A glob gives its
 * matches in those formats, plus files of any extension its last segment spells out
 * (`'notes/*.txt'`, `'*.{csv,txt}'`); a glob that matches nothing is an error too.
 */
export async function expandInputs(inputs: string[], cwd = process.cwd()): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => { const abs = resolve(cwd, p); if (!seen.has(abs)) { seen.add(abs); out.push(p); } };
  for (const input of inputs) {
    const st = await stat(resolve(cwd, input)).catch(() => null);
    if (st?.isFile()) { add(input); continue; }
    if (st?.isDirectory()) {
      const found = await glob(`**/*{${FOLDER_EXTENSIONS.join(',')}}`, { cwd: resolve(cwd, input), onlyFiles: true, caseSensitiveMatch: false });
      if (found.length === 0) {
        throw new UsageError('no-such-file', `no ${FOLDER_EXTENSIONS.map((e) => e.slice(1).toUpperCase()).join(', ')} file in the folder ${input}`,
          { hint: `to read files of another extension, name them or use a glob that spells it out, e.g. '${input.replace(/\/$/, '')}/*.txt'` });
      }
      found.sort().forEach((f) => add(`${input.replace(/\/$/, '')}/${f}`));
      continue;
    }
    if (isDynamicPattern(input)) {
      const found = (await glob(input, { cwd, onlyFiles: true })).sort().filter((p) => globTakes(input, p));
      if (found.length === 0) throw new UsageError('no-such-file', `no file matches ${input}`);
      found.forEach(add);
      continue;
    }
    throw new UsageError('no-such-file', `no such file or folder: ${input}`);
  }
  return out;
}

/** A glob's match is taken in a folder's formats, or when the glob's last segment spells its extension out. */
function globTakes(pattern: string, path: string): boolean {
  const ext = extname(path).toLowerCase();
  if (FOLDER_EXTENSIONS.includes(ext)) return true;
  if (!ext) return false;
  const last = pattern.slice(pattern.lastIndexOf('/') + 1).toLowerCase();
  return new RegExp(`[.{,]${ext.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[},]|$)`).test(last);
}
