import type { SchemaSpec, FieldSpec } from '../types.js';
import { insuranceClaim } from './insurance-claim.js';

/**
 * claim_pdf: one hospital claim PDF gives one insurance_claim row (same fields and rules)
 * plus its claim_line items; the fields are found by the issuer's template.
 */
export const claimPdf: SchemaSpec = {
  ...insuranceClaim,
  name: 'claim_pdf',
  description: 'One hospital claim PDF: insurance_claim fields and claim_line items, read by issuer template. Holds personal and health data.',
  formats: ['pdf', 'image'],
};

/** The line items of a claim PDF (claim_line). */
export const claimLineFields: FieldSpec[] = [
  { name: 'claim_id', type: 'string', required: true, maxBytes: 64, aliases: [] },
  { name: 'line_no', type: 'integer', required: true, min: 1, aliases: [] },
  { name: 'description', type: 'string', required: true, maxBytes: 512, aliases: [] },
  { name: 'quantity', type: 'integer', min: 0, aliases: [] },
  { name: 'unit_price', type: 'decimal', precision: 16, scale: 2, min: 0, aliases: [] },
  { name: 'amount', type: 'decimal', precision: 16, scale: 2, required: true, aliases: [] },
];

/** Line amounts may differ from the claimed total by at most this (1 rupiah). */
export const TOTAL_TOLERANCE = '1.00';
