import type { Warehouse, QueryResult, Step, StepParam, ExecuteOptions } from './warehouse.js';
import { SecretParam } from './warehouse.js';
import { SCHEMA } from './sql/ddl.js';
import { STAGING_SCHEMA } from './sql/merge.js';

/** The two schemas a warehouse's SQL names: the star schema and the --no-merge staging one. */
export interface SchemaNames { main: string; staging: string }

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Every SQL text and COPY target with the schemas `halo` and `halo_staging` replaced by
 * `names`: outside string literals, the words `halo` / `halo_staging` (a word boundary on
 * both sides, so `halo_selftest_x` or `halo_data` are other words); inside a literal, only a
 * literal that is a schema name or a qualified name (`'halo'`, `'halo.fact_…_brin'`, as
 * regclass arguments and catalog filters write them). Any other literal is left alone.
 */
export function mapSchemaNames(sql: string, names: SchemaNames): string {
  const words = (text: string) => text.replace(/\b(halo_staging|halo)\b/g, (w) => (w === STAGING_SCHEMA ? names.staging : names.main));
  const literal = (body: string) => {
    const m = /^(halo_staging|halo)(\..*)?$/s.exec(body);
    return m ? `${m[1] === STAGING_SCHEMA ? names.staging : names.main}${m[2] ?? ''}` : body;
  };
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const q = sql.indexOf("'", i);
    if (q < 0) { out += words(sql.slice(i)); break; }
    out += words(sql.slice(i, q));
    // A literal runs to the next quote not doubled ('' is a quote inside it).
    let j = q + 1;
    for (;;) {
      const e = sql.indexOf("'", j);
      if (e < 0) { j = sql.length; break; }
      if (sql[e + 1] === "'") { j = e + 2; continue; }
      j = e;
      break;
    }
    out += `'${literal(sql.slice(q + 1, j))}'`;
    i = j + 1;
  }
  return out;
}

/**
 * A warehouse whose star schema and staging schema are other schemas of the same database
 * (`warehouse selftest`'s scratch pair): the code that loads, merges and counts runs
 * unchanged, written for `halo`, and every statement it hands over is mapped here on its
 * way to the engine. Nothing reaches the real schemas through it: a parameter whose value
 * is one of their names is refused (it could name a schema in a catalog query), since values
 * are never mapped. The dialect is the engine's; its statements are mapped as they pass.
 */
export class ScopedWarehouse implements Warehouse {
  readonly engine: Warehouse['engine'];
  readonly dialect: Warehouse['dialect'];
  readonly describe: string;

  constructor(private readonly inner: Warehouse, readonly names: SchemaNames) {
    for (const n of [names.main, names.staging]) {
      if (!SCHEMA_NAME.test(n) || n === SCHEMA || n === STAGING_SCHEMA) throw new Error(`not a scratch schema name: ${n}`);
    }
    this.engine = inner.engine;
    this.dialect = inner.dialect;
    this.describe = `${inner.describe} (schema ${names.main})`;
  }

  map(sql: string): string {
    return mapSchemaNames(sql, this.names);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: StepParam[]): Promise<QueryResult<T>> {
    return this.inner.query<T>(this.map(sql), guarded(params));
  }

  async readOnlyQuery<T = Record<string, unknown>>(sql: string): Promise<QueryResult<T>> {
    return this.inner.readOnlyQuery<T>(this.map(sql));
  }

  async execute(steps: Step[], opts: ExecuteOptions = {}): Promise<void> {
    // Exhaustive on purpose: a step kind added later that carries SQL must be mapped too (a
    // guard passed through unmapped once read the real schema's ledger).
    const mapped = steps.map((s): Step => {
      switch (s.kind) {
        case 'sql':
        case 'guard': return { ...s, sql: this.map(s.sql), params: guarded(s.params) };
        case 'copy': return { ...s, table: this.map(s.table) };
        case 'checkpoint': return s;
        default: return unknownStep(s);
      }
    });
    // Named apart from real loads (Redshift's statement store and query history).
    return this.inner.execute(mapped, { ...opts, name: opts.name ? `selftest-${opts.name}` : undefined });
  }

  /** The scratch pair belongs to its caller, which closes the warehouse it wrapped. */
  async close(): Promise<void> {}
}

function guarded(params: StepParam[] | undefined): StepParam[] | undefined {
  for (const p of params ?? []) {
    if (!(p instanceof SecretParam) && (p === SCHEMA || p === STAGING_SCHEMA)) {
      throw new Error(`a statement for the scratch schema has the parameter '${String(p)}', which could name the real schema`);
    }
  }
  return params;
}

function unknownStep(s: never): never {
  throw new Error(`ScopedWarehouse cannot map a step of kind ${(s as { kind: string }).kind}`);
}
