import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WorkerPool } from '../../src/files/worker-pool.js';
import { claimPdf } from '../../src/schemas/builtin/claim-pdf.js';
import { claimReaderFor } from '../../src/documents/setup.js';
import type { PdfTask, PdfResult } from '../../src/files/pdf-worker.js';
import type { HaloConfig } from '../../src/config/types.js';

// pdf.js's core-js replaces Array.prototype.push (8x slower) and JSON.parse when it loads, and
// again when its worker half loads during the first document; the PDF worker puts V8's back.
test('the PDF worker reads with V8\'s own push and JSON.parse from its second document on', async () => {
  const pool = new WorkerPool<PdfTask, PdfResult & { v8Builtins: boolean }>(new URL('../support/pdf-builtins-worker.ts', import.meta.url), 1);
  try {
    const pdf = readFileSync(new URL('../../fixtures/claims-pdf/klinik-medika-1.pdf', import.meta.url));
    const read = { setup: claimReaderFor({ claimTemplates: [] } as unknown as HaloConfig), ctx: { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'klinik-medika-1.pdf' }, keepPages: false };
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await pool.run({ bytes: new Uint8Array(pdf), maxPages: 5, read }));
    assert.deepEqual(results.map((r) => r.ok && r.claim.gated.judgement.verdict), ['valid', 'valid', 'valid'], 'the claim is read');
    assert.deepEqual(results.slice(1).map((r) => r.v8Builtins), [true, true]);
  } finally {
    await pool.close();
  }
});
