/**
 * Per-layout outcome of a `halo-data validate --format json` run over generated claim PDFs:
 * how many files of each layout were valid, and which template or reader read them (the
 * report's `template` per file). Pure, so the throughput runs can show at a glance that the
 * PDFs/s figure counts claims that were actually read.
 */
export interface LayoutOutcome { layout: string; files: number; valid: number; readBy: Record<string, number>; errors: Record<string, number> }

interface ValidateFile { path: string; template?: string; reader?: string; validRows?: number; rows?: number; errors?: Array<{ code?: string }> }

export function layoutOutcomes(report: { files?: ValidateFile[] }, layoutOf: (file: string) => string): LayoutOutcome[] {
  const by = new Map<string, LayoutOutcome>();
  for (const f of report.files ?? []) {
    const name = layoutOf(f.path);
    let o = by.get(name);
    if (!o) by.set(name, o = { layout: name, files: 0, valid: 0, readBy: {}, errors: {} });
    o.files++;
    if ((f.validRows ?? 0) > 0 && (f.errors ?? []).length === 0) o.valid++;
    const reader = f.reader ?? f.template ?? 'none';
    o.readBy[reader] = (o.readBy[reader] ?? 0) + 1;
    for (const e of f.errors ?? []) o.errors[e.code ?? '?'] = (o.errors[e.code ?? '?'] ?? 0) + 1;
  }
  return [...by.values()].sort((a, b) => a.layout.localeCompare(b.layout));
}

/** `rs-harapan-sehat 67/67 valid (rs-harapan-sehat 67)`, plus the error codes when some are not. */
export function formatOutcome(o: LayoutOutcome): string {
  const counts = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  const errors = Object.keys(o.errors).length > 0 ? `; errors: ${counts(o.errors)}` : '';
  return `${o.layout} ${o.valid}/${o.files} valid (read by ${counts(o.readBy)}${errors})`;
}
