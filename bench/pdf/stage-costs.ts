/**
 * `npm run build && node --import tsx bench/pdf/stage-costs.ts <dir> [--rounds 2]`: where one claim PDF's CPU
 * goes in the PDF worker thread, per layout: pdf.js to positioned words (readPdfPages), then
 * lines, fields, table and gates (readAndJudge), then the structured clone of the result back
 * to the main thread. One thread, the built dist/ modules (what the CLI runs), V8's push and
 * JSON.parse restored as the PDF worker does; CPU time, best of the rounds. Not part of
 * `npm run bench`: a tool to decide what to make faster (bench/README.md, "pdf").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { layoutOfFile } from '../generate/claim-pdfs.js';

const V8_PUSH = Array.prototype.push;
const V8_JSON_PARSE = JSON.parse;
const put = (push: typeof V8_PUSH, parse: typeof V8_JSON_PARSE) => {
  Object.defineProperty(Array.prototype, 'push', { value: push, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(JSON, 'parse', { value: parse, writable: true, enumerable: false, configurable: true });
};

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const load = (p: string) => import(pathToFileURL(path.join(DIST, p)).href);
const { readPdfPages } = await load('documents/words/pdf-text.js');
const { readAndJudge } = await load('documents/claim.js');
const { claimReaderFor } = await load('documents/setup.js');
const { claimPdf } = await load('schemas/builtin/claim-pdf.js');
await import('pdfjs-dist/legacy/build/pdf.worker.mjs' as string); // pdf.js's worker half, and its core-js, loaded now

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '2' }, 'no-templates': { type: 'boolean' }, polyfills: { type: 'boolean' } } });
// --polyfills: also measure with core-js's push and JSON.parse (as the PDF worker ran before
// issue 18), alternating with V8's round by round.
const CORE_JS = { push: Array.prototype.push, parse: JSON.parse };
const modes: Array<'v8' | 'core-js'> = values.polyfills ? ['v8', 'core-js'] : ['v8'];
const dir = positionals[0];
if (!dir) { process.stderr.write('usage: node --import tsx bench/pdf/stage-costs.ts <dir of PDFs> [--rounds 2] [--no-templates] [--polyfills]\n'); process.exit(2); }
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort().map((f) => ({ name: f, bytes: fs.readFileSync(path.join(dir, f)) }));
const setup = claimReaderFor({ claimTemplates: [] }, { templates: values['no-templates'] ? false : undefined });
const ctx = { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'x.pdf' };
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

type Cost = { words: number; read: number; clone: number; n: number };
const bestOf = new Map<string, Map<string, Cost>>();
for (let round = 0; round < Number(values.rounds); round++) for (const mode of modes) {
  if (mode === 'v8') put(V8_PUSH, V8_JSON_PARSE); else put(CORE_JS.push, CORE_JS.parse);
  const best = bestOf.get(mode) ?? new Map<string, Cost>();
  bestOf.set(mode, best);
  const costs = new Map<string, Cost>();
  for (const f of files) {
    const c0 = cpu();
    const doc = await readPdfPages(new Uint8Array(f.bytes), 50);
    const c1 = cpu();
    const claim = readAndJudge(doc, setup, ctx);
    claim.reading.pages = []; claim.reading.lines = [];
    const c2 = cpu();
    structuredClone({ ok: true, claim });
    const c3 = cpu();
    const k = layoutOfFile(f.name);
    const c = costs.get(k) ?? { words: 0, read: 0, clone: 0, n: 0 };
    c.words += c1 - c0; c.read += c2 - c1; c.clone += c3 - c2; c.n++;
    costs.set(k, c);
  }
  for (const [k, c] of costs) {
    const b = best.get(k);
    if (!b || c.words + c.read + c.clone < b.words + b.read + b.clone) best.set(k, c);
  }
}
const row = (k: string, c: Cost) => `  ${k.padEnd(18)} ${String(c.n).padStart(5)} ${(c.words / c.n).toFixed(2).padStart(9)} ${(c.read / c.n).toFixed(2).padStart(9)} ${(c.clone / c.n).toFixed(2).padStart(9)} ${((c.words + c.read + c.clone) / c.n).toFixed(2).padStart(9)}\n`;
for (const [mode, best] of bestOf) {
  process.stdout.write(`${files.length} PDFs from ${dir}, one thread, CPU ms per PDF (best of ${values.rounds} rounds)${values['no-templates'] ? ', no templates' : ''}, ${mode === 'v8' ? "V8's" : "core-js's"} push and JSON.parse:\n`);
  process.stdout.write(`  ${'layout'.padEnd(18)} ${'PDFs'.padStart(5)} ${'pdf.js'.padStart(9)} ${'reader'.padStart(9)} ${'clone'.padStart(9)} ${'total'.padStart(9)}\n`);
  const all: Cost = { words: 0, read: 0, clone: 0, n: 0 };
  for (const [k, c] of [...best].sort()) { process.stdout.write(row(k, c)); all.words += c.words; all.read += c.read; all.clone += c.clone; all.n += c.n; }
  process.stdout.write(row('all', all));
}
