import type { SchemaSpec } from './types.js';
import { merchantInventory } from './builtin/merchant-inventory.js';
import { insuranceClaim } from './builtin/insurance-claim.js';
import { claimPdf } from './builtin/claim-pdf.js';
import { UsageError } from '../errors.js';

/** The built-in schemas: two tabular ones and claim_pdf (hospital claim PDFs, read by template). */
export const BUILTIN_SCHEMAS: readonly SchemaSpec[] = [merchantInventory, insuranceClaim, claimPdf];

export function listSchemas(): readonly SchemaSpec[] {
  return BUILTIN_SCHEMAS;
}

export function getSchema(name: string): SchemaSpec {
  const s = BUILTIN_SCHEMAS.find((x) => x.name === name);
  if (!s) {
    throw new UsageError('unknown-schema', `unknown schema '${name}'`, {
      hint: `known schemas: ${BUILTIN_SCHEMAS.map((x) => x.name).join(', ')} (halo-data schemas list)`,
    });
  }
  return s;
}

/** Schemas a file of this format can be guessed as. */
export function candidatesFor(format: 'csv' | 'xls' | 'xlsx' | 'pdf'): SchemaSpec[] {
  return BUILTIN_SCHEMAS.filter((s) => s.formats.includes(format));
}
