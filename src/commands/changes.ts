import type { CommandContext } from './context.js';
import { requireExistingWarehouse } from '../warehouse/open.js';
import { currentVersion } from '../warehouse/schema.js';
import { feedBounds, parseSince, readChanges } from '../warehouse/changes.js';
import { CSV_CHANGES_HEADER, csvChange, ndjsonChange, ndjsonResume } from '../output/change-lines.js';
import { UsageError } from '../errors.js';

export interface ChangesOptions { since: string; source?: string; format: 'ndjson' | 'csv'; pageRows?: number }

/** The schema version that has fact_inventory_history and etl_batch.load_seq. */
const HISTORY_VERSION = 3;

/**
 * Writes a chunk, waiting while the reader is behind (backpressure: a page is held, never
 * the feed). False when the reader has gone (`| head` closed the pipe): nothing more to write.
 */
async function writeChunk(out: NodeJS.WritableStream, text: string): Promise<boolean> {
  const s = out as NodeJS.WritableStream & { destroyed?: boolean };
  if (s.destroyed) return false;
  if (out.write(text)) return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => { out.off('drain', drained); out.off('close', closed); out.off('error', closed); resolve(ok); };
    const drained = done(true);
    const closed = done(false);
    out.on('drain', drained);
    out.on('close', closed);
    out.on('error', closed);
  });
}

/**
 * `halo-data changes`: the inventory changes loaded after `--since`, in load order, streamed a
 * page at a time. NDJSON ends with `{"next":{"since":…},"changes":N}`; CSV says the same on
 * stderr (an info log line). Nothing at all is printed when no load committed after `--since`.
 */
export async function changesCommand(opts: ChangesOptions, ctx: CommandContext): Promise<number> {
  const since = parseSince(opts.since);
  const wh = await requireExistingWarehouse(ctx.config(), { log: ctx.log });
  try {
    const version = await currentVersion(wh);
    if (version < HISTORY_VERSION) {
      throw new UsageError('schema-too-old', `the warehouse's star schema is at version ${version}; the changes feed needs version ${HISTORY_VERSION} (fact_inventory_history)`,
        { hint: 'halo-data warehouse init upgrades it in place' });
    }
    // The embedded engine runs no autovacuum: statistics taken when the history was small
    // make the planner think a page is one row and join it by nested loops over whole tables
    // (25,000 changes: 457 s instead of 0.7 s). ANALYZE samples (~30,000 rows), so it costs
    // about a second even at 5.5 M rows. A server's autovacuum keeps them itself.
    if (wh.engine === 'pglite') {
      for (const s of ['fact_inventory_history', 'dim_product', 'etl_batch'].flatMap((t) => wh.dialect.analyze(`halo.${t}`))) await wh.query(s);
    }
    const bounds = await feedBounds(wh, since);
    if (!bounds) {
      ctx.log.debug('no load after --since: nothing to print', { since: opts.since });
      return 0;
    }
    const csv = opts.format === 'csv';
    if (csv && !(await writeChunk(ctx.stdout, CSV_CHANGES_HEADER))) return 0;
    let changes = 0;
    for await (const page of readChanges(wh, bounds, { source: opts.source, pageRows: opts.pageRows })) {
      let text = '';
      for (const c of page) text += csv ? csvChange(c) : ndjsonChange(c);
      changes += page.length;
      // The reader left: what it read stands; its next call resumes from its own last position.
      if (!(await writeChunk(ctx.stdout, text))) return 0;
    }
    if (csv) ctx.log.info(`continue with --since ${bounds.upToBatch}`, { next: { since: bounds.upToBatch }, changes });
    else await writeChunk(ctx.stdout, ndjsonResume(bounds.upToBatch, changes));
    return 0;
  } finally {
    await wh.close();
  }
}
