/**
 * `node --import tsx bench/pdf/text-variants.ts <dir> [--variants a,b] [--rounds 2]`: the
 * time one thread spends getting the positioned text of each PDF in <dir> through pdf.js,
 * for several ways of calling it (issue 18, "make it fast"). Runs in ONE thread so that the
 * figures are per-core costs, free of the pool's scheduling; variants are interleaved over
 * rounds so that a busy neighbour on the shared machine hits all of them alike.
 * Used to decide what the PDF worker thread should do; not part of `npm run bench`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

// V8's push and JSON.parse, before pdf.js's core-js replaces them (see src/files/pdf-worker.ts).
interface Builtins { push: typeof Array.prototype.push; parse: typeof JSON.parse }
const V8_BUILTINS: Builtins = { push: Array.prototype.push, parse: JSON.parse };
function restoreBuiltins(b: Builtins): void {
  Object.defineProperty(Array.prototype, 'push', { value: b.push, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(JSON, 'parse', { value: b.parse, writable: true, enumerable: false, configurable: true });
}
const pdfjs = await import('pdf-parse').then(() => import('pdfjs-dist/legacy/build/pdf.mjs' as string)) as any;
await import('pdfjs-dist/legacy/build/pdf.worker.mjs' as string); // its core-js too, as after a first document

interface Variant { name: string; what: string; run(bytes: Uint8Array): Promise<number> }

const BASE = { verbosity: 0, stopAtErrors: true, isEvalSupported: false };

async function readWords(bytes: Uint8Array, extra: Record<string, unknown>): Promise<number> {
  const task = pdfjs.getDocument({ data: bytes, ...BASE, ...extra });
  let words = 0;
  try {
    const doc = await task.promise;
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const tc = await page.getTextContent();
      for (const it of tc.items) if ('str' in it && it.str.trim() !== '') words++;
      page.cleanup();
    }
  } finally {
    await task.destroy();
  }
  return words;
}

let sharedWorker: any = null;
const VARIANTS: Variant[] = [
  { name: 'pdfparse', what: 'pdf-parse getText (how claim PDFs were read before issue 18)', async run(bytes) {
    const { PDFParse } = await import('pdf-parse');
    const parser = new PDFParse({ data: bytes, ...BASE });
    try { return (await parser.getText()).pages.reduce((n, p) => n + p.text.split(/\s+/).filter(Boolean).length, 0); } finally { await parser.destroy(); }
  } },
  { name: 'direct', what: 'pdf.js getDocument + getTextContent, a fake worker per document', run: (b) => readWords(b, {}) },
  { name: 'worker', what: 'as direct, one PDFWorker reused for every document', run: (b) => readWords(b, { worker: (sharedWorker ??= new pdfjs.PDFWorker()) }) },
  { name: 'fonts', what: 'as worker, with disableFontFace, useSystemFonts false, fontExtraProperties false', run: (b) => readWords(b, { worker: (sharedWorker ??= new pdfjs.PDFWorker()), disableFontFace: true, useSystemFonts: false, fontExtraProperties: false }) },
];

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
  variants: { type: 'string', default: VARIANTS.map((v) => v.name).join(',') }, rounds: { type: 'string', default: '2' }, native: { type: 'string', default: 'both' },
} });
const dir = positionals[0];
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort().map((f) => fs.readFileSync(path.join(dir, f)));
const chosen = VARIANTS.filter((v) => values.variants!.split(',').includes(v.name));
const natives = values.native === 'both' ? [false, true] : [values.native === 'yes'];
const polyfilled = { push: Array.prototype.push, parse: JSON.parse };
if (polyfilled.push === V8_BUILTINS.push) process.stdout.write('note: pdf.js did not replace Array.prototype.push here\n');
const ms = new Map<string, number[]>();
// Text found by each variant over all files (pdf-parse: words; pdf.js: non-blank text items):
// a faster variant that reads less is wrong (a port without structuredClone read nothing).
const found = new Map<string, number>();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const native of natives) {
    restoreBuiltins(native ? V8_BUILTINS : polyfilled);
    for (const v of chosen) {
      for (const f of files.slice(0, 10)) await v.run(new Uint8Array(f)); // warm-up
      // CPU time of the process (this thread + V8's helpers): less hit by neighbours than wall time.
      const c0 = process.cpuUsage();
      let words = 0;
      for (const f of files) words += await v.run(new Uint8Array(f));
      const c = process.cpuUsage(c0);
      const key = `${v.name}${native ? '+native' : ''}`;
      found.set(key, words);
      ms.set(key, [...(ms.get(key) ?? []), (c.user + c.system) / 1000 / files.length]);
    }
  }
}
process.stdout.write(`${files.length} PDFs from ${dir}, one thread, CPU ms per PDF (best of ${values.rounds} rounds; all rounds):\n`);
for (const [key, list] of ms) {
  const v = VARIANTS.find((x) => x.name === key.split('+')[0])!;
  process.stdout.write(`  ${key.padEnd(16)} ${Math.min(...list).toFixed(2).padStart(7)}  [${list.map((x) => x.toFixed(2)).join(', ')}]  ${found.get(key)} words  ${v.what}${key.endsWith('+native') ? ', Array.prototype.push and JSON.parse restored to V8\'s' : ''}\n`);
}
await sharedWorker?.destroy();
