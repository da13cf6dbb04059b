/**
 * The strictness checker: refuses, before PostgreSQL sees it, SQL that PostgreSQL runs but
 * Amazon Redshift does not (its "Unsupported PostgreSQL features / functions / data types"
 * pages, and the UPDATE and generate_series rules of its SQL reference). It reads tokens,
 * so a word inside a string literal, a quoted name or a comment never trips a rule.
 *
 * Messages follow Redshift's shape (`ERROR: …`). Where Redshift's parser (PostgreSQL 8.0's)
 * simply does not know a clause, the message is its `syntax error at or near "…"`.
 */
import { tokenize, closing, type Token } from './sql-text.js';

const SYNTAX = (t: Token) => `ERROR: syntax error at or near "${t.raw}"`;
/** Redshift's answer when a leader-node-only function or type meets a table on the compute nodes. */
export const LEADER_ONLY = 'ERROR: Specified types or functions (one per INFO message) not supported on Redshift tables.';

/** PostgreSQL types Redshift lacks ("Unsupported PostgreSQL data types"), by the word that starts them. */
const UNSUPPORTED_TYPES = new Set([
  'SERIAL', 'SERIAL2', 'SERIAL4', 'SERIAL8', 'BIGSERIAL', 'SMALLSERIAL', 'BYTEA', 'JSON', 'JSONB', 'UUID', 'XML', 'MONEY',
  'INET', 'CIDR', 'MACADDR', 'MACADDR8', 'HSTORE', 'BIT', 'VARBIT', 'TSVECTOR', 'TSQUERY', 'TXID_SNAPSHOT', 'INT4RANGE',
  'INT8RANGE', 'NUMRANGE', 'TSRANGE', 'TSTZRANGE', 'DATERANGE', 'POINT', 'LINE', 'LSEG', 'BOX', 'PATH', 'POLYGON', 'CIRCLE',
  'REGCLASS', 'REGTYPE', 'REGPROC', 'OID', 'INTERVAL',
]);

/** Functions Redshift does not have (JSON/array table functions and the like); its own JSON functions stay allowed. */
const UNSUPPORTED_FUNCTIONS = /^(JSONB?_(ARRAY_ELEMENTS(_TEXT)?|EACH(_TEXT)?|OBJECT_KEYS|POPULATE_RECORD(SET)?|TO_RECORD(SET)?|AGG|OBJECT_AGG|BUILD_OBJECT|BUILD_ARRAY|OBJECT|STRIP_NULLS|PRETTY|SET|INSERT|PATH_QUERY.*)|JSONB_.*|TO_JSONB?|ROW_TO_JSON|ARRAY_TO_JSON|UNNEST|ARRAY_AGG|STRING_TO_ARRAY|ARRAY_TO_STRING|REGEXP_SPLIT_TO_TABLE|REGEXP_SPLIT_TO_ARRAY|REGEXP_MATCHES|NEXTVAL|CURRVAL|SETVAL|GEN_RANDOM_UUID|UUID_GENERATE_V4|STRING_AGG)$/;

/** Functions that run on the leader node only: refused when the statement also reads or writes a table. */
const LEADER_ONLY_FUNCTIONS = new Set(['GENERATE_SERIES']);

/** Statements Redshift has no such thing as. */
const UNSUPPORTED_CREATE = new Set(['INDEX', 'SEQUENCE', 'TRIGGER', 'RULE', 'TYPE', 'DOMAIN', 'EXTENSION', 'TABLESPACE', 'COLLATION']);

/** Why Redshift would refuse `sql`, as its error text; undefined when it would run it. */
export function redshiftRefusal(sql: string): string | undefined {
  const tokens = tokenize(sql);
  if (tokens.length === 0) return undefined;
  const first = tokens[0].value;
  return createRefusal(tokens) ?? updateRefusal(tokens, first) ?? leaderOnlyRefusal(tokens, first) ?? tokenRefusal(tokens);
}

function createRefusal(tokens: Token[]): string | undefined {
  if (tokens[0].value !== 'CREATE') return undefined;
  let i = 1;
  if (tokens[i]?.value === 'UNIQUE') i++;
  if (tokens[i]?.value === 'OR' && tokens[i + 1]?.value === 'REPLACE') i += 2;
  const what = tokens[i];
  if (what && UNSUPPORTED_CREATE.has(what.value)) {
    return what.value === 'INDEX' ? 'ERROR: CREATE INDEX is not supported' : SYNTAX(what);
  }
  return undefined;
}

/** "Left, right, and full outer joins aren't supported in the FROM clause of an UPDATE statement." */
function updateRefusal(tokens: Token[], first: string): string | undefined {
  if (first !== 'UPDATE') return undefined;
  let depth = 0;
  let inFrom = false;
  for (const t of tokens) {
    if (t.value === '(') depth++;
    else if (t.value === ')') depth--;
    else if (depth === 0 && t.kind === 'word') {
      if (t.value === 'FROM') inFrom = true;
      else if (t.value === 'WHERE') inFrom = false;
      else if (inFrom && ['LEFT', 'RIGHT', 'FULL'].includes(t.value)) return 'ERROR: Target table must be part of an equijoin predicate';
    }
  }
  return undefined;
}

/**
 * generate_series and friends run on the leader node only: with a table anywhere in the
 * statement (a write, or a FROM/JOIN naming a relation) Redshift refuses the statement.
 */
function leaderOnlyRefusal(tokens: Token[], first: string): string | undefined {
  const uses = tokens.some((t, i) => t.kind === 'word' && LEADER_ONLY_FUNCTIONS.has(t.value) && tokens[i + 1]?.value === '(');
  if (!uses) return undefined;
  if (['INSERT', 'UPDATE', 'DELETE', 'CREATE', 'COPY', 'MERGE'].includes(first)) return LEADER_ONLY;
  for (let i = 0; i < tokens.length - 1; i++) {
    if (tokens[i].kind !== 'word' || !['FROM', 'JOIN'].includes(tokens[i].value)) continue;
    const next = tokens[i + 1];
    // A relation name: not a subquery, not a function call such as generate_series(…).
    if ((next.kind === 'word' || next.kind === 'identifier') && tokens[i + 2]?.value !== '(') return LEADER_ONLY;
  }
  return undefined;
}

function tokenRefusal(tokens: Token[]): string | undefined {
  const isCreateTable = tokens[0].value === 'CREATE' && tokens.slice(1, 5).some((t) => t.value === 'TABLE');
  const isAlterTable = tokens[0].value === 'ALTER' && tokens[1]?.value === 'TABLE';
  if (tokens[0].value === 'VALUES') return SYNTAX(tokens[0]);
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (t.kind === 'punct') {
      if (t.value === '(') depth++;
      else if (t.value === ')') depth--;
      // a VALUES list used as a table: `FROM (VALUES …)`; INSERT … VALUES (…), (…) has no `(` before VALUES
      if (t.value === '(' && next?.value === 'VALUES' && next.kind === 'word') return SYNTAX(next);
      if (t.value === '::' && next) {
        const type = typeRefusal(tokens, i + 1);
        if (type) return type;
      }
      continue;
    }
    if (t.kind !== 'word') continue;
    switch (t.value) {
      case 'RETURNING': case 'LATERAL': return SYNTAX(t);
      case 'ON':
        if (next?.value === 'CONFLICT') return SYNTAX(t);
        if (next?.value === 'COMMIT') return SYNTAX(t);
        break;
      case 'IS':
        if (next?.value === 'DISTINCT' || (next?.value === 'NOT' && tokens[i + 2]?.value === 'DISTINCT')) return SYNTAX(next.value === 'NOT' ? tokens[i + 2] : next);
        break;
      case 'ARRAY':
        if (next?.value === '[' || next?.value === '(') return LEADER_ONLY;
        break;
      case 'GENERATED':
        // Redshift knows only GENERATED BY DEFAULT AS IDENTITY (seed, step).
        if (!(next?.value === 'BY' && tokens[i + 2]?.value === 'DEFAULT' && tokens[i + 3]?.value === 'AS' && tokens[i + 4]?.value === 'IDENTITY'
          && seedStep(tokens, i + 5))) return SYNTAX(next ?? t);
        break;
      case 'IDENTITY':
        if (tokens[i - 1]?.value !== 'AS' && !seedStep(tokens, i + 1)) return SYNTAX(next ?? t);
        break;
      case 'CAST':
        if (next?.value === '(') {
          const end = closing(tokens, i + 1);
          for (let j = i + 2; j < end; j++) {
            if (tokens[j].value === 'AS' && tokens[j].kind === 'word') {
              const type = typeRefusal(tokens, j + 1);
              if (type) return type;
            }
          }
        }
        break;
      // table clauses after the column list (a window's PARTITION BY sits inside OVER (…))
      case 'PARTITION': if (next?.value === 'BY' && isCreateTable && depth === 0) return SYNTAX(t); break;
      case 'INHERITS': case 'TABLESPACE': if (isCreateTable && depth === 0) return SYNTAX(t); break;
      case 'EXCLUDE': if (isCreateTable && depth === 1) return SYNTAX(t); break;
      case 'CHECK': if (isCreateTable || isAlterTable) return SYNTAX(t); break;
      default:
        if (next?.value === '(' && UNSUPPORTED_FUNCTIONS.test(t.value) && tokens[i - 1]?.value !== '.') {
          return `ERROR: function ${t.raw.toLowerCase()} does not exist`;
        }
    }
  }
  if (isCreateTable || isAlterTable) return columnTypeRefusal(tokens);
  return undefined;
}

/** `(seed, step)` at tokens[i]: Redshift's IDENTITY arguments. */
function seedStep(tokens: Token[], i: number): boolean {
  const n = (k: number) => tokens[k]?.kind === 'number' || (tokens[k]?.value === '-' && tokens[k + 1]?.kind === 'number');
  if (tokens[i]?.value !== '(' || !n(i + 1)) return false;
  let j = i + 1 + (tokens[i + 1].value === '-' ? 2 : 1);
  if (tokens[j]?.value !== ',' || !n(j + 1)) return false;
  j += 1 + (tokens[j + 1].value === '-' ? 2 : 1);
  return tokens[j]?.value === ')';
}

/** A cast's target type Redshift lacks. */
function typeRefusal(tokens: Token[], i: number): string | undefined {
  const t = tokens[i];
  if (!t || t.kind !== 'word') return undefined;
  if (t.value === 'JSON' || t.value === 'JSONB') return `ERROR: type "${t.raw.toLowerCase()}" does not exist`;
  // INTERVAL is refused as a column type only: Redshift has interval literals and arithmetic.
  if (UNSUPPORTED_TYPES.has(t.value) && t.value !== 'INTERVAL') return LEADER_ONLY;
  // an array type: int[]
  let j = i + 1;
  if (tokens[j]?.value === '(') j = closing(tokens, j) + 1;
  if (tokens[j]?.value === '[') return LEADER_ONLY;
  return undefined;
}

/**
 * A column whose type Redshift lacks: `Column "t.c" has unsupported type "serial"`. The
 * column definitions are the table's parenthesised list (CREATE TABLE) or what follows ADD
 * [COLUMN] (ALTER TABLE).
 */
function columnTypeRefusal(tokens: Token[]): string | undefined {
  const table = tableName(tokens);
  const check = (nameAt: number): string | undefined => {
    const name = tokens[nameAt];
    const type = tokens[nameAt + 1];
    if (!name || !type || type.kind !== 'word') return undefined;
    if (['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK', 'LIKE'].includes(name.value)) return undefined;
    let j = nameAt + 2;
    if (tokens[j]?.value === '(') j = closing(tokens, j) + 1;
    if (UNSUPPORTED_TYPES.has(type.value) || tokens[j]?.value === '[' || tokens[j]?.value === 'ARRAY') {
      return `ERROR: Column "${table}.${name.kind === 'identifier' ? name.value : name.raw.toLowerCase()}" has unsupported type "${type.raw.toLowerCase()}${tokens[j]?.value === '[' ? '[]' : ''}".`;
    }
    return undefined;
  };
  if (tokens[0].value === 'ALTER') {
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].value !== 'ADD') continue;
      const at = tokens[i + 1]?.value === 'COLUMN' ? i + 2 : i + 1;
      const refused = check(at);
      if (refused) return refused;
    }
    return undefined;
  }
  const open = tokens.findIndex((t) => t.value === '(');
  if (open < 0 || tokens.slice(0, open).some((t) => t.value === 'AS')) return undefined;
  const end = closing(tokens, open);
  let depth = 0;
  let elementStart = open + 1;
  for (let i = open + 1; i <= end; i++) {
    const v = tokens[i]?.value;
    if (i === elementStart) {
      const refused = check(i);
      if (refused) return refused;
    }
    if (v === '(') depth++;
    else if (v === ')') depth--;
    else if (v === ',' && depth === 0) elementStart = i + 1;
  }
  return undefined;
}

/** The bare name of the table a CREATE/ALTER TABLE names. */
function tableName(tokens: Token[]): string {
  let i = tokens.findIndex((t) => t.value === 'TABLE') + 1;
  if (tokens[i]?.value === 'IF') i += tokens[i + 1]?.value === 'NOT' ? 3 : 2;
  let name = tokens[i];
  while (tokens[i + 1]?.value === '.' && tokens[i + 2]) { i += 2; name = tokens[i]; }
  return name ? (name.kind === 'identifier' ? name.value : name.raw.toLowerCase()) : '?';
}
