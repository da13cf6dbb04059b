import { basename } from 'node:path';
import { INVENTORY_SCHEMA, type HaloConfig, type InventoryMode } from '../config/types.js';
import { getSchema } from '../schemas/registry.js';
import { openLake } from '../lake/open.js';
import { BatchBuilder, DEFAULT_PART_BYTES } from '../batch/builder.js';
import { memberKeyFor } from '../batch/part-shape.js';
import type { Manifest } from '../batch/manifest.js';
import { validate } from '../files/validate.js';
import type { ValidateReport } from '../files/file-outcome.js';
import { DataError, UsageError } from '../errors.js';
import { isUnreadable, rejectRateVerdict, unreadableVerdict, type FileVerdict } from '../files/file-verdict.js';
import { problemLocation, WHOLE_FILE } from '../output/report/location.js';
import { boundedName } from '../util/bounded-name.js';
import { nextSequence, type SequenceDeps } from '../batch/sequence.js';
import { resolvePath } from '../config/load.js';
import { ulid } from 'ulid';
import type { StepProgress } from '../output/progress.js';

export interface StageOptions {
  inputs: string[];
  schema: string;
  source?: string;
  merchant?: string;
  config: HaloConfig;
  maxRejectRate: number;
  threads?: number;
  cwd?: string;
  partBytes?: number;
  /** A fixed batch id and time (see BatchBuilder); default a new ULID at the source's next sequence (batch/sequence.ts). */
  id?: { batchId: string; createdAt: Date };
  /** The host's time (default the clock); the batch's time is never below the source's newest batch. */
  now?: number;
  /**
   * Leave files that cannot be read out of the batch (reported in `skipped`) instead of
   * refusing it: run stages what it can and says which files it could not.
   */
  skipUnreadable?: boolean;
  /**
   * Judge the reject rate per file (run): a file over it is left out alone (in `refused`)
   * and the batch is made of the others. Default: over the whole batch (the stage command).
   */
  perFileRejectRate?: boolean;
  onFileDone?: Parameters<typeof validate>[0]['onFileDone'];
  /**
   * Each input's name at its source (run: the remote path), kept in the manifest beside its
   * raw/ name; merchantIdFrom is matched against it, not against the landing path.
   */
  originalNames?: Map<string, string>;
  /** Bytes per CSV chunk (tests: small, so a file's rows are written in many pieces). */
  csvChunkBytes?: number;
  /** Told the files, rows and bytes read (step `stage`), then the bytes put into the lake (step `upload`). */
  progress?: StepProgress;
  /**
   * HALO_DATA_MEMBER_KEY: claims' parts hold members only as its keyed hash of member_id
   * (batch/part-shape.ts), so staging claims needs it; other schemas do not.
   */
  memberKey?: string;
  /**
   * merchant_inventory: whether each merchant's rows are its whole catalogue or only what
   * changed (default full), written into the manifest. Other schemas have no mode and ignore it
   * (a source without a schema may stage both kinds from one fetch).
   */
  inventory?: InventoryMode;
}

export interface StageResult {
  batchId: string;
  lake: string;
  prefix: string;
  manifest: Manifest;
  report: ValidateReport;
  /** Files left out as unreadable (with skipUnreadable), with their first problem. */
  skipped: FileVerdict[];
  /** Files left out for their own reject rate (with perFileRejectRate). */
  refused: FileVerdict[];
}

/**
 * No file of the batch could be staged (with skipUnreadable or perFileRejectRate): each
 * file's own reason is in `files`, so run can name them one by one.
 */
export class NothingStagedError extends DataError {
  constructor(readonly files: FileVerdict[]) {
    super(files[0]?.code ?? 'unreadable-file', `none of the ${files.length} file(s) could be staged: ${files.map((f) => `${basename(f.path)} (${f.code})`).join(', ')}`,
      { hint: 'run halo-data validate on them for the details' });
  }
}

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Validates and normalises files (the validate pipeline, emitting), then writes them as one
 * batch to the lake: raw files, normalised parts, rejects, COPY manifest, manifest last.
 * Nothing is published when the files cannot be read or too many rows are rejected.
 */
export async function stage(opts: StageOptions): Promise<StageResult> {
  const schema = getSchema(opts.schema);
  const source = opts.source ?? 'manual';
  if (!SOURCE_NAME.test(source)) throw new UsageError('bad-option', `--source '${source}' is not a valid source name (letters, digits, . _ -)`);
  // Before anything is read or written: a claims batch cannot be built without the key.
  const memberKey = memberKeyFor(schema, opts.memberKey);
  const lake = await openLake(opts.config);
  // A one-off stage takes its source's next number, as run does (never the host clock alone).
  const id = opts.id ?? await sequencedId(source, opts.now ?? Date.now(), { lake: async () => lake, stateDir: resolvePath(opts.config, './.halo-data/state') });
  const refused: FileVerdict[] = [];
  // Unreadable files found in any round: a later round is built without them, so its own
  // report no longer holds them (they were lost from the result: issue 15 item 3).
  const skipped: FileVerdict[] = [];
  let inputs = opts.inputs;
  // Rows of every file go into the batch's parts as they are read, so a file refused for its
  // own reject rate is taken out by building the batch again from the others: paid only when
  // a file is refused. Two rounds at most in practice (taking a file out can only remove
  // duplicates it caused in later files); the bound is a guard.
  for (let round = 0; ; round++) {
    const builder = new BatchBuilder(lake, source, schema, opts.partBytes ?? opts.config.lake.partBytes ?? DEFAULT_PART_BYTES, id, memberKey,
      stagedInventoryMode(schema.name, opts.inventory));
    await builder.open();
    try {
      const report = await validate({
        inputs, schema: opts.schema, merchant: opts.merchant, source: opts.source, config: opts.config, maxErrors: 1000,
        pathAtSource: opts.originalNames ? (p) => opts.originalNames!.get(p) : undefined,
        threads: opts.threads, cwd: opts.cwd, sinkFor: (_path, i) => builder.sink(i), onFileDone: opts.onFileDone,
        csvChunkBytes: opts.csvChunkBytes,
        progress: opts.progress, progressStep: { step: 'stage', text: `${source}: staging${round ? ' (again, without the files left out)' : ''}`, facts: { source } },
      });
      const unreadable = report.files.filter(isUnreadable);
      if (unreadable.length > 0 && !opts.skipUnreadable) {
        // Each file with its own reason: the readable ones over the rate are named too, so
        // fixing the unreadable file is not followed by a second surprise.
        const over = report.files.filter((f) => !unreadable.includes(f)).map((f) => rejectRateVerdict(f, opts.maxRejectRate)).filter((v): v is FileVerdict => v !== null);
        throw new DataError('unreadable-file', `${unreadable.length} file(s) could not be read, so no batch was written: ${unreadable.map((f) => `${basename(f.path)} (${f.problems[0]?.code}${where(f)})`).join(', ')}${over.length ? `; over the reject rate on their own: ${over.map((v) => `${basename(v.path)} (reject-rate: ${v.message.replace(/, more than .*$/, '')})`).join(', ')}` : ''}`,
          { hint: 'run halo-data validate on them for the details' });
      }
      // A file refused after some of its rows were written (a CSV broken near its end) leaves none.
      await builder.withdraw(report.files.flatMap((f, i) => (unreadable.includes(f) ? [i] : [])));
      skipped.push(...unreadable.map(unreadableVerdict));
      const kept = report.files.filter((f) => !unreadable.includes(f));
      if (opts.perFileRejectRate) {
        const over = kept.map((f) => rejectRateVerdict(f, opts.maxRejectRate)).filter((v): v is FileVerdict => v !== null);
        if (over.length && round < 8) {
          refused.push(...over);
          const out = new Set(over.map((v) => v.path));
          inputs = kept.filter((f) => !out.has(f.path)).map((f) => f.path);
          if (!inputs.length) throw new NothingStagedError([...skipped, ...refused]);
          continue;
        }
      }
      if (!kept.length && report.files.length) throw new NothingStagedError([...skipped, ...refused]);
      const rows = kept.reduce((n, f) => n + f.rows, 0);
      const rejected = rows - kept.reduce((n, f) => n + f.validRows, 0);
      const rate = rows === 0 ? 0 : rejected / rows;
      if (rate > opts.maxRejectRate) {
        throw new DataError('reject-rate', `${rejected} of ${rows} rows were rejected (${(rate * 100).toFixed(2)}%), more than --max-reject-rate ${opts.maxRejectRate}: no batch was written`,
          { hint: 'halo-data validate <files> shows the rejected rows and why' });
      }
      const names = rawNames(kept.map((f) => f.path));
      const originals = kept.map((f) => opts.originalNames?.get(f.path) ?? basename(f.path));
      opts.progress?.begin('upload', `${source}: writing batch ${builder.batchId} to the lake`, { bytes: 0 }, { source, batch: builder.batchId });
      const manifest = await builder.publish(kept, names, originals, (bytes, bytesTotal) => opts.progress?.count({ bytes, bytesTotal }));
      return { batchId: builder.batchId, lake: lake.url, prefix: builder.prefix, manifest, report, skipped, refused };
    } finally {
      await builder.close();
    }
  }
}

/**
 * The mode a batch's manifest records: every merchant_inventory batch says it outright (full
 * unless told delta), so a reader never has to guess what an absent field meant; other
 * schemas record none.
 */
export function stagedInventoryMode(schema: string, mode: InventoryMode | undefined): InventoryMode | undefined {
  return schema === INVENTORY_SCHEMA ? mode ?? 'full' : undefined;
}

/** Where the problem that refused a file is (", row N", ", page N"), named as validate's report names it. */
function where(f: ValidateReport['files'][number]): string {
  const p = f.problems[0];
  const at = p ? problemLocation(p, f).where : WHOLE_FILE;
  return at === WHOLE_FILE ? '' : `, ${at}`;
}

async function sequencedId(source: string, now: number, deps: SequenceDeps): Promise<{ batchId: string; createdAt: Date }> {
  const t = await nextSequence(source, now, deps);
  return { batchId: ulid(t), createdAt: new Date(t) };
}

/**
 * File names under raw/: the original names made safe for any lake (letters, digits, . _ -),
 * bounded (a long name is shortened with a hash of it, see boundedName), and unique in the
 * batch (a name met before gets a number in front, until it is one not used).
 */
export function rawNames(paths: string[]): string[] {
  const used = new Set<string>();
  return paths.map((p) => {
    const name = boundedName(basename(p).replace(/[^A-Za-z0-9._-]/g, '_'));
    let out = name;
    for (let n = 1; used.has(out); n++) out = `${n}-${name}`;
    used.add(out);
    return out;
  });
}
