import { join } from 'node:path';
import type { CommandContext } from './context.js';
import { resolvePath } from '../config/load.js';
import { chosenSources, openSource } from '../sources/open.js';
import { fetchSource, type SourceFetch } from '../pipeline/fetch.js';
import { nextSequence } from '../batch/sequence.js';
import { openLake } from '../lake/open.js';
import type { Lake } from '../lake/lake.js';
import { hostNow } from '../util/clock.js';
import { formatBytes } from '../output/size.js';
import { undoingNewFolders } from '../util/scratch-folders.js';
import { writeResult } from '../output/result.js';

export interface FetchCommandOptions { sources: string[]; dryRun: boolean }

/**
 * Downloads what is new or changed (and stable) from each source into the landing folder.
 * Exit 1 when a file was refused (a name that would leave the landing folder).
 */
export async function fetchCommand(opts: FetchCommandOptions, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const landingRoot = resolvePath(config, config.landing ?? './.halo-data/landing');
  const stateDir = resolvePath(config, './.halo-data/state');
  const results: SourceFetch[] = [];
  let lake: Promise<Lake> | null = null;
  const progress = ctx.progress('fetching…', 'fetch');
  try {
    for (const s of chosenSources(config, opts.sources)) {
      progress.begin('fetch', `${s.name}: connecting`, {}, { source: s.name });
      const src = await openSource(config, s);
      try {
        const fetch = () => fetchSource(src, {
          landingRoot, stateFile: join(stateDir, `fetch-${s.name}.json`), stableAfterMs: (s.stableAfterSeconds ?? 60) * 1000, dryRun: opts.dryRun, concurrency: s.concurrency,
          now: hostNow(ctx.env), sequence: (now) => nextSequence(s.name, now, { lake: () => (lake ??= openLake(config)), stateDir, landingRoot }), progress,
        });
        // A dry run leaves nothing behind, not even the default inbox that listing it makes.
        const r = opts.dryRun && s.type === 'local' ? await undoingNewFolders(resolvePath(config, s.path ?? '.'), fetch) : await fetch();
        results.push(r);
        progress.done(`${s.name}: ${opts.dryRun ? 'would fetch' : 'fetched'} ${r.fetched.length} file${r.fetched.length === 1 ? '' : 's'} (${formatBytes(r.bytes)})`);
        ctx.log.info(opts.dryRun ? 'fetch (dry run)' : 'fetched', { source: s.name, files: r.fetched.length, bytes: r.bytes, unchanged: r.unchanged, waiting: r.waiting.length, refused: r.refused.length });
      } finally {
        await src.close();
      }
    }
  } finally {
    progress.stop();
  }
  writeResult(ctx, 'fetch finished', { dryRun: opts.dryRun, landing: landingRoot, sources: results }, () => {
    for (const r of results) {
      const verb = opts.dryRun ? 'would fetch' : 'fetched';
      ctx.stdout.write(`${r.source} (${r.describe}): ${verb} ${r.fetched.length} file${r.fetched.length === 1 ? '' : 's'}, ${formatBytes(r.bytes)}`
        + `${!opts.dryRun && r.fetched.length ? ` into ${join(landingRoot, r.source, r.fetchId)}` : ''}; ${r.unchanged} unchanged\n`);
      for (const f of r.fetched) ctx.stdout.write(`  ${f.path}  ${formatBytes(f.bytes)}\n`);
      for (const w of r.waiting) ctx.stdout.write(`  waiting: ${w.path} (${w.why})\n`);
      for (const x of r.refused) ctx.stdout.write(`  refused: ${x.path} (${x.why})\n`);
    }
  });
  return results.some((r) => r.refused.length) ? 1 : 0;
}
