/**
 * Redshift's CREATE TABLE / ALTER TABLE … ADD COLUMN made into PostgreSQL's, the way Redshift
 * would store the table:
 * - distribution and sort keys are checked (a key on a missing column, two DISTKEYs, a DISTKEY
 *   with DISTSTYLE ALL/EVEN/AUTO fail as on Redshift) and then dropped, with ENCODE and BACKUP;
 * - IDENTITY(seed, step) becomes PostgreSQL's identity column;
 * - PRIMARY KEY, UNIQUE and REFERENCES are dropped: Redshift declares them and never enforces
 *   them, so a duplicate key must insert (NOT NULL stays: Redshift enforces it);
 * - every character column gets a named CHECK that its UTF-8 bytes fit, since Redshift counts
 *   VARCHAR(n)/CHAR(n) in bytes where PostgreSQL counts characters. A CHECK (rather than a
 *   trigger or a domain) is evaluated by INSERT, UPDATE and COPY alike, and its name carries
 *   the column and the width, so a violation becomes Redshift's own error. CREATE TABLE AS
 *   needs none: its columns take the types of checked columns or of expressions.
 */
import { tokenize, closing, splitTopLevel, nameOf, type Token } from './sql-text.js';

type Edit = { start: number; end: number; text: string };
export type Rewrite = { text: string; error?: undefined } | { error: string; text?: undefined };

const CONSTRAINT_PREFIX = 'rsbytes:';

/** The column and byte width a byte-width CHECK stands for, from its name. */
export function byteLimitOf(constraint: string | undefined): { column: string; bytes: number } | undefined {
  const m = /^rsbytes:(\d+):(.*)$/s.exec(constraint ?? '');
  return m ? { bytes: Number(m[1]), column: m[2] } : undefined;
}

const COLUMN_ATTRIBUTES = new Set(['DEFAULT', 'IDENTITY', 'GENERATED', 'ENCODE', 'DISTKEY', 'SORTKEY', 'COLLATE', 'NOT', 'NULL',
  'UNIQUE', 'PRIMARY', 'REFERENCES', 'CONSTRAINT']);

export function rewriteRedshiftDdl(sql: string): Rewrite {
  const tokens = tokenize(sql);
  if (tokens[0]?.value === 'CREATE') {
    let i = 1;
    if (tokens[i]?.value === 'LOCAL' || tokens[i]?.value === 'GLOBAL') i++;
    if (tokens[i]?.value === 'TEMP' || tokens[i]?.value === 'TEMPORARY') i++;
    if (tokens[i]?.value !== 'TABLE') return { text: sql };
    i++;
    if (tokens[i]?.value === 'IF' && tokens[i + 1]?.value === 'NOT' && tokens[i + 2]?.value === 'EXISTS') i += 3;
    while (tokens[i + 1]?.value === '.') i += 2;
    return createTable(sql, tokens, i + 1);
  }
  if (tokens[0]?.value === 'ALTER' && tokens[1]?.value === 'TABLE') return alterTable(sql, tokens);
  return { text: sql };
}

interface Keys { style?: string; distkeys: string[]; sortkeys: string[] }

function createTable(sql: string, tokens: Token[], after: number): Rewrite {
  const edits: Edit[] = [];
  const keys: Keys = { distkeys: [], sortkeys: [] };
  const columns = new Set<string>();
  let hasLike = false;
  let attrsFrom = after;
  const isAs = tokens[after]?.value !== '(';
  if (!isAs) {
    const end = closing(tokens, after);
    const elements = splitTopLevel(tokens, after + 1, end);
    elements.forEach(([a, b], k) => {
      const head = tokens[a].value;
      if (tokens[a].kind === 'word' && head === 'LIKE') { hasLike = true; return; }
      const constraintAt = tokens[a].kind === 'word' && head === 'CONSTRAINT' ? a + 2 : a;
      if (tokens[a].kind === 'word' && ['PRIMARY', 'UNIQUE', 'FOREIGN'].includes(tokens[constraintAt]?.value ?? '')) {
        // A table constraint: informational on Redshift, so PostgreSQL never sees it.
        const from = k > 0 ? tokens[a - 1].start : tokens[a].start;
        const to = k > 0 || elements.length === 1 ? tokens[b - 1].end : tokens[b].end;
        edits.push({ start: from, end: to, text: '' });
        return;
      }
      columns.add(nameOf(tokens[a]));
      columnDefinition(tokens, a, b, edits, keys);
    });
    attrsFrom = end + 1;
  }
  tableAttributes(tokens, attrsFrom, edits, keys);
  const error = keysError(keys, isAs || hasLike ? undefined : columns);
  if (error) return { error };
  return { text: apply(sql, edits) };
}

function alterTable(sql: string, tokens: Token[]): Rewrite {
  const add = tokens.findIndex((t) => t.kind === 'word' && t.value === 'ADD');
  if (add < 0) return { text: sql };
  let a = add + 1;
  if (tokens[a]?.value === 'CONSTRAINT') a += 2;
  // ALTER TABLE … ADD PRIMARY KEY / UNIQUE / FOREIGN KEY: declared, not enforced: nothing to do.
  if (['PRIMARY', 'UNIQUE', 'FOREIGN'].includes(tokens[a]?.value ?? '')) return { text: 'DO $$BEGIN END$$' };
  a = add + 1;
  if (tokens[a]?.value === 'COLUMN') a++;
  if (tokens[a]?.value === 'IF' && tokens[a + 1]?.value === 'NOT' && tokens[a + 2]?.value === 'EXISTS') a += 3;
  let b = tokens.length;
  while (b > a && tokens[b - 1].value === ';') b--;
  const edits: Edit[] = [];
  const keys: Keys = { distkeys: [], sortkeys: [] };
  columnDefinition(tokens, a, b, edits, keys);
  return { text: apply(sql, edits) };
}

/** One column's definition tokens[a, b): attributes PostgreSQL lacks dropped, identity spelled out, the byte CHECK added. */
function columnDefinition(tokens: Token[], a: number, b: number, edits: Edit[], keys: Keys): void {
  const name = nameOf(tokens[a]);
  let i = a + 1;
  const typeStart = i;
  while (i < b && !(tokens[i].kind === 'word' && COLUMN_ATTRIBUTES.has(tokens[i].value))) {
    if (tokens[i].value === '(') i = closing(tokens, i);
    i++;
  }
  const bytes = characterBytes(tokens, typeStart, i, edits);
  while (i < b) {
    const t = tokens[i];
    const v = t.kind === 'word' ? t.value : '';
    if (v === 'DISTKEY') { keys.distkeys.push(name); edits.push(cut(tokens, i, i + 1)); i++; continue; }
    if (v === 'SORTKEY') { keys.sortkeys.push(name); edits.push(cut(tokens, i, i + 1)); i++; continue; }
    if (v === 'ENCODE' || v === 'COLLATE') { edits.push(cut(tokens, i, i + 2)); i += 2; continue; }
    if (v === 'PRIMARY' && tokens[i + 1]?.value === 'KEY') { edits.push(cut(tokens, i, i + 2)); i += 2; continue; }
    if (v === 'UNIQUE') { edits.push(cut(tokens, i, i + 1)); i++; continue; }
    if (v === 'REFERENCES') {
      let j = i + 2;
      while (tokens[j]?.value === '.') j += 2;
      if (tokens[j]?.value === '(') j = closing(tokens, j) + 1;
      edits.push(cut(tokens, i, j));
      i = j;
      continue;
    }
    if (v === 'CONSTRAINT' && ['PRIMARY', 'UNIQUE', 'REFERENCES'].includes(tokens[i + 2]?.value ?? '')) { edits.push(cut(tokens, i, i + 2)); i += 2; continue; }
    if (v === 'IDENTITY' || v === 'GENERATED') {
      const open = tokens.findIndex((x, k) => k > i && x.value === '(');
      const end = closing(tokens, open);
      const args = tokens.slice(open + 1, end).map((x) => x.raw).join('').split(',');
      edits.push({ start: t.start, end: tokens[end].end, text: `GENERATED BY DEFAULT AS IDENTITY (START WITH ${args[0]} INCREMENT BY ${args[1]})` });
      i = end + 1;
      continue;
    }
    i++;
  }
  if (bytes !== undefined) {
    const constraint = `${CONSTRAINT_PREFIX}${bytes}:${name}`.replace(/"/g, '""');
    edits.push({ start: tokens[b - 1].end, end: tokens[b - 1].end, text: ` CONSTRAINT "${constraint}" CHECK (octet_length(${tokens[a].raw}::text) <= ${bytes})` });
  }
}

/**
 * A character type's width in bytes as Redshift reads it: VARCHAR without a length and TEXT
 * are VARCHAR(256), CHAR without one CHAR(1), MAX 65535. VARCHAR(MAX) is written as VARCHAR.
 */
function characterBytes(tokens: Token[], from: number, to: number, edits: Edit[]): number | undefined {
  const words = tokens.slice(from, to).filter((t) => t.kind === 'word').map((t) => t.value);
  const type = words[0] === 'CHARACTER' && words[1] === 'VARYING' ? 'VARCHAR' : words[0];
  const varying = ['VARCHAR', 'NVARCHAR', 'TEXT'].includes(type);
  const fixed = ['CHAR', 'CHARACTER', 'NCHAR', 'BPCHAR'].includes(type);
  if (!varying && !fixed) return undefined;
  const open = tokens.slice(from, to).findIndex((t) => t.value === '(');
  if (open < 0) return varying ? 256 : 1;
  const arg = tokens[from + open + 1];
  if (arg?.value === 'MAX') {
    edits.push({ start: tokens[from].start, end: tokens[from + open + 2].end, text: 'VARCHAR' });
    return 65535;
  }
  return Number(arg?.value);
}

/** DISTSTYLE, DISTKEY, SORTKEY, BACKUP, ENCODE AUTO after the column list (or before AS): recorded and cut. */
function tableAttributes(tokens: Token[], from: number, edits: Edit[], keys: Keys): void {
  let i = from;
  while (i < tokens.length) {
    const v = tokens[i].kind === 'word' ? tokens[i].value : '';
    if (v === 'AS') break;
    if (v === 'DISTSTYLE') { keys.style = tokens[i + 1]?.value; edits.push(cut(tokens, i, i + 2)); i += 2; continue; }
    if (v === 'DISTKEY' && tokens[i + 1]?.value === '(') {
      const end = closing(tokens, i + 1);
      keys.distkeys.push(...tokens.slice(i + 2, end).filter((t) => t.value !== ',').map(nameOf));
      edits.push(cut(tokens, i, end + 1));
      i = end + 1;
      continue;
    }
    if (v === 'COMPOUND' || v === 'INTERLEAVED' || v === 'SORTKEY') {
      const at = v === 'SORTKEY' ? i : i + 1;
      if (tokens[at + 1]?.value === 'AUTO') { edits.push(cut(tokens, i, at + 2)); i = at + 2; continue; }
      const end = closing(tokens, at + 1);
      keys.sortkeys.push(...tokens.slice(at + 2, end).filter((t) => t.value !== ',').map(nameOf));
      edits.push(cut(tokens, i, end + 1));
      i = end + 1;
      continue;
    }
    if (v === 'BACKUP' || (v === 'ENCODE' && tokens[i + 1]?.value === 'AUTO')) { edits.push(cut(tokens, i, i + 2)); i += 2; continue; }
    i++;
  }
}

/** Redshift's refusals of distribution and sort keys; `columns` undefined when they are not known (CREATE TABLE AS, LIKE). */
function keysError(keys: Keys, columns: Set<string> | undefined): string | undefined {
  // The same column named as a column attribute and in DISTKEY (…) is one key.
  const distkeys = [...new Set(keys.distkeys)];
  if (distkeys.length > 1) return 'ERROR: Only one column can be specified as DISTKEY';
  if (distkeys.length === 1 && keys.style && keys.style !== 'KEY') {
    return `ERROR: DISTSTYLE ${keys.style} is not compatible with DISTKEY`;
  }
  if (keys.style === 'KEY' && distkeys.length === 0) return 'ERROR: DISTSTYLE KEY must be specified with a DISTKEY';
  if (columns) {
    for (const c of keys.distkeys) if (!columns.has(c)) return `ERROR: column "${c}" named in DISTKEY does not exist`;
    for (const c of keys.sortkeys) if (!columns.has(c)) return `ERROR: column "${c}" named in SORTKEY does not exist`;
  }
  return undefined;
}

function cut(tokens: Token[], from: number, to: number): Edit {
  return { start: tokens[from].start, end: tokens[Math.min(to, tokens.length) - 1].end, text: '' };
}

function apply(sql: string, edits: Edit[]): string {
  let text = sql;
  // From the end backwards; at one offset, a cut before an insertion (a CHECK added where a removed constraint began).
  for (const e of [...edits].sort((x, y) => y.start - x.start || (y.end - y.start) - (x.end - x.start))) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}
