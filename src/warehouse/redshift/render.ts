import type { SqlParameter } from '@aws-sdk/client-redshift-data';
import { SecretParam, type Step, type StepParam, type Refusal } from '../warehouse.js';
import { ConfigError } from '../../errors.js';

/** What each SQL text of a batch is, so a failure can be explained in the step's terms. */
/** `own`: SQL the user wrote (warehouse query), whose fragments its error message may keep. */
export type Role = { kind: 'sql'; label?: string; own?: string } | { kind: 'copy'; label: string; table: string } | { kind: 'guard'; label: string; table: string; expected: number }
  | { kind: 'plan-guard'; label: string; refusal?: Refusal };

export interface RenderedBatch { sqls: string[]; parameters: SqlParameter[]; roles: Role[] }

export interface CopyTarget { iamRole: string; region?: string | null }

/**
 * Steps as one Data API batch. `$n` parameters become named batch parameters (one per
 * position and value), so values — the member hash key among them — never enter the SQL text
 * that Redshift keeps in its query history. NULL and '' are written as literals (the API
 * takes neither as a parameter value).
 */
export function renderBatch(steps: readonly Step[], copy: CopyTarget | null): RenderedBatch {
  const byValue = new Map<string, string>();
  const parameters: SqlParameter[] = [];
  // Shared by statements only for the same position and value, so one name never stands
  // for values of two types in one statement.
  const param = (n: string, v: StepParam): string => {
    if (v === null) return 'NULL';
    const value = v instanceof SecretParam ? v.value : String(v);
    if (value === '') return `''`;
    const key = `${n}\u0000${value}`;
    let name = byValue.get(key);
    if (!name) {
      name = `p${byValue.size + 1}`;
      byValue.set(key, name);
      parameters.push({ name, value });
    }
    return `:${name}`;
  };
  const sqls: string[] = [];
  const roles: Role[] = [];
  for (const s of steps) {
    if (s.kind === 'checkpoint') continue; // the batch is one server-side transaction: no client step between
    if (s.kind === 'sql' || s.kind === 'guard') {
      const params = s.params ?? [];
      sqls.push(s.sql.replace(/\$(\d+)/g, (_m, n: string) => param(n, params[Number(n) - 1] ?? null)));
      roles.push(s.kind === 'sql' ? { kind: 'sql', label: s.label } : { kind: 'plan-guard', label: s.label, refusal: s.refusal });
      continue;
    }
    if (!copy) throw new ConfigError('warehouse.iamRole is not set: Redshift COPY reads the lake with that IAM role', { hint: 'e.g. arn:aws:iam::123456789012:role/halo-data-copy' });
    if (!s.manifestUrl.startsWith('s3://')) throw new ConfigError(`Redshift COPY reads from S3, but the lake is ${s.manifestUrl.replace(/\/[^/]*$/, '')}`, { hint: 'set lake.url to s3://bucket/prefix' });
    // Credentials only as the cluster's IAM role: no key ever goes into SQL text. EMPTYASNULL:
    // the parts write NULL as an empty field, as PostgreSQL's COPY reads it. STATUPDATE ON:
    // the merges that follow join this table (up to millions of rows) to the dimensions, and
    // Redshift plans joins (which side is redistributed or broadcast) from statistics; COPY
    // computes them at its end, in the same statement (no ANALYZE statement in the batch).
    // COMPUPDATE OFF: encodings of a table dropped within the hour are not worth a sample.
    sqls.push(`COPY ${s.table} (${s.columns.join(', ')}) FROM ${quote(s.manifestUrl)} IAM_ROLE ${quote(copy.iamRole)} MANIFEST GZIP CSV EMPTYASNULL
      DATEFORMAT 'YYYY-MM-DD' TIMEFORMAT 'auto' COMPUPDATE OFF STATUPDATE ON${copy.region ? ` REGION ${quote(copy.region)}` : ''}`);
    roles.push({ kind: 'copy', label: s.label, table: s.table });
    // Fails the transaction (a cast error) unless COPY loaded exactly the manifest's rows.
    sqls.push(`SELECT CAST(CASE WHEN COUNT(*) = ${Math.trunc(s.expectedRows)} THEN '0' ELSE 'row-count-mismatch' END AS INTEGER) AS row_count_check FROM ${s.table}`);
    roles.push({ kind: 'guard', label: s.label, table: s.table, expected: s.expectedRows });
  }
  return { sqls, parameters, roles };
}

/** A string literal for values this tool writes itself (S3 URLs, role ARNs, regions). */
function quote(v: string): string {
  if (/[\\\x00-\x1f]/.test(v)) throw new Error(`refusing to quote a value with a backslash or control character: ${JSON.stringify(v.slice(0, 40))}`);
  return `'${v.replace(/'/g, "''")}'`;
}
