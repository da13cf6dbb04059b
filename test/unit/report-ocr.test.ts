/**
 * The validate text report of a scanned claim: how each page was read and each value's OCR
 * confidence, never a value (values can be personal), unsure ones marked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import { renderText } from '../../src/output/report/text.js';
import type { FileOutcome, ValidateReport } from '../../src/files/file-outcome.js';

const file: FileOutcome = {
  path: 'scan.jpg', format: 'image', schema: 'claim_pdf', schemaGuessed: false, rows: 1, validRows: 0, errorCount: 1, warningCount: 0,
  problems: [], truncated: false, durationMs: 1, bytes: 1, template: 'generic', verdict: 'needs-review', pages: 1,
  ocr: {
    pages: [{ page: 1, engine: 'tesseract-wasm 7.0.0', meanConf: 0.91, dpi: 300, rotated: 180, skew: -2.6 }],
    fields: { claim_id: 0.96, claimed_amount: 0.84 },
    lines: [0.93, 0.97],
  },
};
const report: ValidateReport = { version: 1, valid: false, files: [file], summary: { files: 1, invalidFiles: 1, errors: 1, warnings: 0, rows: 1, validRows: 0 } };

test('a scanned file: its pages as read by OCR, each field\'s confidence, no value', () => {
  const out = renderText(report, new Chalk({ level: 0 }));
  assert.match(out, /scan\.jpg .*image, generic reader, 1 page · claim needs review/);
  assert.match(out, /page 1 +read by OCR \(tesseract-wasm 7\.0\.0\), mean confidence 0\.91, 300 dpi, turned 180°, skew -2\.6° removed/);
  assert.match(out, /OCR confidence: claim_id 0\.96, claimed_amount 0\.84; line items 0\.93–0\.97/);
});
