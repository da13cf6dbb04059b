import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { confirm, input, number, select } from '@inquirer/prompts';
import type { CommandContext } from './context.js';
import { loadConfig } from '../config/load.js';
import { INVENTORY_SCHEMA, type InventoryMode } from '../config/types.js';
import { HaloError, InterruptedError, UsageError } from '../errors.js';
import { givenAnswers, answeringAsk, unusedFlags, MissingAnswers } from './init-answers.js';
import {
  SCHEMAS, DEFAULTS, buildConfig, renderConfigYaml, envNeeds, defaultGlob, normalizeFingerprint,
  checkSourceName, checkHost, checkPort, checkUser, checkFilePath, checkEnvName, checkFingerprint, checkGlob,
  checkMerchantIdFrom, checkS3Url, checkRegion, checkEndpoint, checkKmsKeyId, checkPostgresUrl, checkRoleArn,
  checkSecretArn, checkOptionalSecretArn, checkClusterId, checkWorkgroup, checkDbName,
  type Check, type WizardAnswers, type SourceAnswers, type SftpSourceAnswers, type LocalSourceAnswers, type SchemaName,
  type SftpAuth, type Passphrase, type HostKeyPolicy, type LakeAnswers, type WarehouseAnswers, type RedshiftTarget, type InitConfig,
} from './init-config.js';

/**
 * `halo-data init`: asks the questions on a terminal, or takes their answers from flags and
 * --from-env (init-answers.ts), then writes the config (0600, via a temporary file and a
 * rename, so a crash never leaves half a file) and proves it loads. Turning answers into
 * YAML is in init-config.ts; this file only asks and writes.
 */

export interface InitOptions {
  output: string;
  /** Overwrite an existing file (without asking). */
  force: boolean;
  /** Ask nothing, even on a terminal: what no flag answers takes its default. */
  yes?: boolean;
  /** Answers also from HALO_DATA_INIT_* (and the HALO_DATA_* a flag names). */
  fromEnv?: boolean;
  /** The answer flags as commander parsed them (INIT_FLAGS, camelCase). */
  answers?: Record<string, unknown>;
}

export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The prompts the flow needs, so the flow can be driven by a script in tests. */
export interface Ask {
  /** `key`: the flag that answers the question without asking it (init-answers.ts). */
  text(q: { key: string; message: string; default?: string; validate?: (v: string) => Check }): Promise<string>;
  choose<T extends string>(q: { key: string; message: string; choices: Array<{ value: T; name: string; description?: string; disabled?: string | false }>; default?: T }): Promise<T>;
  yesNo(q: { key: string; message: string; default: boolean }): Promise<boolean>;
  integer(q: { key: string; message: string; default: number; validate: (n: number | undefined) => Check }): Promise<number>;
  /** A line of explanation between questions. */
  note(text: string): void;
}

/**
 * On a terminal (and without --yes) the questions that no flag answered are asked. Otherwise
 * nothing is asked: unanswered questions take their defaults, and a missing answer without
 * one is exit 2 naming its flag.
 */
export async function initCommand(opts: InitOptions, ctx: CommandContext, terminal: Terminal = { input: process.stdin, output: ctx.stdout }): Promise<number> {
  const interactive = opts.yes !== true && terminal.input.isTTY === true && terminal.output.isTTY === true;
  const target = resolve(ctx.cwd, opts.output);
  const given = givenAnswers(opts.answers ?? {}, ctx.env, opts.fromEnv === true);
  const ask = answeringAsk(given, interactive ? inquirerAsk(terminal) : null);
  let config: InitConfig;
  let overwrite: boolean;
  try {
    requireWritableFolder(target);
    overwrite = await mayOverwrite(target, opts.force, interactive ? ask : null);
    ask.note('No secrets go in the file: for a password or passphrase you name the file or variable holding it.');
    const answers = await askAnswers(ask);
    if (ask.missing.length) throw new MissingAnswers(ask.missing);
    const unused = unusedFlags(opts.answers ?? {}, ask.asked);
    if (unused.length) throw new UsageError('unused-answer', `${unused.join(', ')} answer${unused.length === 1 ? 's' : ''} no question of this config (nothing was written)`, { hint: 'check the source type, lake and warehouse flags: halo-data init --help' });
    config = buildConfig(answers);
  } catch (e) {
    // inquirer rejects every pending prompt with ExitPromptError on Ctrl-C (and when the terminal goes away).
    if (e instanceof Error && e.name === 'ExitPromptError') throw new InterruptedError('init cancelled: nothing was written');
    throw e;
  }
  writeConfigFile(target, renderConfigYaml(config, new Date()), overwrite);
  report(target, config, ctx);
  return 0;
}

// ---------------------------------------------------------------------------------------
// Guards

/** Before the questions too: the nearest existing folder above the file must let us create it. */
function requireWritableFolder(target: string): void {
  let dir = dirname(target);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw cannotWrite(target, e);
  }
}

function cannotWrite(target: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new UsageError('cannot-write', `cannot write ${target} (${code})`, { hint: 'choose a place you can write to with -o FILE', cause: e });
}

/**
 * Asked before the questions, so nobody answers twenty of them to be told no at the end.
 * Without a prompt (`ask` null) an existing file is kept unless --force: --yes takes each
 * question's default, and this one's is no.
 */
async function mayOverwrite(target: string, force: boolean, ask: Ask | null): Promise<boolean> {
  const st = statSync(target, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new UsageError('output-is-folder', `${target} is a folder`, { hint: 'name a file with -o, e.g. -o halo-data.config.yaml' });
  if (!st || force) return force;
  if (ask && await ask.yesNo({ key: 'overwrite', message: `${target} exists. Overwrite it?`, default: false })) return true;
  throw new UsageError('output-exists', `${target} exists and was left as it is`, { hint: 'choose another file with -o FILE, or overwrite it with --force' });
}

// ---------------------------------------------------------------------------------------
// The questions

export async function askAnswers(ask: Ask): Promise<WizardAnswers> {
  const sources: SourceAnswers[] = [];
  do sources.push(await askSource(ask, sources.map((s) => s.name)));
  while (await ask.yesNo({ key: 'another-source', message: 'Add another source?', default: false }));
  const lake = await askLake(ask);
  const warehouse = await askWarehouse(ask, lake);
  return { sources, lake, warehouse };
}

async function askSource(ask: Ask, taken: string[]): Promise<SourceAnswers> {
  const type = await ask.choose({
    key: 'source-type',
    message: 'Where do the files come from?',
    choices: [{ value: 'sftp', name: 'an SFTP server' }, { value: 'local', name: 'a local folder' }],
  });
  const suggested = type === 'sftp' ? 'merchants' : 'inbox';
  const name = await ask.text({
    key: 'source-name',
    message: 'Source name (used by --source)',
    default: taken.includes(suggested) ? undefined : suggested,
    validate: (v) => checkSourceName(v, taken),
  });
  const schema = await ask.choose<SchemaName>({
    key: 'schema',
    message: 'What do the files hold (schema)?',
    choices: SCHEMAS.map((s) => ({ value: s.value, name: s.value, description: s.description })),
  });
  const inventory = schema === INVENTORY_SCHEMA ? await askInventory(ask) : undefined;
  const source = type === 'sftp' ? await askSftp(ask, name, schema) : await askLocal(ask, name, schema);
  return inventory ? { ...source, inventory } : source;
}

/** Asked of inventory sources only: whether a product missing from a merchant's file is delisted. */
async function askInventory(ask: Ask): Promise<InventoryMode> {
  return ask.choose<InventoryMode>({
    key: 'inventory',
    message: "Does each file list the merchant's whole catalogue?",
    default: 'full',
    choices: [
      { value: 'full', name: 'yes, the whole catalogue (full)', description: 'a product missing from a file is delisted; a file under half the listed products is refused unless loaded with --allow-shrink' },
      { value: 'delta', name: 'no, only what changed (delta)', description: 'a product missing from a file is kept as it was' },
    ],
  });
}

async function askSftp(ask: Ask, name: string, schema: SchemaName): Promise<SftpSourceAnswers> {
  const host = await ask.text({ key: 'host', message: 'SFTP host', validate: checkHost });
  const port = await ask.integer({ key: 'port', message: 'SFTP port', default: DEFAULTS.sftpPort, validate: checkPort });
  const user = await ask.text({ key: 'user', message: 'SFTP user', validate: checkUser });
  const auth = await askAuth(ask, host);
  const hostKey = await askHostKey(ask, name);
  const paths = await askGlobs(ask, 'Remote glob of the files to fetch', defaultGlob('sftp', schema));
  const merchantIdFrom = await askMerchantIdFrom(ask, schema === 'merchant_inventory' ? DEFAULTS.merchantIdFrom : undefined);
  return { type: 'sftp', name, schema, host, port, user, auth, hostKey, paths, ...(merchantIdFrom ? { merchantIdFrom } : {}) };
}

async function askLocal(ask: Ask, name: string, schema: SchemaName): Promise<LocalSourceAnswers> {
  const path = await ask.text({ key: 'folder', message: 'Folder the files arrive in', default: DEFAULTS.localFolder, validate: checkFilePath });
  const paths = await askGlobs(ask, 'Glob of the files, below that folder', defaultGlob('local', schema));
  const merchantIdFrom = await askMerchantIdFrom(ask, undefined);
  return { type: 'local', name, schema, path, paths, ...(merchantIdFrom ? { merchantIdFrom } : {}) };
}

async function askAuth(ask: Ask, host: string): Promise<SftpAuth> {
  const kind = await ask.choose({
    key: 'auth',
    message: `How does halo-data log in to ${host}?`,
    choices: [
      { value: 'key', name: 'a private key file' },
      { value: 'agent', name: 'ssh-agent (SSH_AUTH_SOCK)' },
      { value: 'password', name: 'a password, from an environment variable' },
    ],
  });
  if (kind === 'agent') return { kind };
  if (kind === 'password') {
    const env = await ask.text({ key: 'password-env', message: 'NAME of the environment variable holding the password', default: DEFAULTS.passwordEnv, validate: checkEnvName });
    return { kind, env };
  }
  const privateKeyFile = await ask.text({ key: 'private-key-file', message: 'Private key file', default: DEFAULTS.privateKeyFile, validate: checkFilePath });
  return { kind, privateKeyFile, passphrase: await askPassphrase(ask) };
}

async function askPassphrase(ask: Ask): Promise<Passphrase> {
  const from = await ask.choose({
    key: 'passphrase-from',
    message: 'Is the key protected by a passphrase?',
    default: 'none',
    choices: [
      { value: 'none', name: 'no' },
      { value: 'file', name: 'yes, the passphrase is in a file' },
      { value: 'env', name: 'yes, the passphrase is in an environment variable' },
    ],
  });
  if (from === 'file') return { from, file: await ask.text({ key: 'passphrase-file', message: 'File holding the passphrase', validate: checkFilePath }) };
  if (from === 'env') {
    return { from, name: await ask.text({ key: 'passphrase-env', message: 'NAME of the environment variable holding the passphrase', default: DEFAULTS.passphraseEnv, validate: checkEnvName }) };
  }
  return { from };
}

async function askHostKey(ask: Ask, name: string): Promise<HostKeyPolicy> {
  ask.note(`halo-data never trusts a host key on first use. Once the file is written, \`halo-data doctor --trust-host ${name}\` prints the server's fingerprint and a known_hosts line.`);
  const kind = await ask.choose({
    key: 'host-key',
    message: "How is the server's host key checked?",
    default: 'knownHosts',
    choices: [
      { value: 'knownHosts', name: 'against a known_hosts file' },
      { value: 'pinned', name: 'against a pinned SHA256 fingerprint' },
    ],
  });
  if (kind === 'knownHosts') return { kind, file: await ask.text({ key: 'known-hosts-file', message: 'known_hosts file', default: DEFAULTS.knownHostsFile, validate: checkFilePath }) };
  const sha256 = await ask.text({ key: 'host-key-sha256', message: 'Host key fingerprint (SHA256:...)', validate: checkFingerprint });
  return { kind, sha256: normalizeFingerprint(sha256) };
}

/** One glob per question: globs may hold commas (`*.{csv,xlsx}`), so a list on one line would be ambiguous. */
async function askGlobs(ask: Ask, message: string, suggested: string): Promise<string[]> {
  const globs = [await ask.text({ key: 'paths', message, default: suggested, validate: checkGlob })];
  for (;;) {
    const more = await ask.text({
      key: 'paths',
      message: 'Another glob (Enter when done)',
      validate: (v) => (!v ? true : globs.includes(v) ? 'that glob is already in the list' : checkGlob(v)),
    });
    if (!more) return globs;
    globs.push(more);
  }
}

async function askMerchantIdFrom(ask: Ask, suggested: string | undefined): Promise<string | undefined> {
  const v = await ask.text({
    key: 'merchant-id-from',
    message: `Merchant id in the file path, {merchant_id} marks it (${suggested ? 'Backspace then Enter' : 'Enter'} for none)`,
    default: suggested,
    validate: checkMerchantIdFrom,
  });
  return v || undefined;
}

async function askLake(ask: Ask): Promise<LakeAnswers> {
  const kind = await ask.choose({
    key: 'lake-kind',
    message: 'Where does the lake (the backup of every batch) live?',
    default: 'local',
    choices: [{ value: 'local', name: 'a local folder' }, { value: 's3', name: 'S3 or an S3-compatible store' }],
  });
  if (kind === 'local') return { kind, path: await ask.text({ key: 'lake', message: 'Lake folder', default: DEFAULTS.lakeFolder, validate: checkFilePath }) };
  const url = await ask.text({ key: 'lake', message: 'Lake URL (s3://bucket/prefix)', validate: checkS3Url });
  const region = await ask.text({ key: 'lake-region', message: 'Lake region', default: DEFAULTS.region, validate: checkRegion });
  const endpoint = await ask.text({ key: 'lake-endpoint', message: 'S3-compatible endpoint URL (Enter for AWS itself)', validate: checkEndpoint });
  const kmsKeyId = await ask.text({ key: 'lake-kms-key-id', message: 'KMS key id for SSE-KMS (Enter for SSE-S3)', validate: checkKmsKeyId });
  return { kind, url, region, ...(endpoint ? { endpoint } : {}), ...(kmsKeyId ? { kmsKeyId } : {}) };
}

async function askWarehouse(ask: Ask, lake: LakeAnswers): Promise<WarehouseAnswers> {
  const engine = await ask.choose({
    key: 'warehouse',
    message: 'Which warehouse?',
    default: 'pglite',
    choices: [
      { value: 'pglite', name: 'embedded PostgreSQL (PGlite) in a folder' },
      { value: 'postgres', name: 'a PostgreSQL server' },
      // Redshift COPY reads the batches from S3, so it is offered only with an S3 lake.
      { value: 'redshift-data', name: 'Amazon Redshift (Data API)', disabled: lake.kind === 's3' ? false : '(needs an s3:// lake)' },
    ],
  });
  if (engine === 'pglite') return { engine, path: await ask.text({ key: 'warehouse-path', message: 'Warehouse folder', default: DEFAULTS.pglitePath, validate: checkFilePath }) };
  if (engine === 'postgres') {
    ask.note('The password never goes in the file: halo-data takes it from PGPASSWORD (or ~/.pgpass).');
    return { engine, url: await ask.text({ key: 'warehouse-url', message: 'Connection URL, without the password', default: DEFAULTS.postgresUrl, validate: checkPostgresUrl }) };
  }
  const target = await askRedshiftTarget(ask);
  const iamRole = await ask.text({ key: 'redshift-iam-role', message: 'IAM role Redshift reads the lake with (role ARN)', validate: checkRoleArn });
  const region = await ask.text({ key: 'redshift-region', message: 'Redshift region', default: lake.kind === 's3' ? lake.region : DEFAULTS.region, validate: checkRegion });
  return { engine, target, iamRole, region };
}

async function askRedshiftTarget(ask: Ask): Promise<RedshiftTarget> {
  const kind = await ask.choose({
    key: 'redshift',
    message: 'Which Redshift?',
    choices: [{ value: 'cluster', name: 'a provisioned cluster' }, { value: 'serverless', name: 'a serverless workgroup' }],
  });
  if (kind === 'serverless') {
    const workgroupName = await ask.text({ key: 'redshift-workgroup', message: 'Workgroup name', validate: checkWorkgroup });
    const database = await ask.text({ key: 'redshift-database', message: 'Database', default: DEFAULTS.redshiftDatabase, validate: checkDbName });
    const secretArn = await ask.text({ key: 'redshift-secret-arn', message: 'Secrets Manager secret ARN (Enter to use your IAM identity)', validate: checkOptionalSecretArn });
    return { kind, workgroupName, database, ...(secretArn ? { secretArn } : {}) };
  }
  const clusterIdentifier = await ask.text({ key: 'redshift-cluster', message: 'Cluster identifier', validate: checkClusterId });
  const database = await ask.text({ key: 'redshift-database', message: 'Database', default: DEFAULTS.redshiftDatabase, validate: checkDbName });
  const how = await ask.choose({
    key: 'redshift-sign-in',
    message: 'How does halo-data sign in to the database?',
    choices: [
      { value: 'dbUser', name: 'as a database user, with temporary IAM credentials' },
      { value: 'secretArn', name: 'with a Secrets Manager secret' },
    ],
  });
  const auth = how === 'dbUser'
    ? { kind: how, dbUser: await ask.text({ key: 'redshift-db-user', message: 'Database user', validate: checkDbName }) }
    : { kind: how, secretArn: await ask.text({ key: 'redshift-secret-arn', message: 'Secrets Manager secret ARN', validate: checkSecretArn }) };
  return { kind, clusterIdentifier, database, auth };
}

/** The Ask interface on @inquirer/prompts, on the given terminal. */
function inquirerAsk(t: Terminal): Ask {
  const context = { input: t.input, output: t.output };
  return {
    text: (q) => input({ message: q.message, default: q.default, validate: q.validate }, context),
    choose: (q) => select({ message: q.message, choices: q.choices, default: q.default }, context),
    yesNo: (q) => confirm({ message: q.message, default: q.default }, context),
    integer: (q) => number({ message: q.message, default: q.default, required: true, validate: q.validate }, context),
    note: (text) => { t.output.write(`  ${text}\n`); },
  };
}

// ---------------------------------------------------------------------------------------
// Writing

/**
 * Writes next to the target and renames over it (atomic on one file system), mode 0600
 * from the start. The temporary file is loaded back with loadConfig before it replaces
 * anything, so a file that would not load never takes the place of a good one.
 */
function writeConfigFile(target: string, text: string, overwrite: boolean): void {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writePrivate(tmp, text, target);
    proveItLoads(tmp);
    if (overwrite) renameSync(tmp, target);
    else placeWithoutClobbering(tmp, target);
    syncFolder(dirname(target));
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Creates `path` (never reusing an existing one) with mode 0600 and the text, flushed to disk. */
function writePrivate(path: string, text: string, target: string): void {
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    throw cannotWrite(target, e);
  }
  try {
    fchmodSync(fd, 0o600); // the umask can only narrow 0600, but say it outright
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The file is checked on its own, not against this shell: HALO_DATA_* overrides do not
 * apply, and `agent: true` is accepted even where no ssh-agent runs now (the loader wants
 * SSH_AUTH_SOCK set; the machine that runs halo-data may well be another, and doctor checks it there).
 */
const CHECK_ENV: NodeJS.ProcessEnv = { SSH_AUTH_SOCK: 'checked-when-halo-data-connects' };

function proveItLoads(path: string): void {
  try {
    loadConfig({ configFile: path, env: CHECK_ENV, cwd: dirname(path) });
  } catch (e) {
    const why = e instanceof HaloError ? e.message : String(e);
    throw new Error(`the config init produced does not load back (nothing was written): ${why}`, { cause: e });
  }
}

/** A hard link fails if the target appeared meanwhile, where a rename would silently replace it. */
function placeWithoutClobbering(tmp: string, target: string): void {
  try {
    linkSync(tmp, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError('output-exists', `${target} appeared while init was asking: left as it is`, { hint: 'run init again, or with --force' });
    // File systems without hard links: the existence check was made before the questions.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    if (existsSync(target)) throw new UsageError('output-exists', `${target} appeared while init was asking: left as it is`, { hint: 'run init again, or with --force' });
    renameSync(tmp, target);
  }
}

/** So the rename survives a power cut; not every platform can fsync a folder, and that is fine. */
function syncFolder(dir: string): void {
  try { const fd = openSync(dir, 'r'); try { fsyncSync(fd); } finally { closeSync(fd); } } catch { /* best effort */ }
}

// ---------------------------------------------------------------------------------------
// After

function report(target: string, config: InitConfig, ctx: CommandContext): void {
  const configFlag = needsConfigFlag(target, ctx) ? ` --config ${shellQuote(shownPath(target, ctx.cwd))}` : '';
  const next = [`halo-data doctor${configFlag}`, `halo-data run${configFlag}`];
  const trust = config.sources.filter((s) => s.type === 'sftp').map((s) => `halo-data doctor${configFlag} --trust-host ${s.name}`);
  const env = envNeeds(config);
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify({ file: target, mode: '0600', env: env.map((e) => e.name), next, trustHost: trust }, null, 2) + '\n');
    return;
  }
  const c = ctx.color;
  const lines = [`${c.green('wrote')} ${target} (mode 0600)`];
  if (env.length) lines.push('', 'Set in the environment that runs halo-data:', ...env.map((e) => `  ${c.bold(e.name)}  ${e.why}`));
  if (trust.length) lines.push('', "To see an SFTP server's host key fingerprint (and a known_hosts line):", ...trust.map((t) => `  ${t}`));
  lines.push('', 'Next:', `  ${next[0]}   checks every source, the lake and the warehouse`, `  ${next[1]}`);
  ctx.stdout.write(lines.join('\n') + '\n');
}

/** ./halo-data.config.yaml is found without --config, unless HALO_DATA_CONFIG points elsewhere. */
function needsConfigFlag(target: string, ctx: CommandContext): boolean {
  return target !== resolve(ctx.cwd, 'halo-data.config.yaml') || Boolean(ctx.env.HALO_DATA_CONFIG);
}

function shownPath(target: string, cwd: string): string {
  const rel = relative(cwd, target);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : target;
}

function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
