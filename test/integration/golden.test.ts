/**
 * Golden fixtures: every fixtures/<dir>/<case>.report.json names the exit code, counts,
 * problems (code, severity, row, column, field) and some normalised values that
 * `halo-data validate` must give for its file. The CLI is run as a user would; the values
 * come from the same pipeline writing normalised rows, read back by row number.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { runCli, ROOT, assertNoPersonalData } from '../support/cli.js';
import { validate } from '../../src/files/validate.js';
import { loadConfig } from '../../src/config/load.js';
import { getSchema } from '../../src/schemas/registry.js';

interface Expected {
  description: string;
  args?: string[];
  config?: string;
  exitCode: number;
  rows?: number;
  validRows?: number;
  problems: Array<{ code: string; severity: string; row: number | null; column: string | null; field: string | null }>;
  values?: Array<{ row: number; field: string; value: unknown }>;
}

const key = (p: Expected['problems'][number]) => `${p.code}|${p.severity}|${p.row}|${p.column}|${p.field}`;

function cases(): Array<{ dir: string; name: string; file: string; expected: Expected }> {
  const out = [];
  for (const dir of ['inventory', 'claims']) {
    const folder = join(ROOT, 'fixtures', dir);
    for (const f of readdirSync(folder).filter((x) => x.endsWith('.report.json')).sort()) {
      const base = f.slice(0, -'.report.json'.length);
      const data = readdirSync(folder).find((x) => x.startsWith(base + '.') && !x.endsWith('.report.json'));
      assert.ok(data, `no data file for ${f}`);
      out.push({ dir, name: base, file: `fixtures/${dir}/${data}`, expected: JSON.parse(readFileSync(join(folder, f), 'utf8')) as Expected });
    }
  }
  return out;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Normalised rows by source row, read back from the gzip members the pipeline writes. */
async function normalisedRows(file: string, e: Expected): Promise<Map<number, Record<string, string | null>>> {
  const args = e.args ?? [];
  const config = loadConfig({ configFile: e.config ? join(ROOT, e.config) : undefined, cwd: ROOT, env: {} });
  const members: Uint8Array[] = [];
  const report = await validate({
    inputs: [file], schema: option(args, '--schema'), merchant: option(args, '--merchant'), config, maxErrors: 1000, cwd: ROOT,
    sinkFor: () => ({ async write(m) { members.push(m); } }),
  });
  const schemaName = report.files[0].schema;
  const rows = new Map<number, Record<string, string | null>>();
  if (!schemaName) return rows;
  const fields = getSchema(schemaName).fields.map((f) => f.name);
  const text = members.map((m) => gunzipSync(m).toString('utf8')).join('');
  // Unquoted empty = null, quoted empty = '' (COPY CSV semantics): keep the difference.
  const records = parse(text, { relax_column_count: false, cast: (v, ctx) => (v === '' && !ctx.quoting ? null : v) }) as Array<Array<string | null>>;
  for (const r of records) {
    const row: Record<string, string | null> = {};
    fields.forEach((f, i) => { row[f] = r[i]; });
    rows.set(Number(r[fields.length + 1]), row);
  }
  return rows;
}

describe('golden fixtures', () => {
  for (const c of cases()) {
    test(`${c.dir}/${c.name}: ${c.expected.description}`, async () => {
      const e = c.expected;
      const args = ['validate', c.file, ...(e.args ?? []), '--format', 'json'];
      if (e.config) args.push('--config', e.config);
      const run = runCli(args);
      assert.doesNotMatch(run.stderr, /^\s+at .*:\d+:\d+\)?$/m, 'no stack trace');
      assertNoPersonalData(run.stdout + run.stderr, c.file);
      assert.equal(run.code, e.exitCode, `exit code; stderr: ${run.stderr.slice(0, 400)}`);
      const report = JSON.parse(run.stdout);
      const f = report.files[0];
      const got = f.errors.map(key).sort();
      const want = e.problems.map(key).sort();
      assert.deepEqual(got, want, `problems of ${c.file}:\n${f.errors.map((p: { message: string; code: string; row: number }) => `  ${p.row} ${p.code}: ${p.message}`).join('\n')}`);
      if (e.rows !== undefined) assert.equal(f.rows, e.rows, 'rows');
      if (e.validRows !== undefined) assert.equal(f.validRows, e.validRows, 'validRows');
      for (const p of f.errors) assert.ok(typeof p.message === 'string' && p.message.length > 10, 'every problem has a message');
      if (e.values?.length) {
        const rows = await normalisedRows(c.file, e);
        for (const v of e.values) {
          const row = rows.get(v.row);
          assert.ok(row, `row ${v.row} of ${c.file} has no normalised output (is it valid?)`);
          const actual = row[v.field];
          const expected = Array.isArray(v.value) ? JSON.stringify(v.value) : v.value;
          assert.equal(actual, expected, `row ${v.row} ${v.field}`);
        }
      }
    });
  }
  test('every fixture data file has a report', () => {
    for (const dir of ['inventory', 'claims']) {
      for (const f of readdirSync(join(ROOT, 'fixtures', dir))) {
        if (/\.(csv|xlsx?|pdf)$/.test(f)) {
          const base = f.replace(/\.(csv|xlsx?|pdf)$/, '');
          assert.ok(existsSync(join(ROOT, 'fixtures', dir, `${base}.report.json`)), `${dir}/${f} has no report`);
        }
      }
    }
  });
});
