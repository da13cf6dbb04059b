import { readFileSync } from 'node:fs';
import { tokenize } from './dist/loaders/csv/tokenizer.js';
import { RowProcessor } from './dist/validation/rows.js';
import { planFile } from './dist/validation/plan.js';
import { getSchema } from './dist/schemas/registry.js';
const buf = readFileSync('bench/.data/inventory-v1-r1000000-s42.csv').subarray(0, 8_000_000);
const text = new TextDecoder().decode(buf.subarray(buf.indexOf(10) + 1, buf.lastIndexOf(10) + 1));
const schema = getSchema('merchant_inventory');
const { plan } = planFile({ schema, profile: { locale: 'id-ID', timezone: 'Asia/Jakarta' }, headerCells: 'kode_apotek;kode_barang;nama_barang;barcode;harga_jual;stok;satuan;tgl_kadaluarsa;tgl_update'.split(';'), headerRow: 1, strictCellCount: true, maxProblems: 100, emit: false, sourceFile: 'x' });
const rows = []; tokenize(text, ';', (c) => rows.push(c));
const time = (name, fn) => { let best = 1e9; for (let k = 0; k < 7; k++) { const t = performance.now(); fn(); best = Math.min(best, performance.now() - t); } console.log(name.padEnd(20), (best / rows.length * 1000).toFixed(3), 'us/row'); };
time('tokenize', () => { let n = 0; tokenize(text, ';', () => { n++; }); });
time('split lines only', () => { let n = 0; for (const l of text.split('\n')) { l.split(';'); n++; } });
time('process', () => { const p = new RowProcessor(plan); for (let i = 0; i < rows.length; i++) p.process(rows[i], i + 2); });
const nf = { ...plan, schema: { ...schema, key: [] } };
time('process no key', () => { const p = new RowProcessor(nf); for (let i = 0; i < rows.length; i++) p.process(rows[i], i + 2); });
for (const drop of ['barcode', 'selling_price', 'stock_qty', 'expiry_date', 'updated_at', 'product_name', 'unit']) {
  const fi = schema.fields.findIndex((f) => f.name === drop);
  const p2 = { ...nf, fieldIndex: nf.fieldIndex.map((c, i) => (i === fi ? -1 : c)), schema: { ...nf.schema, fields: nf.schema.fields.map((f) => f.name === drop ? { ...f, required: false } : f) } };
  time('no ' + drop, () => { const p = new RowProcessor(p2); for (let i = 0; i < rows.length; i++) p.process(rows[i], i + 2); });
}
