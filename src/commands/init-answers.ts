import { UsageError } from '../errors.js';
import type { Ask } from './init.js';

/**
 * `halo-data init` without questions: every answer of the wizard as a flag (for provisioning
 * scripts), or with --from-env as a HALO_DATA_INIT_* variable. The wizard's own flow runs
 * unchanged on an Ask that takes each answer from here: given answers are checked by the
 * prompt's own check; on a terminal what is missing is asked, without one (or with --yes) it
 * takes the question's default, and a question with none fails (exit 2) naming its flag.
 *
 * Secrets are never answers: the private key is a file path, passwords and passphrases are
 * the NAMES of the variables that hold them.
 */

export interface InitFlag {
  /** The flag without its dashes, and the key each question of init.ts names. */
  flag: string;
  /** Commander's argument and help. */
  arg: string;
  help: string;
  /** Repeatable (globs: one per flag, as they may hold commas). */
  many?: boolean;
  /** An existing HALO_DATA_* variable --from-env also reads (below HALO_DATA_INIT_*). */
  env?: string;
}

export const INIT_FLAGS: readonly InitFlag[] = [
  { flag: 'source-type', arg: 'type', help: 'where files come from: sftp | local (implied by --host or --folder)' },
  { flag: 'source-name', arg: 'name', help: 'the source name (used by --source; default merchants for sftp, inbox for local)' },
  { flag: 'schema', arg: 'name', help: 'what the files hold: merchant_inventory | insurance_claim | claim_pdf' },
  { flag: 'inventory', arg: 'mode', help: "merchant_inventory: full (each file is a merchant's whole catalogue; absent products are delisted) | delta (only what changed); default full" },
  { flag: 'host', arg: 'host', help: 'sftp: the server' },
  { flag: 'port', arg: 'n', help: 'sftp: its port (default 22)' },
  { flag: 'user', arg: 'name', help: 'sftp: the login' },
  { flag: 'auth', arg: 'how', help: 'sftp login: key | agent | password (implied by --private-key-file or --password-env)' },
  { flag: 'private-key-file', arg: 'path', help: 'sftp: the private key file (a path, never the key)' },
  { flag: 'passphrase-from', arg: 'where', help: "the key's passphrase: none | file | env (default none; implied by --passphrase-file or --passphrase-env)" },
  { flag: 'passphrase-file', arg: 'path', help: 'the file holding the passphrase' },
  { flag: 'passphrase-env', arg: 'NAME', help: 'the NAME of the variable holding the passphrase' },
  { flag: 'password-env', arg: 'NAME', help: 'the NAME of the variable holding the sftp password' },
  { flag: 'host-key', arg: 'how', help: 'host key check: knownHosts | pinned (default knownHosts; implied by --host-key-sha256)' },
  { flag: 'known-hosts-file', arg: 'path', help: 'the known_hosts file (default ~/.ssh/known_hosts)' },
  { flag: 'host-key-sha256', arg: 'fp', help: 'the pinned fingerprint, SHA256:...' },
  { flag: 'folder', arg: 'path', help: 'local: the folder files arrive in (default ./drop)' },
  { flag: 'paths', arg: 'glob', help: 'a glob of the files (repeat for more; default by type and schema)', many: true },
  { flag: 'merchant-id-from', arg: 'pattern', help: "the merchant id in a file's path, {merchant_id} marks it ('' for none)" },
  { flag: 'lake-kind', arg: 'kind', help: 'the lake: local | s3 (default local; implied by --lake)' },
  { flag: 'lake', arg: 'url', help: 'a folder, or s3://bucket/prefix (default ./.halo-data/lake)', env: 'HALO_DATA_LAKE_URL' },
  { flag: 'lake-region', arg: 'region', help: 's3: its region (default ap-southeast-3)', env: 'HALO_DATA_LAKE_REGION' },
  { flag: 'lake-endpoint', arg: 'url', help: 's3: an S3-compatible endpoint (default: AWS itself)', env: 'HALO_DATA_LAKE_ENDPOINT' },
  { flag: 'lake-kms-key-id', arg: 'id', help: 's3: a KMS key for SSE-KMS (default SSE-S3)', env: 'HALO_DATA_LAKE_KMS_KEY_ID' },
  { flag: 'warehouse', arg: 'engine', help: 'pglite | postgres | redshift-data (default pglite)', env: 'HALO_DATA_WAREHOUSE_ENGINE' },
  { flag: 'warehouse-path', arg: 'path', help: 'pglite: its folder (default ./.halo-data/warehouse)', env: 'HALO_DATA_WAREHOUSE_PATH' },
  { flag: 'warehouse-url', arg: 'url', help: 'postgres: postgres://user@host:5432/db, no password (PGPASSWORD gives it)', env: 'HALO_DATA_WAREHOUSE_URL' },
  { flag: 'redshift', arg: 'kind', help: 'cluster | serverless (implied by --redshift-cluster or --redshift-workgroup)' },
  { flag: 'redshift-cluster', arg: 'id', help: 'a provisioned cluster identifier' },
  { flag: 'redshift-workgroup', arg: 'name', help: 'a serverless workgroup' },
  { flag: 'redshift-database', arg: 'name', help: 'the database (default dev)' },
  { flag: 'redshift-sign-in', arg: 'how', help: 'cluster sign-in: dbUser | secretArn (implied by --redshift-db-user or --redshift-secret-arn)' },
  { flag: 'redshift-db-user', arg: 'name', help: 'the database user (temporary IAM credentials)' },
  { flag: 'redshift-secret-arn', arg: 'arn', help: 'a Secrets Manager secret ARN' },
  { flag: 'redshift-iam-role', arg: 'arn', help: 'the IAM role Redshift reads the lake with' },
  { flag: 'redshift-region', arg: 'region', help: 'its region (default the lake\'s)' },
];

/** `--from-env`'s variable for a flag: HALO_DATA_INIT_SOURCE_TYPE for --source-type. */
export const envName = (flag: string): string => `HALO_DATA_INIT_${flag.toUpperCase().replace(/-/g, '_')}`;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The answers given: flag › HALO_DATA_INIT_* › the HALO_DATA_* a flag names (the last two with --from-env). */
export type GivenAnswers = Map<string, string[]>;

export function givenAnswers(opts: Record<string, unknown>, env: NodeJS.ProcessEnv, fromEnv: boolean): GivenAnswers {
  const out: GivenAnswers = new Map();
  for (const f of INIT_FLAGS) {
    const v = opts[camel(f.flag)];
    if (v !== undefined) { out.set(f.flag, Array.isArray(v) ? v.map(String) : [String(v)]); continue; }
    if (!fromEnv) continue;
    const e = env[envName(f.flag)] ?? (f.env ? env[f.env] : undefined);
    // One glob per line: globs may hold commas.
    if (e !== undefined) out.set(f.flag, f.many ? e.split('\n').map((x) => x.trim()).filter(Boolean) : [e]);
  }
  implied(out);
  return out;
}

/** Choices another answer already makes (`--host` is an sftp source), unless given outright. */
function implied(a: GivenAnswers): void {
  const imply = (flag: string, value: string, when: string[]) => {
    if (!a.has(flag) && when.some((w) => a.has(w))) a.set(flag, [value]);
  };
  imply('source-type', 'sftp', ['host', 'user', 'auth', 'private-key-file', 'password-env', 'host-key-sha256', 'known-hosts-file']);
  imply('source-type', 'local', ['folder']);
  imply('auth', 'key', ['private-key-file', 'passphrase-file', 'passphrase-env']);
  imply('auth', 'password', ['password-env']);
  imply('passphrase-from', 'file', ['passphrase-file']);
  imply('passphrase-from', 'env', ['passphrase-env']);
  imply('host-key', 'pinned', ['host-key-sha256']);
  imply('host-key', 'knownHosts', ['known-hosts-file']);
  const lake = a.get('lake')?.[0];
  if (lake !== undefined && !a.has('lake-kind')) a.set('lake-kind', [lake.startsWith('s3://') ? 's3' : 'local']);
  imply('lake-kind', 's3', ['lake-region', 'lake-endpoint', 'lake-kms-key-id']);
  imply('warehouse', 'postgres', ['warehouse-url']);
  imply('warehouse', 'pglite', ['warehouse-path']);
  imply('warehouse', 'redshift-data', ['redshift', 'redshift-cluster', 'redshift-workgroup', 'redshift-iam-role', 'redshift-db-user', 'redshift-secret-arn']);
  imply('redshift', 'cluster', ['redshift-cluster', 'redshift-db-user']);
  imply('redshift', 'serverless', ['redshift-workgroup']);
  imply('redshift-sign-in', 'dbUser', ['redshift-db-user']);
  if (a.get('redshift')?.[0] === 'cluster') imply('redshift-sign-in', 'secretArn', ['redshift-secret-arn']);
}

/**
 * Flags given that no question took (an sftp flag for a local source…), so a mistaken script
 * is refused rather than half-used. Variables are not held to this: the environment may well
 * carry HALO_DATA_* meant for other commands.
 */
export function unusedFlags(opts: Record<string, unknown>, asked: Set<string>): string[] {
  return INIT_FLAGS.filter((f) => opts[camel(f.flag)] !== undefined && !asked.has(f.flag)).map((f) => `--${f.flag}`);
}

/**
 * The Ask that answers from `given`. `fallback`: a terminal's Ask for what is not given;
 * without one a question takes its default, or is recorded as missing (a choice without a
 * default stops the flow: what follows depends on it). `missing()` then lists the flags.
 */
export function answeringAsk(given: GivenAnswers, fallback: Ask | null): Ask & { missing: string[]; asked: Set<string> } {
  const missing: string[] = [];
  const asked = new Set<string>();
  const next = (key: string): string | undefined => {
    asked.add(key);
    const v = given.get(key);
    if (!v) return undefined;
    // A repeatable answer is used in turn; once used up, its "another?" question is answered "no more".
    return v.length ? v.shift() : '';
  };
  // `value` is quoted only for a choice: a text answer may hold what must not be echoed (a URL with a password).
  const refuse = (key: string, value: string | null, why: string) => new UsageError('bad-answer', `--${key}${value === null ? '' : ` ${JSON.stringify(value)}`}: ${why}`, { hint: `halo-data init --help lists the flags; with --from-env this is ${envName(key)}` });
  const stop = () => new MissingAnswers(missing);
  return {
    missing, asked,
    async text(q) {
      const v = next(q.key);
      if (v !== undefined) {
        const ok = q.validate ? q.validate(v) : true;
        if (ok !== true) throw refuse(q.key, null, ok);
        return v;
      }
      if (fallback) return fallback.text(q);
      if (q.default !== undefined) return q.default;
      if (!q.validate || q.validate('') === true) return '';
      missing.push(`--${q.key}`);
      return '';
    },
    async choose(q) {
      const v = next(q.key);
      const allowed = q.choices.filter((c) => !c.disabled).map((c) => c.value);
      if (v !== undefined) {
        const c = q.choices.find((x) => x.value === v);
        if (!c) throw refuse(q.key, v, `one of ${allowed.join(', ')}`);
        if (c.disabled) throw refuse(q.key, v, `not possible here ${String(c.disabled)}`);
        return c.value;
      }
      if (fallback) return fallback.choose(q);
      if (q.default !== undefined) return q.default;
      missing.push(`--${q.key} ${allowed.join('|')}`);
      throw stop();
    },
    async yesNo(q) {
      // Only "another source?": flags describe one source; a terminal can add more.
      asked.add(q.key);
      return fallback ? fallback.yesNo(q) : q.default;
    },
    async integer(q) {
      const v = next(q.key);
      if (v !== undefined) {
        const n = /^\d+$/.test(v.trim()) ? Number(v) : undefined;
        const ok = q.validate(n);
        if (ok !== true) throw refuse(q.key, null, ok);
        return n!;
      }
      return fallback ? fallback.integer(q) : q.default;
    },
    note(text) { fallback?.note(text); },
  };
}

/** Init without a terminal (or with --yes) lacks answers: exit 2, naming the flags that give them. */
export class MissingAnswers extends UsageError {
  constructor(readonly flags: string[]) {
    super('needs-answer', `init needs a terminal to ask its questions, or their answers as flags; missing: ${flags.join(', ')}`, {
      hint: `halo-data init --help lists every flag; with --from-env each is read from HALO_DATA_INIT_<FLAG> (e.g. ${envName(flags[0]?.replace(/^--|\s.*$/g, '') ?? 'source-type')}). `
        + 'Or write the file by hand from "Configuration" in README.md and pass it with --config FILE',
    });
  }
}
