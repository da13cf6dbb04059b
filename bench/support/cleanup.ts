/**
 * Makes sure a benchmark run leaves nothing behind: child processes still running are killed
 * and registered temporary paths removed, on normal exit, on an uncaught error, and on
 * Ctrl-C / SIGTERM.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const paths = new Set<string>();
let installed = false;

function cleanUp(): void {
  for (const child of children) {
    // Only processes this harness started, by their own pid.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const p of paths) fs.rmSync(p, { recursive: true, force: true });
  paths.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping benchmark children and removing temp files\n`);
      cleanUp();
      process.exit(128 + (os.constants.signals[signal] ?? 1));
    });
  }
}

export function trackChild(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Removes `p` at exit (and on signals) unless removed earlier with `removeNow`. */
export function removeAtExit(p: string): string {
  install();
  paths.add(p);
  return p;
}

export function removeNow(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
  paths.delete(p);
}

/** A fresh directory under os.tmpdir(), removed at exit. */
export function makeTempDir(prefix: string): string {
  return removeAtExit(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}
