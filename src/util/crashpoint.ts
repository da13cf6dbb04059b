/**
 * Named points where a test can make the process die as `kill -9` would, to prove that a
 * crash there leaves nothing half-written: HALO_DATA_CRASHPOINT=<name> kills the process
 * with SIGKILL when it reaches that point. Unset (always, outside tests) it costs one
 * property read.
 */
export function crashpoint(name: string): void {
  if (process.env.HALO_DATA_CRASHPOINT === name) process.kill(process.pid, 'SIGKILL');
}

/** The points that exist, for the tests' matrix and the docs. */
export const CRASHPOINTS = [
  'stage:before-publish', // parts and rejects built locally, nothing in the lake yet
  'stage:after-raw', // raw files in the lake, no parts
  'stage:before-manifest', // everything but the manifest
  'lake:before-rename', // an object fully written under its temporary name (local lake)
  'load:before-merge', // a batch COPYed into staging, nothing merged (PGlite, PostgreSQL)
  'load:before-commit', // merged and the ledger row written, not committed
  'merge:before-merge', // merge of a staged batch, before its first statement
] as const;
