/**
 * The accuracy table of `npm run bench -- pdf`: what `halo-data claims test <dir> --format
 * json` reports (format in README, "claims test"), summed per layout and in total. Pure: the
 * benchmark runs the command, this turns its JSON into rows and text. A document's layout is
 * its file name without the trailing `-<n>` (fixtures/claims-layouts/<layout>-<n>.pdf).
 */

/** The parts of one `claims test --format json` document the table uses. */
export interface ClaimsTestDocument {
  file: string;
  reader?: string;
  passed: boolean;
  fields: { right: number; expected: number };
  lines: { right: number; expected: number };
  /** The verdict read (valid | invalid | needs-review), when the report gives it. */
  verdict?: string;
  /** What differed (README, "claims test"): `claim.<field>`, `line <n>.<column>`, `line <n>`, `lines`, `verdict`, `problems`. */
  differences: Array<{ what: string; expected: string; got: string }>;
}
export interface ClaimsTestReport { dir: string; templates: string; documents: ClaimsTestDocument[] }

export interface AccuracyRow {
  layout: string;
  documents: number;
  passed: number;
  fields: { right: number; expected: number };
  lines: { right: number; expected: number };
  /** Which readers/templates read the layout's documents, with counts (e.g. generic: 3). */
  readers: Record<string, number>;
}

export function layoutOfDocument(file: string): string {
  const base = file.replace(/^.*[\\/]/, '').replace(/\.pdf$/i, '');
  return base.replace(/-\d+$/, '');
}

/** Checks the shape the table relies on; throws naming the first key that is wrong. */
export function parseClaimsTestReport(json: unknown): ClaimsTestReport {
  const fail = (what: string): never => { throw new Error(`claims test JSON: ${what}`); };
  const o = json as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.documents)) fail('no "documents" array');
  const count = (v: unknown, key: string) => {
    const c = v as { right?: unknown; expected?: unknown } | undefined;
    if (typeof c?.right !== 'number' || typeof c?.expected !== 'number') fail(`"${key}" is not { right, expected }`);
    return { right: c!.right as number, expected: c!.expected as number };
  };
  const documents = (o.documents as Array<Record<string, unknown>>).map((d, i) => {
    if (typeof d?.file !== 'string') fail(`documents[${i}].file is not a string`);
    if (typeof d.passed !== 'boolean') fail(`documents[${i}].passed is not a boolean`);
    const differences = Array.isArray(d.differences)
      ? (d.differences as Array<Record<string, unknown>>).map((x) => ({ what: String(x?.what ?? ''), expected: String(x?.expected ?? ''), got: String(x?.got ?? '') }))
      : [];
    return {
      file: d.file as string, reader: typeof d.reader === 'string' ? d.reader : undefined, passed: d.passed as boolean,
      fields: count(d.fields, `documents[${i}].fields`), lines: count(d.lines, `documents[${i}].lines`),
      ...(typeof d.verdict === 'string' ? { verdict: d.verdict } : {}), differences,
    };
  });
  return { dir: String(o.dir ?? ''), templates: String(o.templates ?? ''), documents };
}

/** One row per layout (sorted by name), then a row named "total". */
export function accuracyRows(report: ClaimsTestReport): AccuracyRow[] {
  const rows = new Map<string, AccuracyRow>();
  const total: AccuracyRow = { layout: 'total', documents: 0, passed: 0, fields: { right: 0, expected: 0 }, lines: { right: 0, expected: 0 }, readers: {} };
  for (const d of report.documents) {
    const name = layoutOfDocument(d.file);
    let row = rows.get(name);
    if (!row) rows.set(name, row = { layout: name, documents: 0, passed: 0, fields: { right: 0, expected: 0 }, lines: { right: 0, expected: 0 }, readers: {} });
    for (const r of [row, total]) {
      r.documents++;
      if (d.passed) r.passed++;
      r.fields.right += d.fields.right; r.fields.expected += d.fields.expected;
      r.lines.right += d.lines.right; r.lines.expected += d.lines.expected;
      const reader = d.reader ?? '?';
      r.readers[reader] = (r.readers[reader] ?? 0) + 1;
    }
  }
  return [...[...rows.values()].sort((a, b) => a.layout.localeCompare(b.layout)), total];
}

const ratio = (c: { right: number; expected: number }) =>
  `${c.right}/${c.expected}${c.expected > 0 ? ` (${Math.round((100 * c.right) / c.expected)} %)` : ''}`;

/**
 * The table, one block per run (e.g. "with templates", "generic reader alone"), the same
 * layouts on the same lines so that the two can be read side by side.
 */
export function formatAccuracy(runs: Array<{ label: string; rows: AccuracyRow[] }>): string {
  const out: string[] = [];
  const width = Math.max(18, ...runs.flatMap((r) => r.rows.map((x) => x.layout.length)));
  out.push(`  ${'layout'.padEnd(width)} ${'run'.padEnd(22)} ${'documents passed'.padEnd(17)} ${'fields right'.padEnd(17)} ${'lines right'.padEnd(17)} read by`);
  const layouts = [...new Set(runs.flatMap((r) => r.rows.map((x) => x.layout)))].sort((a, b) => (a === 'total' ? 1 : b === 'total' ? -1 : a.localeCompare(b)));
  for (const layout of layouts) {
    for (const run of runs) {
      const row = run.rows.find((x) => x.layout === layout);
      if (!row) continue;
      const readers = Object.entries(row.readers).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
      out.push(`  ${layout.padEnd(width)} ${run.label.padEnd(22)} ${`${row.passed}/${row.documents}`.padEnd(17)} ${ratio(row.fields).padEnd(17)} ${ratio(row.lines).padEnd(17)} ${readers}`);
    }
  }
  return out.join('\n') + '\n';
}
