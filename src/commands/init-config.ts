import { Document, isMap, isScalar, isSeq } from 'yaml';
import { INVENTORY_SCHEMA, type InventoryMode, type LakeConfig, type SourceConfig, type WarehouseConfig } from '../config/types.js';
import { UsageError } from '../errors.js';

/**
 * The pure half of `halo-data init`: the wizard's answers as data, the checks each answer
 * gets while it is typed, and answers → config object → YAML text. No prompts and no files
 * here, so every combination can be unit-tested; src/commands/init.ts asks the questions.
 *
 * Secrets never appear in answers: the wizard asks for the NAME of the file or environment
 * variable that holds one, and a postgres URL with a password in it is refused.
 */

export const SCHEMAS = [
  { value: 'merchant_inventory', description: 'pharmacy stock lists (CSV, XLS, XLSX)' },
  { value: 'insurance_claim', description: 'insurer claim listings (CSV, XLS, XLSX)' },
  { value: 'claim_pdf', description: 'hospital claim PDFs' },
] as const;
export type SchemaName = (typeof SCHEMAS)[number]['value'];

export const DEFAULTS = {
  sftpPort: 22,
  privateKeyFile: '~/.ssh/id_ed25519',
  passphraseEnv: 'HALO_SFTP_KEY_PASSPHRASE',
  passwordEnv: 'HALO_SFTP_PASSWORD',
  knownHostsFile: '~/.ssh/known_hosts',
  sftpGlob: '/merchants/*/inbox/*.{csv,xls,xlsx}',
  merchantIdFrom: '/merchants/{merchant_id}/inbox/',
  localFolder: './drop',
  lakeFolder: './.halo-data/lake',
  region: 'ap-southeast-3',
  pglitePath: './.halo-data/warehouse',
  postgresUrl: 'postgres://halo@localhost:5432/halo',
  redshiftDatabase: 'dev',
} as const;

// ---------------------------------------------------------------------------------------
// Answers

export type Passphrase = { from: 'none' } | { from: 'file'; file: string } | { from: 'env'; name: string };
export type SftpAuth =
  | { kind: 'key'; privateKeyFile: string; passphrase: Passphrase }
  /** ssh-agent, found through SSH_AUTH_SOCK when halo-data connects. */
  | { kind: 'agent' }
  | { kind: 'password'; env: string };
export type HostKeyPolicy = { kind: 'knownHosts'; file: string } | { kind: 'pinned'; sha256: string };

interface SourceCommon {
  name: string; schema: SchemaName; paths: string[]; merchantIdFrom?: string;
  /** merchant_inventory only: whole catalogues (full) or only what changed (delta). */
  inventory?: InventoryMode;
}
export interface SftpSourceAnswers extends SourceCommon {
  type: 'sftp'; host: string; port: number; user: string; auth: SftpAuth; hostKey: HostKeyPolicy;
}
export interface LocalSourceAnswers extends SourceCommon { type: 'local'; path: string }
export type SourceAnswers = SftpSourceAnswers | LocalSourceAnswers;

export type LakeAnswers =
  | { kind: 'local'; path: string }
  | { kind: 's3'; url: string; region: string; endpoint?: string; kmsKeyId?: string };

export type RedshiftTarget =
  | { kind: 'cluster'; clusterIdentifier: string; database: string; auth: { kind: 'dbUser'; dbUser: string } | { kind: 'secretArn'; secretArn: string } }
  | { kind: 'serverless'; workgroupName: string; database: string; secretArn?: string };
export type WarehouseAnswers =
  | { engine: 'pglite'; path: string }
  | { engine: 'postgres'; url: string }
  | { engine: 'redshift-data'; target: RedshiftTarget; iamRole: string; region: string };

export interface WizardAnswers { sources: SourceAnswers[]; lake: LakeAnswers; warehouse: WarehouseAnswers }

/** What init writes: keys of README.md's "Configuration" reference, and `agent` for ssh-agent logins. */
export interface InitConfig { sources: SourceConfig[]; lake: LakeConfig; warehouse: WarehouseConfig }

// ---------------------------------------------------------------------------------------
// Checks, in inquirer's `validate` form: true, or the message shown under the prompt.

export type Check = true | string;

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A DNS name, an IPv4 address, or a bare IPv6 address (ssh2 takes it without brackets).
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;
const USER = /^[A-Za-z0-9_.][A-Za-z0-9_.@-]*$/;
// 32 bytes of SHA-256 in unpadded base64, as `ssh-keygen -lf` and `doctor --trust-host` print it.
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
// S3 bucket naming rules: 3–63 of lowercase letters, digits, dots and hyphens.
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\/[^\s]*)?$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const CLUSTER_ID = /^[a-z][a-z0-9-]{0,62}$/;
const WORKGROUP = /^[a-z0-9-]{3,64}$/;
const DB_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,126}$/;

const nonBlank = (v: string, what: string): Check => (v.trim() ? true : `${what} is required`);

export function checkSourceName(v: string, taken: readonly string[] = []): Check {
  if (!SOURCE_NAME.test(v)) return 'a letter or digit, then up to 63 letters, digits, _ . or - (no spaces)';
  return taken.includes(v) ? `there is already a source named ${v}` : true;
}
export const checkHost = (v: string): Check => (HOST.test(v) ? true : 'a host name or IP address, e.g. sftp.example.co.id (no user@ or :port)');
export const checkPort = (n: number | undefined): Check =>
  (n !== undefined && Number.isInteger(n) && n >= 1 && n <= 65535 ? true : 'a port is a whole number from 1 to 65535');
export const checkUser = (v: string): Check => (USER.test(v) ? true : 'a login name, e.g. halo (no spaces or colons)');
export const checkFilePath = (v: string): Check => (/[\r\n\0]/.test(v) ? 'one line, no control characters' : nonBlank(v, 'a path'));
export const checkEnvName = (v: string): Check =>
  (ENV_NAME.test(v) ? true : 'the NAME of an environment variable (letters, digits, _), not its value');

/** Accepts the fingerprint with or without its `SHA256:` prefix and any `=` padding. */
export function normalizeFingerprint(v: string): string {
  const bare = v.trim().replace(/^SHA256:/i, '').replace(/=+$/, '');
  return `SHA256:${bare}`;
}
export const checkFingerprint = (v: string): Check =>
  (FINGERPRINT.test(normalizeFingerprint(v)) ? true : 'SHA256: and 43 base64 characters, as `halo-data doctor --trust-host NAME` prints it');

export const checkGlob = (v: string): Check => (/[\r\n\0]/.test(v) ? 'one line, no control characters' : nonBlank(v, 'a glob'));
/** Blank means "no merchant id from the path"; otherwise it must mark the id once. */
export function checkMerchantIdFrom(v: string): Check {
  if (!v) return true;
  return v.split('{merchant_id}').length === 2 ? true : 'mark where the id is with {merchant_id}, once (e.g. /merchants/{merchant_id}/inbox/)';
}
export const checkS3Url = (v: string): Check => (S3_URL.test(v) ? true : 's3://bucket/prefix (bucket: 3–63 lowercase letters, digits, . or -)');
export const checkRegion = (v: string): Check => (REGION.test(v) ? true : 'an AWS region, e.g. ap-southeast-3');
export function checkEndpoint(v: string): Check {
  if (!v) return true;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'an http:// or https:// URL';
    return u.username || u.password ? 'no credentials in the endpoint: AWS credentials come from the environment' : true;
  } catch {
    return 'an http:// or https:// URL, e.g. https://minio.internal:9000';
  }
}
export const checkKmsKeyId = (v: string): Check => (!v || /^[\w:/.-]+$/.test(v) ? true : 'a KMS key id, alias/NAME or key ARN');

/** A postgres URL the config may hold: the right scheme and no password anywhere in it. */
export function checkPostgresUrl(v: string): Check {
  let u: URL;
  try { u = new URL(v); } catch { return 'a URL like postgres://user@host:5432/database'; }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return 'starts with postgres:// or postgresql://';
  if (u.password || u.searchParams.has('password')) {
    return 'no password in the URL: it would be stored in the file. Leave it out; halo-data takes it from PGPASSWORD (or ~/.pgpass)';
  }
  return true;
}
export const checkRoleArn = (v: string): Check => (ROLE_ARN.test(v) ? true : 'an IAM role ARN, e.g. arn:aws:iam::123456789012:role/halo-data-copy');
export const checkSecretArn = (v: string): Check =>
  (SECRET_ARN.test(v) ? true : 'a Secrets Manager ARN, e.g. arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:halo-AbCdEf');
export const checkOptionalSecretArn = (v: string): Check => (v ? checkSecretArn(v) : true);
export const checkClusterId = (v: string): Check => (CLUSTER_ID.test(v) ? true : 'a cluster identifier: lowercase letters, digits and -, starting with a letter');
export const checkWorkgroup = (v: string): Check => (WORKGROUP.test(v) ? true : 'a workgroup name: 3–64 lowercase letters, digits and -');
export const checkDbName = (v: string): Check => (DB_NAME.test(v) ? true : 'a name of letters, digits, _ or $, starting with a letter or _');

// ---------------------------------------------------------------------------------------
// Answers → config

/** Re-checks an answer: the wizard already did, but the builder is also called directly. */
function must(check: Check, what: string): void {
  if (check !== true) throw new UsageError('bad-answer', `${what}: ${check}`);
}

export function defaultGlob(type: 'sftp' | 'local', schema: SchemaName): string {
  const ext = schema === 'claim_pdf' ? '*.{pdf,png,jpg,jpeg,tif,tiff}' : '*.{csv,xls,xlsx}';
  if (type === 'local') return `**/${ext}`;
  return schema === 'merchant_inventory' ? DEFAULTS.sftpGlob : `/inbox/${ext}`;
}

function sourceConfig(s: SourceAnswers, taken: string[]): SourceConfig {
  must(checkSourceName(s.name, taken), 'source name');
  if (s.paths.length === 0) throw new UsageError('bad-answer', `source ${s.name}: at least one glob is needed`);
  s.paths.forEach((p) => must(checkGlob(p), `source ${s.name} glob`));
  must(checkMerchantIdFrom(s.merchantIdFrom ?? ''), `source ${s.name} merchantIdFrom`);
  // Key order follows README.md's reference, so the file reads like the reference.
  const out: SourceConfig = { name: s.name, type: s.type };
  if (s.type === 'sftp') Object.assign(out, sftpKeys(s));
  else { must(checkFilePath(s.path), `source ${s.name} folder`); out.path = s.path; }
  out.paths = [...s.paths];
  if (s.merchantIdFrom) out.merchantIdFrom = s.merchantIdFrom;
  out.schema = s.schema;
  if (s.inventory !== undefined) {
    if (s.schema !== INVENTORY_SCHEMA) throw new UsageError('bad-answer', `source ${s.name}: inventory (full | delta) is only for ${INVENTORY_SCHEMA} sources`);
    out.inventory = s.inventory;
  }
  return out;
}

function sftpKeys(s: SftpSourceAnswers): Partial<SourceConfig> {
  must(checkHost(s.host), `source ${s.name} host`);
  must(checkPort(s.port), `source ${s.name} port`);
  must(checkUser(s.user), `source ${s.name} user`);
  const out: Partial<SourceConfig> = { host: s.host, port: s.port, user: s.user };
  if (s.auth.kind === 'key') {
    must(checkFilePath(s.auth.privateKeyFile), `source ${s.name} private key file`);
    out.privateKeyFile = s.auth.privateKeyFile;
    const p = s.auth.passphrase;
    if (p.from === 'file') { must(checkFilePath(p.file), `source ${s.name} passphrase file`); out.passphraseFile = p.file; }
    if (p.from === 'env') { must(checkEnvName(p.name), `source ${s.name} passphrase variable`); out.passphraseEnv = p.name; }
  } else if (s.auth.kind === 'agent') {
    // Said outright: the loader only falls back to the agent when its socket exists at load time.
    out.agent = true;
  } else {
    must(checkEnvName(s.auth.env), `source ${s.name} password variable`);
    out.passwordEnv = s.auth.env;
  }
  if (s.hostKey.kind === 'knownHosts') {
    must(checkFilePath(s.hostKey.file), `source ${s.name} known_hosts file`);
    out.knownHostsFile = s.hostKey.file;
  } else {
    must(checkFingerprint(s.hostKey.sha256), `source ${s.name} host key`);
    out.hostKeySha256 = normalizeFingerprint(s.hostKey.sha256);
  }
  return out;
}

function lakeConfig(l: LakeAnswers): LakeConfig {
  if (l.kind === 'local') { must(checkFilePath(l.path), 'lake folder'); return { url: l.path }; }
  must(checkS3Url(l.url), 'lake URL');
  must(checkRegion(l.region), 'lake region');
  must(checkEndpoint(l.endpoint ?? ''), 'lake endpoint');
  must(checkKmsKeyId(l.kmsKeyId ?? ''), 'lake KMS key');
  return { url: l.url, region: l.region, ...(l.endpoint ? { endpoint: l.endpoint } : {}), ...(l.kmsKeyId ? { kmsKeyId: l.kmsKeyId } : {}) };
}

function warehouseConfig(w: WarehouseAnswers, lake: LakeAnswers): WarehouseConfig {
  switch (w.engine) {
    case 'pglite':
      must(checkFilePath(w.path), 'warehouse folder');
      return { engine: 'pglite', path: w.path };
    case 'postgres':
      must(checkPostgresUrl(w.url), 'warehouse URL');
      return { engine: 'postgres', url: w.url };
    case 'redshift-data':
      // Redshift COPY reads the batches straight from the lake, so the lake must be S3.
      if (lake.kind !== 's3') throw new UsageError('bad-answer', 'redshift-data needs an s3:// lake: Redshift COPY reads the batches from S3');
      must(checkRoleArn(w.iamRole), 'warehouse IAM role');
      must(checkRegion(w.region), 'warehouse region');
      return { engine: 'redshift-data', ...redshiftTarget(w.target), iamRole: w.iamRole, region: w.region };
  }
}

function redshiftTarget(t: RedshiftTarget): Partial<WarehouseConfig> {
  must(checkDbName(t.database), 'warehouse database');
  if (t.kind === 'serverless') {
    must(checkWorkgroup(t.workgroupName), 'warehouse workgroup');
    must(checkOptionalSecretArn(t.secretArn ?? ''), 'warehouse secret ARN');
    return { workgroupName: t.workgroupName, database: t.database, ...(t.secretArn ? { secretArn: t.secretArn } : {}) };
  }
  must(checkClusterId(t.clusterIdentifier), 'warehouse cluster');
  if (t.auth.kind === 'dbUser') {
    must(checkDbName(t.auth.dbUser), 'warehouse db user');
    return { clusterIdentifier: t.clusterIdentifier, database: t.database, dbUser: t.auth.dbUser };
  }
  must(checkSecretArn(t.auth.secretArn), 'warehouse secret ARN');
  return { clusterIdentifier: t.clusterIdentifier, database: t.database, secretArn: t.auth.secretArn };
}

/** The config object the answers describe; throws a UsageError naming the first bad answer. */
export function buildConfig(a: WizardAnswers): InitConfig {
  if (a.sources.length === 0) throw new UsageError('bad-answer', 'at least one source is needed');
  const taken: string[] = [];
  const sources = a.sources.map((s) => { const c = sourceConfig(s, taken); taken.push(s.name); return c; });
  return { sources, lake: lakeConfig(a.lake), warehouse: warehouseConfig(a.warehouse, a.lake) };
}

// ---------------------------------------------------------------------------------------
// Config → YAML, and what the user must do next

export interface EnvNeed { name: string; why: string }

/** Environment variables the config names (their values are never in the file). */
export function envNeeds(c: InitConfig): EnvNeed[] {
  const out: EnvNeed[] = [];
  for (const s of c.sources) {
    if (s.passwordEnv) out.push({ name: s.passwordEnv, why: `the SFTP password of source ${s.name}` });
    if (s.passphraseEnv) out.push({ name: s.passphraseEnv, why: `the passphrase of the private key of source ${s.name}` });
    if (s.agent === true) out.push({ name: 'SSH_AUTH_SOCK', why: `the ssh-agent source ${s.name} logs in with` });
  }
  if (c.warehouse.engine === 'postgres') out.push({ name: 'PGPASSWORD', why: 'the warehouse password (or a ~/.pgpass entry)' });
  return out;
}

export function renderConfigYaml(c: InitConfig, writtenAt: Date): string {
  const doc = new Document(c);
  doc.commentBefore = [
    ` halo-data configuration, written by \`halo-data init\` on ${writtenAt.toISOString()}.`,
    // Only documents in the halo-data repository are cited (a test checks each path exists).
    ' Reference: the "Configuration" section of README.md in the halo-data repository; unknown keys are an error.',
    ' No secrets here: only the names of the files and environment variables that hold them.',
    ' Next: `halo-data doctor` checks every source, the lake and the warehouse; then `halo-data run`.',
    ' Freshness: give a source `expectEvery: 1h` (and `lateAfter: 3h`, default twice expectEvery) and `run` and',
    ' `halo-data status` name the merchants that sent no file in time (exit 1 past lateAfter).',
    ...(c.sources.some((s) => s.inventory !== undefined) ? [
      ' Inventory: a source\'s `inventory: full` (each file a merchant\'s whole catalogue) or `delta` (only what',
      ' changed) is recorded in every batch it stages; `warehouse.shrinkGuardPercent` (default 50) refuses a full',
      ' file listing under that percentage of a merchant\'s listed products unless loaded with --allow-shrink.',
    ] : []),
  ].join('\n');
  annotate(doc, c);
  return doc.toString({ lineWidth: 0 });
}

/** What each inventory mode means, beside the key (the one setting that decides whether products are delisted). */
const INVENTORY_COMMENT: Record<InventoryMode, string> = {
  full: " full | delta. full: each file is the merchant's whole catalogue; a product missing from it is delisted",
  delta: ' full | delta. delta: each file holds only what changed; a product missing from it is kept as it was',
};

/** Comments where a reader would otherwise wonder: agent login, host keys, the postgres password. */
function annotate(doc: Document, c: InitConfig): void {
  const seq = doc.get('sources', true);
  c.sources.forEach((s, i) => {
    const node = isSeq(seq) ? seq.items[i] : undefined;
    const inventory = isMap(node) ? node.get('inventory', true) : undefined;
    if (isScalar(inventory)) inventory.comment = INVENTORY_COMMENT[s.inventory!];
    if (!isMap(node) || s.type !== 'sftp') return;
    const notes: string[] = [];
    if (s.agent === true) notes.push(' logs in with ssh-agent (SSH_AUTH_SOCK)');
    notes.push(` \`halo-data doctor --trust-host ${s.name}\` prints the server's host key fingerprint`);
    node.commentBefore = notes.join('\n');
  });
  const url = doc.getIn(['warehouse', 'url'], true);
  if (isScalar(url)) url.comment = ' the password comes from PGPASSWORD (or ~/.pgpass), never from this file';
}
