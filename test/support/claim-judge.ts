/**
 * The generic claim reader and its gates on a page model, and how a judgement compares with
 * what a generated document (claim-pages.ts) prints. Not a test file itself.
 */
import { readClaim } from '../../src/documents/read/read.js';
import { judge } from '../../src/documents/gates.js';
import { maskFor, PERSONAL_FIELDS } from '../../src/documents/redact.js';
import { claimPdf } from '../../src/schemas/builtin/claim-pdf.js';
import type { DocumentPages } from '../../src/documents/page.js';
import type { Reading } from '../../src/documents/reading.js';
import type { Judgement } from '../../src/documents/verdict.js';
import type { Expected } from './claim-pages.js';

export interface Judged { reading: Reading; judgement: Judgement; personal: Array<{ field: string; value: string }> }

export function readAndGate(doc: DocumentPages): Judged {
  const { reading, personal } = readClaim(doc, null);
  const mask = maskFor(personal);
  const { judgement } = judge(reading, { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'generated.pdf', mask, personal });
  return { reading, judgement, personal };
}

/** Where a judgement's values differ from the printed ones ([] when it read them all right). */
export function differences(j: Judgement, e: Expected): string[] {
  const out: string[] = [];
  for (const [f, v] of Object.entries(e.claim)) {
    if (PERSONAL_FIELDS.includes(f as never)) continue;
    if ((j.claim[f] ?? null) !== v) out.push(`${f}: read ${JSON.stringify(j.claim[f])}, printed ${JSON.stringify(v)}`);
  }
  if (j.lines.length !== e.lines.length) out.push(`items: read ${j.lines.length}, printed ${e.lines.length}`);
  e.lines.forEach((l, i) => {
    const r = j.lines[i];
    if (!r) return;
    for (const k of ['description', 'quantity', 'unit_price', 'amount'] as const) {
      if ((r[k] ?? null) !== l[k]) out.push(`item ${i + 1} ${k}: read ${JSON.stringify(r[k])}, printed ${JSON.stringify(l[k])}`);
    }
  });
  return out;
}

/** What a reading says, for comparing two readings of one document (P4). */
export function readingSummary(r: Reading): unknown {
  return {
    fields: Object.fromEntries(Object.entries(r.fields).map(([f, v]) => [f, v.value])),
    items: r.items.map((i) => i.values),
    style: r.numberStyle, dateOrder: r.dateOrder, sure: r.dateOrderSure,
  };
}
