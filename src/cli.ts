import { dirname } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { makeColor } from './output/color.js';
import { createLogger, type LogLevel } from './output/logger.js';
import { createProgress } from './output/progress.js';
import { loadConfig } from './config/load.js';
import { HaloError, ConfigError, exitCodeFor, EXIT, asDiskFull } from './errors.js';
import type { CommandContext } from './commands/context.js';
import type { HaloConfig } from './config/types.js';
import { VERSION } from './version.js';
import { errorFacts } from './output/error-facts.js';
import { setLockCommand } from './util/lock.js';
import { INPUTS_HELP } from './loaders/detect.js';
import { INIT_FLAGS } from './commands/init-answers.js';

/**
 * The command-line program: parses, registers commands, and is the one place that maps
 * errors to exit codes and text. Each command's code is imported only when it runs.
 */
interface GlobalOptions {
  config?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  logFormat?: 'auto' | 'text' | 'json';
}

function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'configuration file (else $HALO_DATA_CONFIG, else ./halo-data.config.yaml)')
    .option('--json', 'print the result as one JSON document on stdout')
    .option('-q, --quiet', 'only errors on stderr')
    .option('-v, --verbose', 'more detail on stderr, and stack traces for errors')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addOption(new Option('--log-format <format>', 'stderr log format').choices(['auto', 'text', 'json']).default('auto'));
}

function makeContext(g: GlobalOptions, io: Io): CommandContext {
  const color = makeColor(io.stdout as NodeJS.WriteStream, g.color === false, io.env);
  const errColor = makeColor(io.stderr as NodeJS.WriteStream, g.color === false, io.env);
  const level: LogLevel = g.verbose ? 'debug' : g.quiet ? 'error' : 'info';
  let config: HaloConfig | null = null;
  const log = createLogger({ stream: io.stderr, format: g.logFormat ?? 'auto', level, color: errColor });
  return {
    stdout: io.stdout,
    color,
    log,
    json: g.json === true,
    jsonLines: g.logFormat === 'json',
    quiet: g.quiet === true,
    verbose: g.verbose === true,
    config: () => (config ??= loadConfig({ configFile: g.config, env: io.env, cwd: io.cwd })),
    env: io.env,
    cwd: io.cwd,
    progress: (text, step) => createProgress({ stderr: io.stderr, log, json: g.json === true, quiet: g.quiet === true, env: io.env, color: errColor.level > 0 }, text, step),
  };
}

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function intOption(name: string) {
  return (v: string) => {
    const n = Number(v);
    // Commander reports it as its own usage error (prefixed and hinted like the others, exit 2).
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1.`);
    return n;
  };
}

/** A share of rows, 0 to 1: `abc`, `-1` or `5%` is a usage error, never NaN taken as a rate. */
function rateOption(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('--max-reject-rate must be a share of rows from 0 to 1 (0.01 is 1 %).');
  return n;
}

/**
 * Commander's own usage errors (unknown option or command, missing argument, bad value) in
 * the tool's voice: `halo-data: unknown option '--x'`, then `(see halo-data validate --help)`
 * naming the command that was called; main() makes them exit 2.
 */
function usageErrorsInOurVoice(cmd: Command, io: Io, jsonLog: boolean): void {
  const color = makeColor(io.stderr as NodeJS.WriteStream, false, io.env);
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  const help = `see ${names.join(' ')} --help`;
  cmd.configureOutput({
    outputError: (s, write) => write(jsonLog
      // --log-format json: one JSON event, the hint in it (no second line of text).
      ? JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'usage error', code: 'usage', error: s.trim().replace(/^error: /, ''), hint: help, exitCode: EXIT.usage }) + '\n'
      : s.replace(/^error: /, `${color.red('halo-data:')} `)),
  });
  cmd.showHelpAfterError(jsonLog ? false : color.gray(`(${help})`));
  for (const sub of cmd.commands) usageErrorsInOurVoice(sub, io, jsonLog);
}

/** --allow-shrink on load, merge, replay and run: the shrink guard (pipeline/load.ts, warehouse.shrinkGuardPercent) let through. */
const ALLOW_SHRINK_HELP = "apply a full catalogue even when it lists under half of a merchant's current products";

export function buildProgram(io: Io, setExit: (code: number) => void, jsonLog = false): Command {
  const program = new Command('halo-data');
  program
    .description('Moves partner pharmacy inventory and insurance-claim files into the warehouse: validate, stage, load, replay.')
    .version(VERSION, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    // Locks name the command that holds them (`halo-data warehouse query`), never its arguments (a query may quote a value).
    .hook('preAction', (_program, action) => {
      const names: string[] = [];
      for (let c: Command | null = action; c; c = c.parent) names.unshift(c.name());
      setLockCommand(names.join(' '));
    });
  addGlobalOptions(program);

  const validate = program.command('validate')
    .description('check files against a schema without changing anything')
    .argument('<paths...>', INPUTS_HELP)
    .option('--schema <name>', 'schema to check against (guessed from the headers when omitted)')
    .option('--merchant <id>', "whose file it is: fills merchant_id and applies that merchant's profile")
    .addOption(new Option('--format <format>', 'report format (default: github under GitHub Actions, else text)').choices(['text', 'json', 'junit', 'github']))
    .option('--max-errors <n>', 'problems kept per file (all are still counted)', intOption('--max-errors'), 1000)
    .option('--strict', 'warnings fail too (exit 1)', false)
    .option('-o, --output-file <file>', 'write the report to a file instead of stdout')
    .option('--threads <n>', 'worker threads for large CSV files (default: CPU cores)', intOption('--threads'))
    .addHelpText('after', `
Examples:
  $ halo-data validate fixtures/inventory --schema merchant_inventory
  $ halo-data validate 'drop/**/*.csv' --merchant M0042 --format junit -o report.xml
  $ halo-data validate claims.xlsx --schema insurance_claim --json`)
    .action(async (paths: string[], opts, cmd: Command) => {
      const { validateCommand } = await import('./commands/validate.js');
      const ctx = makeContext(cmd.optsWithGlobals(), io);
      const r = await validateCommand({
        inputs: paths, schema: opts.schema, merchant: opts.merchant, format: opts.format, maxErrors: opts.maxErrors,
        strict: opts.strict, outputFile: opts.outputFile, threads: opts.threads,
      }, ctx);
      setExit(r.exitCode);
    });
  addGlobalOptions(validate);

  const stageCmd = program.command('stage')
    .description('validate and normalise files, and write them as one batch to the lake')
    .argument('<paths...>', INPUTS_HELP)
    .requiredOption('--schema <name>', 'schema of the files')
    .option('--source <name>', 'source name the batch is filed under (default: manual)')
    .option('--merchant <id>', "whose files they are: fills merchant_id and applies that merchant's profile")
    .option('--max-reject-rate <r>', 'refuse (exit 1, no batch) when more than this share of rows is rejected', rateOption, 0.01)
    .option('--threads <n>', 'worker threads for large CSV files (default: CPU cores)', intOption('--threads'))
    .addOption(new Option('--inventory <mode>', "merchant_inventory: each merchant's rows are its whole catalogue (full: absent products are delisted) or only what changed (delta); default full, and a configured --source's own mode").choices(['full', 'delta']))
    .addHelpText('after', `
Examples:
  $ halo-data stage drop/M0042/stok.csv --schema merchant_inventory --merchant M0042 --source merchants
  $ halo-data stage drop/M0042/changes.csv --schema merchant_inventory --merchant M0042 --inventory delta
  $ halo-data stage claims/*.pdf --schema claim_pdf --source claim-pdfs --json`)
    .action(async (paths: string[], opts, cmd: Command) => {
      const { stageCommand } = await import('./commands/stage.js');
      const r = await stageCommand({
        inputs: paths, schema: opts.schema, source: opts.source, merchant: opts.merchant, maxRejectRate: opts.maxRejectRate, threads: opts.threads,
        inventory: opts.inventory,
      }, makeContext(cmd.optsWithGlobals(), io));
      setExit(r.exitCode);
    });
  addGlobalOptions(stageCmd);

  const batches = program.command('batches').description('what the lake holds');
  addGlobalOptions(batches.command('list').description('batches in the lake, complete or incomplete')
    .option('--source <name>', 'only this source')
    .option('--since <date>', 'only batches dated on or after YYYY-MM-DD')
    .option('--until <date>', 'only batches dated on or before YYYY-MM-DD')
    .option('--status <status>', 'complete or incomplete (in the lake); loaded, staged, failed or not-loaded (in the warehouse ledger)')
    .addHelpText('after', '\nExamples:\n  $ halo-data batches list --source merchants --since 2026-11-01\n  $ halo-data batches list --status incomplete --json')
    .action(async (opts, cmd: Command) => {
      const { batchesList } = await import('./commands/batches.js');
      setExit(await batchesList({ source: opts.source, since: opts.since, until: opts.until, status: opts.status }, makeContext(cmd.optsWithGlobals(), io)));
    }));
  addGlobalOptions(batches.command('show').description("a batch's manifest: files, parts, counts, checksums")
    .argument('<batch-id>', 'the batch id (a ULID)')
    .addHelpText('after', '\nExample:\n  $ halo-data batches show 01JD3Q7W0Y5R4M8Z2K6F9X1B3C --json')
    .action(async (id: string, _opts, cmd: Command) => {
      const { batchesShow } = await import('./commands/batches.js');
      setExit(await batchesShow(id, makeContext(cmd.optsWithGlobals(), io)));
    }));

  const fetch = program.command('fetch')
    .description('download new or changed files from each source into the landing folder')
    .option('--source <name>', 'only this source (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--dry-run', 'list what would be fetched, fetch nothing', false)
    .addHelpText('after', '\nExamples:\n  $ halo-data fetch\n  $ halo-data fetch --source merchants --dry-run --json')
    .action(async (opts, cmd: Command) => {
      const { fetchCommand } = await import('./commands/fetch.js');
      setExit(await fetchCommand({ sources: opts.source ?? [], dryRun: opts.dryRun === true }, makeContext(cmd.optsWithGlobals(), io)));
    });
  addGlobalOptions(fetch);

  const run = program.command('run')
    .description('fetch → stage → load → merge for every configured source (safe under cron: one run at a time)')
    .option('--source <name>', 'only this source (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--max-reject-rate <r>', "a file whose own rejected share of rows is above this is left out, kept in refused/ (exit 1); the others load", rateOption, 0.01)
    .option('--metrics-file <path>', "write the run's figures in Prometheus text format (node_exporter textfile collector)")
    .option('--allow-shrink', ALLOW_SHRINK_HELP, false)
    .addHelpText('after', `
Examples:
  $ halo-data run
  $ halo-data run --source merchants --metrics-file /var/lib/node_exporter/textfile/halo_data.prom
  */15 * * * * cd /opt/halo && halo-data run --quiet   # a crontab line: logs are JSON lines off a terminal`)
    .action(async (opts, cmd: Command) => {
      const { runCommand } = await import('./commands/run.js');
      setExit(await runCommand({ sources: opts.source ?? [], maxRejectRate: opts.maxRejectRate, metricsFile: opts.metricsFile, allowShrink: opts.allowShrink === true }, makeContext(cmd.optsWithGlobals(), io)));
    });
  addGlobalOptions(run);

  const doctor = program.command('doctor')
    .description('check the config and reach each SFTP source, the lake and the warehouse; a line per check with what to fix')
    .option('--trust-host <source>', "print the SFTP source's host-key fingerprint (and a known_hosts line) to pin; trusts nothing by itself")
    .addHelpText('after', '\nExamples:\n  $ halo-data doctor\n  $ halo-data doctor --trust-host merchants')
    .action(async (opts, cmd: Command) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      setExit(await doctorCommand({ trustHost: opts.trustHost }, makeContext(cmd.optsWithGlobals(), io)));
    });
  addGlobalOptions(doctor);

  const status = program.command('status')
    .description("freshness per source and merchant (last file, last load, rows, how late against expectEvery) and the files waiting in refused/; exit 1 when something is late past its bound; reads only")
    .option('--source <name>', 'only this source')
    .addHelpText('after', `
Examples:
  $ halo-data status
  $ halo-data status --source merchants --json
  5 * * * * cd /opt/halo && halo-data status --quiet > /dev/null || echo late   # exit 1: late past lateAfter`)
    .action(async (opts, cmd: Command) => {
      const { statusCommand } = await import('./commands/status.js');
      setExit(await statusCommand({ source: opts.source }, makeContext(cmd.optsWithGlobals(), io)));
    });
  addGlobalOptions(status);

  const refused = program.command('refused').description("files run left out (unreadable, unknown schema, too many rejected rows), kept in the landing folder's refused/");
  addGlobalOptions(refused.command('list').description('the files waiting in refused/, with their reason and age')
    .option('--source <name>', 'only this source')
    .addHelpText('after', '\nExamples:\n  $ halo-data refused list\n  $ halo-data refused list --source merchants --json')
    .action(async (opts, cmd: Command) => {
      const { refusedList } = await import('./commands/refused.js');
      setExit(await refusedList({ source: opts.source }, makeContext(cmd.optsWithGlobals(), io)));
    }));
  addGlobalOptions(refused.command('retry').description('stage refused files again (as they are now: fixed, or accepted with --max-reject-rate) and load them')
    .argument('[file|fetch-id...]', "a file's name or path at the source, or a fetch id (halo-data refused list)")
    .option('--source <name>', 'only files of this source')
    .option('--all', 'every file waiting (of --source, or of every source)', false)
    .option('--max-reject-rate <r>', 'for this retry only: a file whose rejected share of rows is above this is refused again (default 0.01)', rateOption)
    .addHelpText('after', '\nExamples:\n  $ halo-data refused retry stok-M0042.csv --max-reject-rate 1\n  $ halo-data refused retry 01JD3Q7W0Y5R4M8Z2K6F9X1B3C --source merchants --json\n  $ halo-data refused retry --all --source merchants')
    .action(async (targets: string[], opts, cmd: Command) => {
      const { refusedRetry } = await import('./commands/refused.js');
      setExit(await refusedRetry({ source: opts.source, targets, all: opts.all === true, maxRejectRate: opts.maxRejectRate }, makeContext(cmd.optsWithGlobals(), io)));
    }));

  const init = program.command('init')
    .description('writes a config file: a wizard on a terminal, or every answer from flags or --from-env (for provisioning scripts)')
    .option('-o, --output <file>', 'where to write it', 'halo-data.config.yaml')
    .option('--force', 'overwrite an existing file', false)
    .option('-y, --yes', 'ask nothing, even on a terminal: what no flag answers takes its default (an existing file still needs --force)', false)
    .option('--from-env', 'also read each answer from HALO_DATA_INIT_<FLAG> (e.g. HALO_DATA_INIT_SOURCE_TYPE; globs one per line), then from the HALO_DATA_* a flag names', false);
  // Every answer of the wizard as a flag; secrets are never answers (a key file path, variable NAMES).
  for (const f of INIT_FLAGS) {
    const help = `${f.help}${f.env ? ` [--from-env: ${f.env}]` : ''}`;
    if (f.many) init.option(`--${f.flag} <${f.arg}>`, help, (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    else init.option(`--${f.flag} <${f.arg}>`, help);
  }
  init
    .addHelpText('after', '\nWithout a terminal (or with --yes) nothing is asked; a missing answer is exit 2 naming its flag.\n'
      + '\nExamples:\n  $ halo-data init -o /etc/halo-data/config.yaml\n'
      + '  $ halo-data init --yes --source-type sftp --schema merchant_inventory --host sftp.example.co.id --user halo \\\n'
      + '      --private-key-file ~/.ssh/halo_ed25519 --lake s3://halo-lake/prod --lake-region ap-southeast-3 \\\n'
      + '      --warehouse postgres --warehouse-url postgres://halo@db.internal:5432/halo\n'
      + '  $ HALO_DATA_INIT_SOURCE_TYPE=local HALO_DATA_INIT_SCHEMA=claim_pdf halo-data init --from-env --yes')
    .action(async (opts, cmd: Command) => {
      const { initCommand } = await import('./commands/init.js');
      setExit(await initCommand({ output: opts.output, force: opts.force === true, yes: opts.yes === true, fromEnv: opts.fromEnv === true, answers: opts }, makeContext(cmd.optsWithGlobals(), io)));
    });
  addGlobalOptions(init);

  const load = program.command('load')
    .description('load batches from the lake into the warehouse (one transaction each)')
    .argument('<batch-id...>', 'batch ids (halo-data batches list)')
    .option('--force', 'load a batch again even if the ledger has it as loaded', false)
    .option('--no-merge', 'COPY into staging only (the ledger says staged); halo-data merge finishes it')
    .option('--allow-shrink', ALLOW_SHRINK_HELP, false)
    .addHelpText('after', '\nExamples:\n  $ halo-data load 01JD3Q7W0Y5R4M8Z2K6F9X1B3C\n  $ halo-data load 01JD3Q7W0Y5R4M8Z2K6F9X1B3C --no-merge && halo-data merge')
    .action(async (ids: string[], opts, cmd: Command) => {
      const { loadCommand } = await import('./commands/load.js');
      setExit(await loadCommand({ batchIds: ids, force: opts.force === true, merge: opts.merge !== false, allowShrink: opts.allowShrink === true }, makeContext(cmd.optsWithGlobals(), io)));
    });
  addGlobalOptions(load);

  const merge = program.command('merge')
    .description('merge batches that load --no-merge staged into the star schema (one transaction each)')
    .option('--batch <id>', 'only this batch (default: every staged batch, oldest first)')
    .option('--allow-shrink', ALLOW_SHRINK_HELP, false)
    .addHelpText('after', '\nExamples:\n  $ halo-data merge\n  $ halo-data merge --batch 01JD3Q7W0Y5R4M8Z2K6F9X1B3C')
    .action(async (opts, cmd: Command) => {
      const { mergeCommand } = await import('./commands/load.js');
      setExit(await mergeCommand({ batchId: opts.batch, allowShrink: opts.allowShrink === true }, makeContext(cmd.optsWithGlobals(), io)));
    });
  addGlobalOptions(merge);

  const replay = program.command('replay')
    .description('load batches again from the lake backup (a picker on a terminal when none is named)')
    .argument('[batch-id...]', 'batch ids')
    .option('--source <name>', 'batches of this source')
    .option('--since <date>', 'batches dated on or after YYYY-MM-DD')
    .option('--until <date>', 'batches dated on or before YYYY-MM-DD')
    .option('--dry-run', 'list what would load, load nothing', false)
    .option('--yes', 'do it without asking (required without a terminal)', false)
    .option('--allow-shrink', ALLOW_SHRINK_HELP, false)
    .addHelpText('after', '\nExamples:\n  $ halo-data replay                       # pick on a terminal\n  $ halo-data replay --source merchants --since 2026-11-01 --until 2026-11-07 --yes')
    .action(async (ids: string[], opts, cmd: Command) => {
      const { replayCommand } = await import('./commands/replay.js');
      setExit(await replayCommand({ batchIds: ids, source: opts.source, since: opts.since, until: opts.until, dryRun: opts.dryRun, yes: opts.yes, allowShrink: opts.allowShrink === true },
        makeContext(cmd.optsWithGlobals(), io), Boolean(process.stdin.isTTY)));
    });
  addGlobalOptions(replay);

  const changes = program.command('changes')
    .description('the inventory changes (new, changed, delisted, relisted) loaded after a batch or a time, in load order, streamed; the last line says where to continue')
    .requiredOption('--since <batch-id|time>', 'after this loaded batch (the "next" of the previous call), or after the loads finished by this ISO date or date-time (no zone = UTC)')
    .option('--source <name>', "only changes of this source's batches")
    .addOption(new Option('--format <format>', 'ndjson: a JSON object per line; csv: a header line, then RFC 4180 rows').choices(['ndjson', 'csv']).default('ndjson'))
    .addHelpText('after', `
Each change: kind (new, changed, delisted, relisted), merchant_id, merchant_sku, barcode,
old_price and old_stock (the product's previous version; empty for new), new_price,
new_stock, is_listed, observed_at (ISO 8601, UTC) and batch (the batch that observed it).
Changes come in the order loads committed them: a batch loaded late arrives after newer
ones, under its own older batch id.

Resuming: NDJSON's last line is {"next":{"since":"<batch id>"},"changes":N}; with csv the
same is an info line on stderr (--quiet hides it). Pass next.since as --since to get exactly
what was loaded since. Nothing is printed when nothing was loaded after --since. A call cut
short (no last line) is simply made again with the same --since.

Keeping a serving store in step: apply a change to a product only when its batch is not
older than the batch the store holds for that product (the warehouse's own rule), so a late
batch never overwrites newer state and reading a change twice changes nothing.

Examples:
  $ halo-data changes --since 2026-12-07T00:00:00Z > changes.ndjson
  $ halo-data changes --since "$(tail -1 changes.ndjson | jq -r .next.since)" --source merchants
  $ halo-data changes --since 01JD3Q7W0Y5R4M8Z2K6F9X1B3C --format csv > changes.csv`)
    .action(async (opts, cmd: Command) => {
      const { changesCommand } = await import('./commands/changes.js');
      setExit(await changesCommand({ since: opts.since, source: opts.source, format: opts.format }, makeContext(cmd.optsWithGlobals(), io)));
    });
  addGlobalOptions(changes);

  const warehouse = program.command('warehouse').description('the star schema in the warehouse');
  addGlobalOptions(warehouse.command('init').description('create or upgrade the star schema (idempotent)')
    .addHelpText('after', '\nExample:\n  $ halo-data warehouse init')
    .action(async (_o, cmd: Command) => {
      const { warehouseInit } = await import('./commands/warehouse.js');
      setExit(await warehouseInit(makeContext(cmd.optsWithGlobals(), io)));
    }));
  addGlobalOptions(warehouse.command('status').description('schema version, row counts (inventory current and history among them), and per source the last observed time and last load')
    .addHelpText('after', '\nExample:\n  $ halo-data warehouse status --json')
    .action(async (_o, cmd: Command) => {
      const { warehouseStatus } = await import('./commands/warehouse.js');
      setExit(await warehouseStatus(makeContext(cmd.optsWithGlobals(), io)));
    }));
  addGlobalOptions(warehouse.command('query').description('run a read-only SQL query')
    .argument('<sql>', 'the query (the star schema is in schema halo)')
    .addHelpText('after', '\nExample:\n  $ halo-data warehouse query "SELECT product_key, product_name, merchant_id, selling_price, merchants_in_stock FROM halo.v_product_best_price WHERE product_key = \'8992772311113\'" --json')
    .action(async (sql: string, _o, cmd: Command) => {
      const { warehouseQuery } = await import('./commands/warehouse.js');
      setExit(await warehouseQuery(sql, makeContext(cmd.optsWithGlobals(), io)));
    }));

  addGlobalOptions(warehouse.command('selftest')
    .description('in a scratch schema of the configured warehouse: init, load a small built-in batch, merge, load again, replay, check counts and the ledger, drop the scratch schema; a line per check')
    .addHelpText('after', '\nRun it once against a new cluster before the first cron run. The real schema (halo) is never touched.\n\nExample:\n  $ halo-data warehouse selftest --config /etc/halo-data/config.yaml')
    .action(async (_o, cmd: Command) => {
      const { warehouseSelftest } = await import('./commands/selftest.js');
      setExit(await warehouseSelftest(makeContext(cmd.optsWithGlobals(), io)));
    }));

  const schemas = program.command('schemas').description('the schemas files are checked against');
  addGlobalOptions(schemas.command('list').description('list the schemas')
    .addHelpText('after', '\nExample:\n  $ halo-data schemas list --json')
    .action(async (_opts, cmd: Command) => {
      const { schemasList } = await import('./commands/schemas.js');
      setExit(await schemasList(makeContext(cmd.optsWithGlobals(), io)));
    }));
  addGlobalOptions(schemas.command('show').description("a schema's fields, types, aliases and rules")
    .argument('<name>', 'schema name')
    .option('--json-schema', 'print a JSON Schema of the normalised row')
    .addHelpText('after', '\nExamples:\n  $ halo-data schemas show merchant_inventory\n  $ halo-data schemas show insurance_claim --json-schema')
    .action(async (name: string, opts, cmd: Command) => {
      const { schemasShow } = await import('./commands/schemas.js');
      setExit(await schemasShow({ name, jsonSchema: opts.jsonSchema === true }, makeContext(cmd.optsWithGlobals(), io)));
    }));
  const claims = program.command('claims').description('how claim documents are read: explain one, test templates against expected values');
  addGlobalOptions(claims.command('explain')
    .description('how one claim document was read: the reader or template and why, the page as lines with positions, each field with its label and where, the line items with their text lines, the checks and the verdict (personal values masked); exit 0 only when valid')
    .argument('<file>', 'a claim PDF')
    .option('--template <file>', 'also this template file (YAML or JSON); it wins over the configured and built-in ones')
    .addOption(new Option('--format <format>', 'output format (default text; --json = json)').choices(['text', 'json']))
    .addHelpText('after', `
Exit 0 when the verdict is valid; 1 when invalid, needs-review or unreadable; 2 when the file,
the config or a template is wrong.

Examples:
  $ halo-data claims explain drop/claims/HS-2026-00123.pdf
  $ halo-data claims explain claim.pdf --template templates/rs-sehat-sentosa.yaml
  $ halo-data claims explain claim.pdf --format json | jq '.fields[] | select(.value == null)'`)
    .action(async (file: string, opts, cmd: Command) => {
      const { claimsExplain } = await import('./commands/claims.js');
      setExit(await claimsExplain({ file, template: opts.template, format: opts.format }, makeContext(cmd.optsWithGlobals(), io)));
    }));
  addGlobalOptions(claims.command('test')
    .description('read every <name>.pdf in a folder that has a <name>.expected.json beside it and print the differences field by field and line by line; exit 1 when any differs')
    .argument('<dir>', 'a folder of claim PDFs and their expected.json files')
    .option('--template <file>', 'also this template file (repeatable); it wins over the configured and built-in ones', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--no-templates', 'the generic reader alone: no built-in or configured template')
    .addOption(new Option('--format <format>', 'output format (default text; --json = json)').choices(['text', 'json']))
    .addHelpText('after', `
Exit 0 when every document passes, 1 when any differs, 2 when the folder has no
<name>.expected.json or one is malformed (the message names the file and the key).

Examples:
  $ halo-data claims test tests/claims
  $ halo-data claims test tests/claims --template templates/rs-sehat-sentosa.yaml
  $ halo-data claims test tests/claims --no-templates --format json | jq .summary`)
    .action(async (dir: string, opts, cmd: Command) => {
      const { claimsTest } = await import('./commands/claims.js');
      setExit(await claimsTest({ dir, templates: opts.template ?? [], noTemplates: opts.templates === false, format: opts.format }, makeContext(cmd.optsWithGlobals(), io)));
    }));

  usageErrorsInOurVoice(program, io, jsonLog);
  return program;
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (c) => { exitCode = c; }, wantsJsonLog(argv));
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  if (argv.length <= 2) {
    io.stderr.write(program.helpInformation());
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      // `halo-data batches` without its subcommand: the help on stderr, and a usage error (like `halo-data` alone).
      if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : EXIT.usage;
      // Commander already printed its message (usageErrorsInOurVoice).
      return EXIT.usage;
    }
    // A full disk met where no boundary named the folder (a state file…): still said as such.
    const path = (err as NodeJS.ErrnoException | null)?.path;
    const e = asDiskFull(err, path ? dirname(path) : 'a folder halo-data writes to', 'the file being written was not completed');
    reportError(e, io, verbose, wantsJsonLog(argv), exitCodeFor(e));
    return exitCodeFor(e);
  }
}

export function reportError(err: unknown, io: Io, verbose: boolean, json = false, exitCode?: number): void {
  if (json) {
    // --log-format json: the error is one JSON event like every other line (no stack unless --verbose).
    const f = errorFacts(err);
    const stack = verbose && err instanceof Error && err.stack ? { stack: err.stack } : {};
    io.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: f.label, code: f.code, error: f.message, ...(f.hint ? { hint: f.hint } : {}), ...(exitCode !== undefined ? { exitCode } : {}), ...stack }) + '\n');
    return;
  }
  const color = makeColor(io.stderr as NodeJS.WriteStream, false, io.env);
  const f = errorFacts(err);
  io.stderr.write(`${color.red(`halo-data: ${f.label}:`)} ${f.message}\n`);
  if (f.hint) io.stderr.write(`  ${color.gray(f.hint)}\n`);
  if (!(err instanceof HaloError) && !verbose) io.stderr.write(`  ${color.gray('run again with --verbose for details')}\n`);
  if (verbose && err instanceof Error && err.stack) io.stderr.write(color.gray(err.stack) + '\n');
}

/** Whether the command line asks for JSON log lines (read before commander has parsed it, for errors of parsing too). */
export function wantsJsonLog(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--log-format=json' || (a === '--log-format' && argv[i + 1] === 'json'));
}
