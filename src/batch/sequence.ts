import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeTime } from 'ulid';
import type { Lake } from '../lake/lake.js';
import { HaloError } from '../errors.js';

/**
 * The order of one source's batches, whatever the host's clock says.
 *
 * Batch ids are ULIDs: their first 10 characters are a time in milliseconds, and the
 * warehouse decides which batch is newer by comparing batch ids (a claim correction wins
 * over the claim it corrects because its batch id is greater). The time part is therefore a
 * hybrid logical clock per source: max(now, highest known + 1 ms), where the highest known
 * is the greatest of
 *   - the local state (`<state>/sequence-<source>.json`, the last value handed out here),
 *   - the newest batch folder in the lake for the source (so a new bastion host, or lost
 *     local state, continues after what the lake holds),
 *   - the newest fetch folder in the landing folder (fetched, not staged yet).
 * A host clock set back never makes a batch older than the last one; a clock set forward
 * and back again leaves ids running on from the forward time until the clock catches up.
 * The value is also the manifest's `sequence`.
 */
export interface SequenceDeps {
  lake: () => Promise<Lake>;
  /** Folder of the local state files (.halo-data/state). */
  stateDir: string;
  /** The landing folder; its `<source>/<fetch id>` folders count as known. */
  landingRoot?: string;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const DT = /^dt=\d{4}-\d{2}-\d{2}$/;

const stateFile = (dir: string, source: string) => join(dir, `sequence-${source}.json`);

async function localLast(dir: string, source: string): Promise<number> {
  try {
    const v = JSON.parse(await readFile(stateFile(dir, source), 'utf8')) as { last?: unknown };
    return typeof v.last === 'number' && Number.isFinite(v.last) ? v.last : 0;
  } catch {
    return 0; // none yet, or unreadable: the lake still knows
  }
}

/**
 * The time of the source's newest batch in the lake (0 when none): lake keys are
 * `<source>/dt=YYYY-MM-DD/<batch id>/…` and dt is the batch id's day, so the newest dt
 * folder holding a batch holds the newest batch; two short listings, not the whole source.
 */
export async function newestInLake(lake: Lake, source: string): Promise<number> {
  const days = (await lake.listFolders(`${source}/`)).filter((d) => DT.test(d)).sort().reverse();
  for (const day of days) {
    const ids = (await lake.listFolders(`${source}/${day}/`)).filter((b) => ULID.test(b)).sort();
    if (ids.length) return decodeTime(ids[ids.length - 1]);
  }
  return 0;
}

/**
 * The lake's newest batch, or 0 when the lake cannot be reached: files are still fetched
 * while the lake is down (their stage waits for it), ordered by the local state and landing
 * folder. Only a host that lost its state while the lake was down can then go by its clock.
 */
async function lakeFloor(deps: SequenceDeps, source: string): Promise<number> {
  try {
    return await newestInLake(await deps.lake(), source);
  } catch (e) {
    if (e instanceof HaloError && e.fault === 'service') return 0;
    throw e;
  }
}

async function newestLanded(landingRoot: string, source: string): Promise<number> {
  const names = await readdir(join(landingRoot, source)).catch(() => [] as string[]);
  const ids = names.filter((n) => ULID.test(n)).sort();
  return ids.length ? decodeTime(ids[ids.length - 1]) : 0;
}

/** The next time (ms) for an id of `source`: never at or below one handed out or seen before. Saved before it is returned. */
export async function nextSequence(source: string, now: number, deps: SequenceDeps): Promise<number> {
  const known = Math.max(
    await localLast(deps.stateDir, source),
    await lakeFloor(deps, source),
    deps.landingRoot ? await newestLanded(deps.landingRoot, source) : 0,
  );
  const next = Math.max(Math.trunc(now), known + 1);
  await mkdir(deps.stateDir, { recursive: true });
  const file = stateFile(deps.stateDir, source);
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify({ version: 1, last: next }) + '\n');
  await rename(tmp, file);
  return next;
}
