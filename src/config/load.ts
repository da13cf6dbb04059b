import { insuranceClaim } from '../schemas/builtin/insurance-claim.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument, LineCounter, isMap, isScalar, isSeq, type Node } from 'yaml';
import { ConfigError } from '../errors.js';
import { checkNode, S, type Shape } from './shape.js';
import { INVENTORY_MODES, INVENTORY_SCHEMA, type HaloConfig, type ProfileConfig, type SourceConfig } from './types.js';
import { loginMethods } from '../sources/sftp-login.js';
import { isValidZone } from '../schemas/fields/dates.js';
import { formatDuration } from '../util/duration.js';

const profileShape = S.object({
  locale: S.enumOf(['id-ID', 'en-US', 'auto']),
  dateOrder: S.enumOf(['DMY', 'MDY', 'YMD']),
  encoding: S.string,
  delimiter: S.enumOf([',', ';', '\t', '|', 'tab']),
  sheet: S.string,
  headerRow: S.int(1),
  aliases: S.map(S.list(S.string)),
  timezone: S.string,
});

const configShape: Shape = S.object({
  sources: S.list(S.object({
    name: S.string, type: S.enumOf(['sftp', 'local']), host: S.string, port: S.int(1), user: S.string,
    privateKeyFile: S.string, passphraseFile: S.string, passphraseEnv: S.string, passwordEnv: S.string,
    knownHostsFile: S.string, hostKeySha256: S.string, path: S.string, paths: S.list(S.string),
    merchantIdFrom: S.string, schema: S.string, stableAfterSeconds: S.int(0),
    agent: S.boolean, archive: S.boolean, timeoutSeconds: S.int(1), stallSeconds: { kind: 'number', min: 0.1 },
    minBytesPerSecond: S.int(0), retries: S.int(0), retryDelaySeconds: { kind: 'number', min: 0 }, concurrency: S.int(1),
    speaksFor: S.map(S.list(S.string)), expectEvery: S.duration, lateAfter: S.duration, inventory: S.enumOf(INVENTORY_MODES),
  }, ['name', 'type'])),
  landing: S.string,
  lake: S.object({
    url: S.string, region: S.nullable(S.string), endpoint: S.nullable(S.string), kmsKeyId: S.nullable(S.string),
    profile: S.nullable(S.string), partBytes: S.int(1024),
  }),
  warehouse: S.object({
    engine: S.enumOf(['pglite', 'postgres', 'redshift-data']), path: S.nullable(S.string), url: S.nullable(S.string),
    clusterIdentifier: S.nullable(S.string), workgroupName: S.nullable(S.string), database: S.nullable(S.string),
    dbUser: S.nullable(S.string), secretArn: S.nullable(S.string), iamRole: S.nullable(S.string), region: S.nullable(S.string),
    endpoint: S.nullable(S.string), statementTimeoutSeconds: S.int(1), lockWaitSeconds: S.int(0),
    conflictRetries: S.int(0), conflictBackoffSeconds: S.number, shrinkGuardPercent: S.int(0, 100),
  }),
  merchants: S.map(profileShape),
  limits: S.object({
    csvBytes: S.int(1), csvRecordBytes: S.int(1), spreadsheetBytes: S.int(1), spreadsheetInflatedBytes: S.int(1), spreadsheetRows: S.int(1),
    pdfBytes: S.int(1), pdfPages: S.int(1), pdfSeconds: S.int(1), ocrPageSeconds: S.int(1), imagePixels: S.int(1),
  }),
  claimTemplates: S.list(S.string),
  claims: S.object({
    icd10CodesFile: S.string, labels: S.object({ fields: S.map(S.list(S.string)), columns: S.map(S.list(S.string)) }),
    ocr: S.object({ languages: S.list(S.enumOf(['ind', 'eng'])), dpi: S.int(100, 600) }),
  }),
  run: S.object({ reconcileDays: S.int(0) }),
  locks: S.object({ staleSeconds: S.int(1) }),
});

/** claims.labels: more printed labels for the claim reader's dictionary; only real fields and item columns. */
function checkClaimLabels(labels: { fields?: Record<string, string[]>; columns?: Record<string, string[]> } | undefined, file: string, at: (p: Array<string | number>) => number | undefined): void {
  if (!labels) return;
  const known = { fields: new Set(insuranceClaim.fields.map((f) => f.name)), columns: new Set(['line_no', 'code', 'description', 'quantity', 'unit_price', 'amount']) };
  for (const part of ['fields', 'columns'] as const) {
    for (const name of Object.keys(labels[part] ?? {})) {
      if (known[part].has(name)) continue;
      const line = at(['claims', 'labels', part, name]);
      throw new ConfigError(`${file}${line ? `:${line}` : ''}: claims.labels.${part}.${name}: not ${part === 'fields' ? 'an insurance_claim field' : 'a line-item column'} (one of ${[...known[part]].join(', ')})`, { file, line });
    }
  }
}

const DEFAULT_NAMES = ['halo-data.config.yaml', 'halo-data.config.yml', 'halo-data.config.json'];

/** Which file to read: --config › $HALO_DATA_CONFIG › ./halo-data.config.{yaml,yml,json} › none. */
export function findConfigFile(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = flag ?? env.HALO_DATA_CONFIG;
  if (named) {
    const path = resolve(cwd, named);
    if (!existsSync(path)) throw new ConfigError(`config file not found: ${named}`, { file: named, hint: 'check --config or HALO_DATA_CONFIG' });
    return path;
  }
  for (const name of DEFAULT_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

export function loadConfig(opts: { configFile?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): HaloConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = findConfigFile(opts.configFile, env, cwd);
  let raw: Record<string, any> = {};
  if (file) {
    const text = readFileSync(file, 'utf8');
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, keepSourceTokens: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const line = e.linePos?.[0]?.line;
      throw new ConfigError(`${file}${line ? `:${line}` : ''}: ${e.message.split('\n')[0]}`, { file, line });
    }
    raw = (doc.contents ? checkNode(doc.contents as Node, configShape, '', file, lines) : {}) as Record<string, any>;
    const at = (path: Array<string | number>) => lineOf(doc, lines, path);
    (raw.sources ?? []).forEach((s: SourceConfig, i: number) => { checkSpeaksFor(s, i, file, at); checkLateness(s, i, file, at); checkInventory(s, i, file, at); });
    checkClaimLabels(raw.claims?.labels, file, at);
    if (raw.claims?.icd10CodesFile !== undefined) {
      const path = resolve(dirname(file), raw.claims.icd10CodesFile);
      if (!existsSync(path)) {
        const line = at(['claims', 'icd10CodesFile']);
        throw new ConfigError(`${file}${line ? `:${line}` : ''}: claims.icd10CodesFile: no such file: ${raw.claims.icd10CodesFile}`, { file, line });
      }
      raw.claims.icd10CodesFile = path;
    }
  }
  const baseDir = file ? dirname(file) : cwd;
  const config: HaloConfig = {
    file,
    baseDir,
    sources: raw.sources ?? [],
    landing: raw.landing ?? './.halo-data/landing',
    lake: { url: './.halo-data/lake', ...(raw.lake ?? {}) },
    warehouse: { engine: 'pglite', path: './.halo-data/warehouse', ...(raw.warehouse ?? {}) },
    merchants: raw.merchants ?? {},
    limits: raw.limits ?? {},
    claimTemplates: (raw.claimTemplates ?? []).map((p: string) => resolve(file ? dirname(file) : cwd, p)),
    ...(raw.claims ? { claims: raw.claims } : {}),
    run: raw.run ?? {},
    locks: { ...(raw.locks ?? {}) },
  };
  applyEnv(config, env);
  check(config);
  return config;
}

/** HALO_DATA_* variables override the file (flags override both, in the commands). */
function applyEnv(config: HaloConfig, env: NodeJS.ProcessEnv): void {
  const set = <T>(name: string, apply: (v: string) => T) => { const v = env[name]; if (v !== undefined && v !== '') apply(v); };
  set('HALO_DATA_LAKE_URL', (v) => { config.lake.url = v; });
  set('HALO_DATA_LAKE_REGION', (v) => { config.lake.region = v; });
  set('HALO_DATA_LAKE_ENDPOINT', (v) => { config.lake.endpoint = v; });
  set('HALO_DATA_LAKE_KMS_KEY_ID', (v) => { config.lake.kmsKeyId = v; });
  set('HALO_DATA_WAREHOUSE_ENGINE', (v) => {
    if (v !== 'pglite' && v !== 'postgres' && v !== 'redshift-data') throw new ConfigError(`HALO_DATA_WAREHOUSE_ENGINE must be pglite, postgres or redshift-data (got '${v}')`);
    config.warehouse.engine = v;
  });
  set('HALO_DATA_WAREHOUSE_PATH', (v) => { config.warehouse.path = v; });
  set('HALO_DATA_WAREHOUSE_URL', (v) => { config.warehouse.url = v; });
  set('HALO_DATA_WAREHOUSE_ENDPOINT', (v) => { config.warehouse.endpoint = v; });
  set('HALO_DATA_WAREHOUSE_LOCK_WAIT_SECONDS', (v) => { config.warehouse.lockWaitSeconds = seconds('HALO_DATA_WAREHOUSE_LOCK_WAIT_SECONDS', v, 0); });
  set('HALO_DATA_WAREHOUSE_CONFLICT_RETRIES', (v) => {
    if (!/^\d+$/.test(v)) throw new ConfigError(`HALO_DATA_WAREHOUSE_CONFLICT_RETRIES must be a whole number >= 0 (got '${v}')`);
    config.warehouse.conflictRetries = Number(v);
  });
  set('HALO_DATA_LOCK_STALE_SECONDS', (v) => { (config.locks ??= {}).staleSeconds = seconds('HALO_DATA_LOCK_STALE_SECONDS', v, 1); });
}

function seconds(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min) throw new ConfigError(`${name} must be a whole number of seconds >= ${min} (got '${v}')`);
  return n;
}

function check(config: HaloConfig): void {
  const names = new Set<string>();
  for (const s of config.sources) {
    // The name becomes a folder (landing, lake) and a metric label: nothing that could climb or confuse.
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(s.name)) {
      throw new ConfigError(`${config.file}: source name '${s.name}' must be letters, digits, . _ - (at most 64, not starting with . _ -)`, { file: config.file ?? undefined });
    }
    if (names.has(s.name)) throw new ConfigError(`${config.file}: two sources are named '${s.name}'`, { file: config.file ?? undefined });
    names.add(s.name);
  }
  for (const s of config.sources) {
    if (s.type === 'sftp') checkSftp(config, s);
    if (s.merchantIdFrom !== undefined && !s.merchantIdFrom.includes('{merchant_id}')) {
      throw new ConfigError(`${config.file}: source '${s.name}': merchantIdFrom must contain {merchant_id}`, { file: config.file ?? undefined });
    }
  }
  if (config.warehouse.url) {
    let password = '';
    try {
      const u = new URL(config.warehouse.url);
      password = u.password || u.searchParams.get('password') || '';
    } catch {
      throw new ConfigError(`${config.file ?? 'HALO_DATA_WAREHOUSE_URL'}: warehouse.url is not a URL (postgresql://user@host:5432/db)`, { file: config.file ?? undefined });
    }
    if (password) {
      throw new ConfigError(`${config.file ?? 'HALO_DATA_WAREHOUSE_URL'}: warehouse.url holds a password: secrets are never config values`,
        { file: config.file ?? undefined, hint: 'remove it from the URL and give it as PGPASSWORD (or ~/.pgpass)' });
    }
  }
  for (const [id, p] of Object.entries(config.merchants)) {
    if (p.timezone !== undefined && !isValidZone(p.timezone)) {
      throw new ConfigError(`${config.file}: merchants.${id}.timezone: unknown time zone '${p.timezone}'`, { file: config.file ?? undefined });
    }
  }
}

/** The line of a key (or list item) in the config file, by its path of keys and list positions. */
function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: Array<string | number>): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const parent = n > 1 ? doc.getIn(path.slice(0, n - 1), true) : doc.contents;
    const last = path[n - 1];
    // A key's own line (its value may start on the next one).
    const node = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last))?.key
      : isSeq(parent) && typeof last === 'number' ? parent.items[last] : undefined;
    const range = (node as Node | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}

/** A merchant id as a folder gives it: one path segment, no spaces, within the warehouse's 64 bytes. */
const MERCHANT_ID = /^[^\s/\\]+$/;

/**
 * speaksFor only means something where the merchant comes from the path (merchantIdFrom);
 * each entry names the folder's merchant and the other merchants its files may hold.
 */
function checkSpeaksFor(s: SourceConfig, i: number, file: string, at: (path: Array<string | number>) => number | undefined): void {
  if (s.speaksFor === undefined) return;
  const fail = (path: Array<string | number>, msg: string): never => {
    const line = at(['sources', i, 'speaksFor', ...path]);
    const name = ['speaksFor', ...path].map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: sources[${i}].${name}: ${msg}`, { file, line });
  };
  const badId = (id: string) => !MERCHANT_ID.test(id) || Buffer.byteLength(id) > 64;
  if (s.merchantIdFrom === undefined) fail([], `source '${s.name}' has no merchantIdFrom: speaksFor says which merchants a merchant's folder may send rows for`);
  for (const [head, list] of Object.entries(s.speaksFor)) {
    if (badId(head)) fail([head], 'is not a merchant id (one path segment, no spaces, at most 64 bytes)');
    if (list.length === 0) fail([head], 'lists no merchant');
    list.forEach((id, j) => {
      if (badId(id)) fail([head, j], `'${id}' is not a merchant id (one path segment, no spaces, at most 64 bytes)`);
      if (id === head) fail([head, j], `names ${head} itself (a folder always speaks for its own merchant)`);
      if (list.indexOf(id) !== j) fail([head, j], `names ${id} twice`);
    });
  }
}

/** lateAfter is a bound on top of expectEvery: without it there is nothing to be late against, and below it a source would be "past the bound" before it is late. */
function checkLateness(s: SourceConfig, i: number, file: string, at: (path: Array<string | number>) => number | undefined): void {
  if (s.lateAfter === undefined) return;
  const line = at(['sources', i, 'lateAfter']);
  const where = `${file}${line ? `:${line}` : ''}: sources[${i}].lateAfter`;
  if (s.expectEvery === undefined) throw new ConfigError(`${where}: source '${s.name}' has no expectEvery: lateAfter bounds how late past expectEvery a source may be`, { file, line });
  if (s.lateAfter < s.expectEvery) throw new ConfigError(`${where}: must be at least expectEvery (${formatDuration(s.expectEvery)})`, { file, line });
}

/**
 * `inventory` says how a merchant_inventory file is read; on a source of another schema it
 * would mean nothing, and a setting silently ignored is a misunderstanding kept. A source with
 * no schema (guessed per file) may hold inventory files: its inventory batches take it.
 */
function checkInventory(s: SourceConfig, i: number, file: string, at: (path: Array<string | number>) => number | undefined): void {
  if (s.inventory === undefined || s.schema === undefined || s.schema === INVENTORY_SCHEMA) return;
  const line = at(['sources', i, 'inventory']);
  throw new ConfigError(`${file}${line ? `:${line}` : ''}: sources[${i}].inventory: source '${s.name}' has schema ${s.schema}: inventory (full | delta) is only for ${INVENTORY_SCHEMA} sources`, { file, line });
}

/** An sftp source names its server, its user and a way to log in (the secrets themselves are read when it connects). */
function checkSftp(config: HaloConfig, s: SourceConfig): void {
  const fail = (msg: string, hint?: string): never => { throw new ConfigError(`${config.file}: source '${s.name}': ${msg}`, { file: config.file ?? undefined, hint }); };
  const missing = (['host', 'user'] as const).filter((k) => !s[k]);
  if (missing.length) fail(`an sftp source needs ${missing.join(' and ')}`);
  const login = loginMethods(s, 'config-only');
  if (typeof login === 'string') fail(login, 'secrets are never config values: name a file (privateKeyFile, passphraseFile) or an environment variable (passphraseEnv, passwordEnv)');
  if (s.hostKeySha256 !== undefined && !/^(SHA256:)?[A-Za-z0-9+/]{43}=?$/.test(s.hostKeySha256)) {
    fail(`hostKeySha256 must be a SHA-256 fingerprint as ssh-keygen -lf prints it ("SHA256:" + 43 characters)`, `halo-data doctor --trust-host ${s.name} prints it`);
  }
}

export function resolvePath(config: HaloConfig, p: string): string {
  return resolve(config.baseDir, p.startsWith('~/') ? (process.env.HOME ?? '') + p.slice(1) : p);
}

export type { ProfileConfig };
