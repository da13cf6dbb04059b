import { isAbsolute, relative } from 'node:path';

/** Paths in reports as the user gave them (relative to the working folder when inside it). */
export function displayPath(p: string, cwd = process.cwd()): string {
  if (!isAbsolute(p)) return p;
  const rel = relative(cwd, p);
  return rel && !rel.startsWith('..') ? rel : p;
}
