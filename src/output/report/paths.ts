import { isAbsolute, relative, resolve, sep } from 'node:path';

/** `rel` (from path.relative) climbs out of its base folder. */
function outside(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** Paths in reports as the user gave them (relative to the working folder when inside it). */
export function displayPath(p: string, cwd = process.cwd()): string {
  if (!isAbsolute(p)) return p;
  const rel = relative(cwd, p);
  return rel && !outside(rel) ? rel : p;
}

/**
 * The path a GitHub annotation names: relative to the workspace (GITHUB_WORKSPACE, else the
 * working folder), with forward slashes, which is what GitHub matches against the
 * repository's files. A file outside the workspace keeps its path as given: no relative
 * path would name it in the repository either, and `../..` would only mislead.
 */
export function annotationPath(p: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const workspace = env.GITHUB_WORKSPACE ? resolve(cwd, env.GITHUB_WORKSPACE) : cwd;
  const rel = relative(workspace, resolve(cwd, p));
  if (!rel || outside(rel)) return p;
  return sep === '/' ? rel : rel.split(sep).join('/');
}
