/**
 * SQL text as the emulator reads it: string literals, quoted identifiers and comments are
 * told apart from code, so no rule ever matches inside a value or a name.
 */

export type SegmentKind = 'code' | 'string' | 'identifier' | 'comment';
export interface Segment { kind: SegmentKind; text: string }

/** Splits SQL into code, string literals ('…', E'…', $$…$$), quoted identifiers and comments. */
export function splitSql(sql: string): Segment[] {
  const out: Segment[] = [];
  let codeStart = 0;
  let i = 0;
  const dollar = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    let kind: SegmentKind | undefined;
    let end = i;
    if (c === '-' && next === '-') {
      kind = 'comment';
      end = sql.indexOf('\n', i);
      end = end < 0 ? sql.length : end;
    } else if (c === '/' && next === '*') {
      kind = 'comment';
      end = blockCommentEnd(sql, i);
    } else if (c === "'") {
      kind = 'string';
      const escapes = /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      end = quotedEnd(sql, i, "'", escapes);
    } else if (c === '"') {
      kind = 'identifier';
      end = quotedEnd(sql, i, '"', false);
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      dollar.lastIndex = i;
      const m = dollar.exec(sql);
      if (m) {
        kind = 'string';
        const close = sql.indexOf(m[0], i + m[0].length);
        end = close < 0 ? sql.length : close + m[0].length;
      }
    }
    if (!kind) { i++; continue; }
    if (i > codeStart) out.push({ kind: 'code', text: sql.slice(codeStart, i) });
    out.push({ kind, text: sql.slice(i, end) });
    i = codeStart = end;
  }
  if (sql.length > codeStart) out.push({ kind: 'code', text: sql.slice(codeStart) });
  return out;
}

function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let j = start + 1;
  while (j < sql.length) {
    if (backslashEscapes && sql[j] === '\\') { j += 2; continue; }
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) { j += 2; continue; }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

/** PostgreSQL's block comments nest. */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let j = start;
  while (j < sql.length) {
    if (sql.startsWith('/*', j)) { depth++; j += 2; continue; }
    if (sql.startsWith('*/', j)) { depth--; j += 2; if (depth === 0) return j; continue; }
    j++;
  }
  return sql.length;
}

/** The SQL with literals and quoted identifiers blanked (same length), comments as spaces. */
export function maskLiterals(sql: string): string {
  return splitSql(sql).map((s) => (s.kind === 'code' ? s.text : s.kind === 'comment' ? ' '.repeat(s.text.length) : '\0'.repeat(s.text.length))).join('');
}

/**
 * A token of code: a word (value upper-cased), a quoted identifier (value unquoted), a
 * literal (value unquoted), a number or one punctuation character (`::` is one token).
 * `start`/`end` are offsets in the SQL, so a rewrite can cut the text it came from.
 */
export interface Token { kind: 'word' | 'identifier' | 'string' | 'number' | 'punct'; raw: string; value: string; start: number; end: number }

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  for (const seg of splitSql(sql)) {
    const at = offset;
    offset += seg.text.length;
    if (seg.kind === 'comment') continue;
    const whole = (kind: Token['kind'], value: string) => tokens.push({ kind, raw: seg.text, value, start: at, end: at + seg.text.length });
    if (seg.kind === 'string') { whole('string', unquote(seg.text)); continue; }
    if (seg.kind === 'identifier') { whole('identifier', seg.text.slice(1, -1).replace(/""/g, '"')); continue; }
    for (const m of seg.text.matchAll(/([A-Za-z_][\w$]*)|(\d+(?:\.\d+)?)|(::)|(\S)/g)) {
      const start = at + (m.index ?? 0);
      const t = (kind: Token['kind'], raw: string, value: string) => tokens.push({ kind, raw, value, start, end: start + raw.length });
      if (m[1]) t('word', m[1], m[1].toUpperCase());
      else if (m[2]) t('number', m[2], m[2]);
      else if (m[3]) t('punct', m[3], m[3]);
      else t('punct', m[4], m[4]);
    }
  }
  return tokens;
}

/** A '…' literal's text; the E prefix (left in the code before it) only changes backslashes, which Redshift COPY options read literally. */
export function unquote(literal: string): string {
  if (literal.startsWith('$')) return literal.replace(/^\$[^$]*\$|\$[^$]*\$$/g, '');
  return literal.slice(1, -1).replace(/''/g, "'");
}

/** A name token as PostgreSQL folds it: unquoted words lower-cased, quoted names as written. */
export function nameOf(t: Token): string {
  return t.kind === 'identifier' ? t.value : t.raw.toLowerCase();
}

/** The index of the `)` that closes the `(` at `open`, or tokens.length. */
export function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].value === '(') depth++;
    else if (tokens[i].value === ')' && --depth === 0) return i;
  }
  return tokens.length;
}

/** Splits tokens[from, to) at commas outside parentheses. */
export function splitTopLevel(tokens: Token[], from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const v = tokens[i].kind === 'punct' ? tokens[i].value : '';
    if (v === '(' || v === '[') depth++;
    else if (v === ')' || v === ']') depth--;
    else if (v === ',' && depth === 0) { parts.push([start, i]); start = i + 1; }
  }
  if (start < to) parts.push([start, to]);
  return parts;
}
