import { existsSync, writeFileSync } from 'node:fs';

/**
 * Named points where a test can make the process die as `kill -9` would, to prove that a
 * crash there leaves nothing half-written: HALO_DATA_CRASHPOINT=<name> kills the process
 * with SIGKILL when it reaches that point (`<name>#N`: the Nth time it is reached). Unset
 * (always, outside tests) it costs one property read.
 */
const seen = new Map<string, number>();

export function crashpoint(name: string): void {
  stallpoint(name);
  const want = process.env.HALO_DATA_CRASHPOINT;
  if (want === undefined || !want.startsWith(name)) return;
  if (want === name) process.kill(process.pid, 'SIGKILL');
  // `name#N`: the Nth time the point is reached (the second batch's commit, the third file…).
  const n = (seen.get(name) ?? 0) + 1;
  seen.set(name, n);
  if (want === `${name}#${n}`) process.kill(process.pid, 'SIGKILL');
}

/**
 * HALO_DATA_STALLPOINT=<name>:<ms>[:<file>] blocks the main thread there, as a long PGlite
 * statement does, for <ms> or until <file> exists: the tests hold a lock open at a known point
 * with it (a second command waits; SIGTERM arrives mid-load) and check that the heartbeat
 * still beats. Reached, it writes `<file>.reached`, so a test knows when to act.
 */
function stallpoint(name: string): void {
  const want = process.env.HALO_DATA_STALLPOINT;
  if (want === undefined || !want.startsWith(`${name}:`)) return;
  const [ms, file] = want.slice(name.length + 1).split(/:(.*)/s);
  // `<file>.reached` tells the test the point is reached (the process now waits for <file>).
  if (file) writeFileSync(`${file}.reached`, '');
  const until = Date.now() + Number(ms);
  const word = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < until && !(file && existsSync(file))) Atomics.wait(word, 0, 0, Math.min(50, until - Date.now()));
}

/** The points that exist, for the tests' matrix and the docs. */
export const CRASHPOINTS = [
  'fetch:after-list', // the source listed, nothing downloaded
  'fetch:before-rename', // a file downloaded under its temporary name
  'fetch:before-state', // files landed, the fetch state not saved
  'fetch:before-record', // the state saved, the fetch folder not marked finished
  'run:before-stage', // a fetched folder about to be staged
  'stage:part-written', // rows written to a local part file, nothing published
  'stage:before-publish', // parts and rejects built locally, nothing in the lake yet
  'stage:after-raw', // raw files in the lake, no parts
  'lake:before-rename', // an object fully written under its temporary name (local lake)
  'stage:before-manifest', // everything but the manifest
  'run:before-stage-record', // the batch complete in the lake, the folder not marked staged
  'run:after-stage-record', // the folder marked staged, nothing loaded
  'load:planned', // a batch's load planned from the ledger, its transaction not yet sent
  'load:before-copy', // the load transaction open, staging created, no rows copied
  'load:during-copy', // COPY under way (the first chunk sent)
  'load:before-merge', // a batch COPYed into staging, nothing merged (PGlite, PostgreSQL)
  'load:before-commit', // merged and the ledger row written, not committed
  'load:after-commit', // committed, run has not moved on
  'retry:file-moved', // refused retry: a file moved into the new fetch's hidden folder, not committed
  'run:before-retire', // a fetch's batches loaded, its landing folder still there
  'run:after-retire', // the landing folder gone, the source not finished
  'run:before-unlock', // every source done, run state and lock not yet written/released
  'merge:before-merge', // merge of a staged batch, before its first statement
] as const;
