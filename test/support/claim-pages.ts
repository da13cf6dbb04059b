/**
 * Synthetic claim documents as page models (DocumentPages with positioned words, no PDF):
 * a claim (fields and items) and a layout choice, both drawn by fast-check, rendered the way
 * a hospital's billing system draws a claim — a letterhead, labelled fields (value beside its
 * label in one drawn string, in a value column, or below it; one or two columns), an item
 * table (varying columns and orders, id-ID or en-US amounts, wrapped descriptions, category
 * rows, subtotals, page breaks with repeated headers, footers and carried totals), a total
 * line and the noise every bill has (address, print date, doctor, signature).
 *
 * Words get widths of 0.5 × size per character and a `run` per drawn string, as pdf.js gives
 * text items. Every personal value is made up (names from lists no label or description uses).
 * Not a test file itself: test/unit/claim-reader-props.test.ts uses it.
 */
import fc from 'fast-check';
import type { DocumentPages, Page } from '../../src/documents/page.js';
import { DICTIONARY } from '../../src/documents/read/dictionary.js';

// ---------- the claim ----------

export interface GenDate { y: number; m: number; d: number }
export interface GenItem { description: string; code: string; quantity: number; unitPrice: number; category: number }
export interface GenClaim {
  claimId: string;
  policy: string;
  memberId: string;
  patientName: string;
  dob: GenDate;
  providerId: string | null;
  providerName: string;
  claimType: 'inpatient' | 'outpatient';
  admission: GenDate;
  /** Days after admission; null: not printed. */
  stay: number | null;
  diagnoses: string[];
  items: GenItem[];
}

const FIRST = ['Wulandari', 'Kartika', 'Sulistyo', 'Yuliana', 'Hendrawan', 'Oktavia', 'Rizaldi', 'Marlina', 'Gunawarman', 'Fitriyani'];
const LAST = ['Purbaningrum', 'Sasmitaputra', 'Wiraatmaja', 'Hadikusumo', 'Tanuwijoyo', 'Lesmanawati', 'Prawirodirjo', 'Soedarsono'];
const PROVIDERS = ['RS Harapan Sehat', 'Rumah Sakit Mitra Medika', 'RSU Bunda Kasih', 'Klinik Pratama Sentosa', 'RS Permata Hijau'];
const ICD = ['J18.9', 'A09', 'K35.8', 'I10', 'E11.9', 'A91', 'N39.0', 'J06.9', 'K29.7', 'R50.9'];
const DESCRIPTIONS = ['Konsultasi Dokter Spesialis Penyakit Dalam', 'Pemeriksaan Darah Lengkap', 'Rontgen Thorax PA', 'Paracetamol Tablet',
  'Ceftriaxone Injeksi Vial', 'Kamar Perawatan Kelas Dua', 'Cairan Infus Ringer Laktat', 'Visite Dokter Umum', 'Pemeriksaan Gula Darah Puasa',
  'Tindakan Pemasangan Infus', 'Obat Antasida Sirup', 'Administrasi Rawat', 'Pemeriksaan Urine Lengkap', 'Sewa Alat Nebulizer',
  'Ultrasonografi Abdomen Atas Bawah', 'Jasa Perawat Harian'];
const CATEGORIES = ['LABORATORIUM', 'OBAT DAN ALKES', 'TINDAKAN MEDIS', 'AKOMODASI'];

const date = (lo: number, hi: number) => fc.record({ y: fc.integer({ min: lo, max: hi }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) });

export const claimArb: fc.Arbitrary<GenClaim> = fc.record({
  claimId: fc.tuple(fc.constantFrom('KLM', 'CLM', 'KL-RI', 'RJ'), fc.integer({ min: 1, max: 99999 }))
    .map(([p, n]) => `${p}-2026-${String(n).padStart(5, '0')}`),
  policy: fc.tuple(fc.constantFrom('POL', 'GP', 'PLS'), fc.integer({ min: 100000, max: 999999 })).map(([p, n]) => `${p}-${n}`),
  memberId: fc.integer({ min: 1, max: 999999999 }).map((n) => `0014${String(n).padStart(9, '0')}`),
  patientName: fc.tuple(fc.constantFrom(...FIRST), fc.constantFrom(...LAST)).map(([a, b]) => `${a} ${b}`),
  dob: date(1940, 2005),
  providerId: fc.option(fc.integer({ min: 10000, max: 99999 }).map((n) => `PPK${n}`), { nil: null }),
  providerName: fc.constantFrom(...PROVIDERS),
  claimType: fc.constantFrom('inpatient' as const, 'outpatient' as const),
  admission: date(2025, 2026),
  stay: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
  diagnoses: fc.uniqueArray(fc.constantFrom(...ICD), { minLength: 1, maxLength: 2 }),
  items: fc.array(fc.record({
    description: fc.constantFrom(...DESCRIPTIONS),
    code: fc.tuple(fc.constantFrom('LAB', 'OBT', 'TND', 'KMR'), fc.integer({ min: 1, max: 999 })).map(([p, n]) => `${p}-${String(n).padStart(3, '0')}`),
    quantity: fc.integer({ min: 1, max: 12 }),
    unitPrice: fc.integer({ min: 2, max: 1500 }).map((k) => k * 500),
    category: fc.integer({ min: 0, max: CATEGORIES.length - 1 }),
  }), { minLength: 1, maxLength: 12 }),
});

// ---------- the layout ----------

export type FieldPlacement = 'inline' | 'column' | 'below';
export type DateFormat = 'dmy-slash' | 'dmy-dash' | 'iso' | 'long-id' | 'long-en';
export interface GenLayout {
  placement: FieldPlacement;
  twoColumns: boolean;
  /** Index into each field's dictionary labels (modulo its length). */
  labelPick: number[];
  labelCase: 'as' | 'upper' | 'lower';
  /** How a label is set off: "Label:", "Label :" or nothing (never for inline: the colon is what makes a label there). */
  colon: 'attached' | 'separate' | 'none';
  /** Abbreviation dots dropped ("No Klaim" for "No. Klaim"). */
  dropDots: boolean;
  providerBy: 'label' | 'letterhead';
  claimTypeBy: 'label' | 'title';
  dateFormat: DateFormat;
  /** Two diagnoses under two labels ("Diagnosa Utama" / "Diagnosa Sekunder") or one label "A, B". */
  diagnosisTwoLabels: boolean;
  // table
  columns: { lineNo: boolean; code: boolean; quantity: boolean; unitPrice: boolean; priceFirst: boolean };
  headerPick: number[];
  numbersRightAligned: boolean;
  headerRightAligned: boolean;
  style: 'id-ID' | 'en-US';
  decimals: boolean;
  currency: '' | 'Rp' | 'Rp.' | 'IDR';
  /** The currency on every amount cell or only on the total. */
  currencyOnItems: boolean;
  /** Lines per item description (1 = not wrapped), cycled over the items. */
  wraps: number[];
  categories: boolean;
  subtotals: boolean;
  /** Items per page (page breaks). */
  perPage: number;
  footer: boolean;
  carried: boolean;
  totalPick: number;
  noise: { address: boolean; printDate: boolean; doctor: boolean; signature: boolean };
  size: number;
  /** Line spacing of rows and fields, × size. */
  leading: number;
  /** Line spacing inside a wrapped description, × size (never more than leading). */
  wrapLeading: number;
}

export const layoutArb: fc.Arbitrary<GenLayout> = fc.record({
  placement: fc.constantFrom<FieldPlacement>('inline', 'column', 'below'),
  twoColumns: fc.boolean(),
  labelPick: fc.array(fc.nat(40), { minLength: 14, maxLength: 14 }),
  labelCase: fc.constantFrom('as' as const, 'upper' as const, 'lower' as const),
  colon: fc.constantFrom('attached' as const, 'separate' as const, 'none' as const),
  dropDots: fc.boolean(),
  providerBy: fc.constantFrom('label' as const, 'letterhead' as const),
  claimTypeBy: fc.constantFrom('label' as const, 'title' as const),
  dateFormat: fc.constantFrom<DateFormat>('dmy-slash', 'dmy-dash', 'iso', 'long-id', 'long-en'),
  diagnosisTwoLabels: fc.boolean(),
  columns: fc.record({ lineNo: fc.boolean(), code: fc.boolean(), quantity: fc.boolean(), unitPrice: fc.boolean(), priceFirst: fc.boolean() }),
  headerPick: fc.array(fc.nat(40), { minLength: 6, maxLength: 6 }),
  numbersRightAligned: fc.boolean(),
  headerRightAligned: fc.boolean(),
  style: fc.constantFrom('id-ID' as const, 'en-US' as const),
  decimals: fc.boolean(),
  currency: fc.constantFrom('' as const, 'Rp' as const, 'Rp.' as const, 'IDR' as const),
  currencyOnItems: fc.boolean(),
  wraps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
  categories: fc.boolean(),
  subtotals: fc.boolean(),
  perPage: fc.integer({ min: 3, max: 14 }),
  footer: fc.boolean(),
  carried: fc.boolean(),
  totalPick: fc.nat(40),
  noise: fc.record({ address: fc.boolean(), printDate: fc.boolean(), doctor: fc.boolean(), signature: fc.boolean() }),
  size: fc.integer({ min: 8, max: 11 }),
  leading: fc.double({ min: 1.2, max: 2, noNaN: true }),
  wrapLeading: fc.double({ min: 1.0, max: 1.4, noNaN: true }),
}).map((l) => ({ ...l, wrapLeading: Math.min(l.wrapLeading, l.leading), colon: l.placement === 'inline' ? (l.colon === 'none' ? 'separate' : l.colon) : l.colon }));

/** A layout family (what P2 measures a share for). */
export function familyOf(l: GenLayout): string {
  return `${l.placement}${l.twoColumns ? '-2col' : ''}`;
}

// ---------- formatting ----------

const BULAN = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

export function addDays(d: GenDate, days: number): GenDate {
  const t = new Date(Date.UTC(d.y, d.m - 1, d.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}
export const isoDate = (d: GenDate) => `${d.y}-${p2(d.m)}-${p2(d.d)}`;

export function formatDate(d: GenDate, f: DateFormat): string {
  switch (f) {
    case 'dmy-slash': return `${p2(d.d)}/${p2(d.m)}/${d.y}`;
    case 'dmy-dash': return `${p2(d.d)}-${p2(d.m)}-${d.y}`;
    case 'iso': return isoDate(d);
    case 'long-id': return `${d.d} ${BULAN[d.m - 1]} ${d.y}`;
    case 'long-en': return `${p2(d.d)} ${MONTH[d.m - 1]} ${d.y}`;
  }
}

/** Every form a date is likely to be written in (what P5 looks for). */
export function dateForms(d: GenDate): string[] {
  return [...new Set([...(['dmy-slash', 'dmy-dash', 'iso', 'long-id', 'long-en'] as DateFormat[]).map((f) => formatDate(d, f)),
    `${p2(d.m)}/${p2(d.d)}/${d.y}`, `${p2(d.d)}.${p2(d.m)}.${d.y}`, `${d.d} ${MONTH[d.m - 1]} ${d.y}`])];
}

export function formatAmount(rupiah: number, l: Pick<GenLayout, 'style' | 'decimals'>): string {
  const [g, dec] = l.style === 'id-ID' ? ['.', ','] : [',', '.'];
  const int = String(rupiah).replace(/\B(?=(\d{3})+(?!\d))/g, g);
  return l.decimals ? `${int}${dec}00` : int;
}

const canonAmount = (rupiah: number) => `${rupiah}.00`;

// ---------- the words ----------

/** One document's words, drawn string by string (a string = one run, as pdf.js gives text items). */
export class Drawing {
  pages: Page[] = [];
  private run = 0;
  page(): Page {
    const p: Page = { number: this.pages.length + 1, width: 595, height: 842, words: [] };
    this.pages.push(p);
    return p;
  }
  /** Words a reading depends on (a required field's value, an item's row): [page index, word index, what]. */
  marked: Array<{ page: number; index: number; what: string }> = [];
  /** Draws `text` with its left edge at x (or its right edge, align 'right'); `mark` names what the words are (P3 makes one unsure). */
  text(p: Page, text: string, x: number, y: number, size: number, align: 'left' | 'right' = 'left', mark?: string, markFrom = 0): { x0: number; x1: number } {
    const cw = 0.5 * size;
    const width = text.length * cw;
    const x0 = align === 'right' ? x - width : x;
    const run = this.run++;
    let cx = x0;
    let k = 0;
    for (const part of text.split(' ')) {
      if (part !== '') {
        if (mark && k++ >= markFrom) this.marked.push({ page: p.number - 1, index: p.words.length, what: mark });
        p.words.push({ text: part, x: round(cx), y: round(y), w: round(part.length * cw), h: size, conf: 1, run });
      }
      cx += (part.length + 1) * cw;
    }
    p.width = Math.max(p.width, Math.ceil(x0 + width + 40));
    p.height = Math.max(p.height, Math.ceil(y + size + 40));
    return { x0, x1: x0 + width };
  }
}
const round = (v: number) => Math.round(v * 100) / 100;
const widthOf = (text: string, size: number) => text.length * 0.5 * size;

// ---------- what the reader should read ----------

export interface Expected {
  /** Canonical insurance_claim values (null: not printed). */
  claim: Record<string, string | null>;
  lines: Array<{ description: string; quantity: string | null; unit_price: string | null; amount: string }>;
  /** Personal values in every printed form (P5). */
  personal: string[];
}

export interface GenDoc {
  doc: DocumentPages;
  expected: Expected;
  claim: GenClaim;
  layout: GenLayout;
  /** Each item's description as printed, line by line. */
  descLines: string[][];
  /** Words the reading depends on (Drawing.marked). */
  marked: Drawing['marked'];
}

/** Mutations P3 applies (rendering a document that is wrong or unsure in one known way). */
export interface Mutation {
  /** A required field printed with its label but no value. */
  dropValue?: string;
  /** This item's printed amount is off by `by` rupiah (its quantity × price no longer match). */
  itemAmountOff?: { index: number; by: number };
  /** The printed total is off by this many rupiah. */
  totalOff?: number;
  /** The quantity column prints prices and the price column quantities (headers kept). */
  swapQtyPrice?: boolean;
}

function spell(label: string, l: GenLayout): string {
  let s = l.dropDots ? label.replace(/\.(?=\s)/g, '') : label;
  if (l.labelCase === 'upper') s = s.toUpperCase();
  if (l.labelCase === 'lower') s = s.toLowerCase();
  return s;
}
/** The claim's required fields a form prints with a label (P3 drops one's value). */
export const REQUIRED = ['claim_id', 'policy_number', 'member_id', 'patient_name', 'admission_date', 'diagnosis_codes'];
const pickOf = <T>(list: readonly T[], n: number): T => list[n % list.length];

const TITLES = { inpatient: ['KLAIM RAWAT INAP', 'INPATIENT CLAIM FORM', 'RINCIAN BIAYA RAWAT INAP'], outpatient: ['KLAIM RAWAT JALAN', 'OUTPATIENT CLAIM FORM', 'RINCIAN BIAYA RAWAT JALAN'] };
const TYPE_TEXT = { inpatient: ['Rawat Inap', 'Inpatient', 'RAWAT INAP'], outpatient: ['Rawat Jalan', 'Outpatient', 'RAWAT JALAN'] };

/** Column header texts that are not ambiguous with another column of the same table. */
function headerText(col: 'line_no' | 'code' | 'description' | 'quantity' | 'unit_price' | 'amount', n: number): string {
  const list = DICTIONARY.columns[col].filter((t) => col === 'quantity' ? t !== 'Jumlah' && t !== 'Jumlah Item' : true);
  return pickOf(list, n);
}

export function render(claim: GenClaim, l: GenLayout, mut: Mutation = {}): GenDoc {
  const d = new Drawing();
  const size = l.size;
  const pitch = size * l.leading;
  const discharge = claim.stay === null ? null : addDays(claim.admission, claim.stay);
  const typeText = pickOf(TYPE_TEXT[claim.claimType], l.labelPick[7]);
  let page = d.page();
  let y = 40;

  // Letterhead, address, title, print date.
  d.text(page, claim.providerName, 40, y, size + 6);
  if (l.noise.printDate) d.text(page, `Dicetak ${formatDate({ y: 2026, m: 12, d: 7 }, 'dmy-slash')} 10:15`, 555, y, size - 1, 'right');
  y += (size + 6) * 1.4;
  if (l.noise.address) { d.text(page, 'Jl. Merdeka Raya 12, Bandung 40111 Telp. (022) 4231234', 40, y, size - 1); y += pitch; }
  y += pitch * 0.5;
  if (l.claimTypeBy === 'title') d.text(page, pickOf(TITLES[claim.claimType], l.labelPick[8]), 40, y, size + 2);
  else d.text(page, 'FORMULIR KLAIM ASURANSI KESEHATAN', 40, y, size + 2);
  y += (size + 2) * 1.8;

  // The fields: [field, label, value] in print order.
  const fields: Array<[string, string, string]> = [];
  const lab = (f: string, i: number) => spell(pickOf(DICTIONARY.fields[f], l.labelPick[i]), l);
  const val = (f: string, v: string) => (mut.dropValue === f ? '' : v);
  fields.push(['claim_id', lab('claim_id', 0), val('claim_id', claim.claimId)]);
  fields.push(['policy_number', lab('policy_number', 1), val('policy_number', claim.policy)]);
  fields.push(['member_id', lab('member_id', 2), val('member_id', claim.memberId)]);
  fields.push(['patient_name', lab('patient_name', 3), val('patient_name', claim.patientName)]);
  fields.push(['patient_dob', lab('patient_dob', 4), val('patient_dob', formatDate(claim.dob, l.dateFormat))]);
  if (claim.providerId) fields.push(['provider_id', lab('provider_id', 5), val('provider_id', claim.providerId)]);
  if (l.providerBy === 'label') fields.push(['provider_name', lab('provider_name', 6), val('provider_name', claim.providerName)]);
  if (l.claimTypeBy === 'label') fields.push(['claim_type', lab('claim_type', 7), val('claim_type', typeText)]);
  fields.push(['admission_date', lab('admission_date', 8), val('admission_date', formatDate(claim.admission, l.dateFormat))]);
  if (discharge) fields.push(['discharge_date', lab('discharge_date', 9), val('discharge_date', formatDate(discharge, l.dateFormat))]);
  if (l.diagnosisTwoLabels && claim.diagnoses.length === 2) {
    fields.push(['diagnosis_codes', spell(pickOf(['Diagnosa Utama', 'Primary Diagnosis'], l.labelPick[10]), l), val('diagnosis_codes', claim.diagnoses[0])]);
    fields.push(['diagnosis_codes', spell(pickOf(['Diagnosa Sekunder', 'Secondary Diagnosis'], l.labelPick[10]), l), val('diagnosis_codes', claim.diagnoses[1])]);
  } else fields.push(['diagnosis_codes', lab('diagnosis_codes', 10), val('diagnosis_codes', claim.diagnoses.join(', '))]);
  if (l.noise.doctor) fields.push(['', spell('Dokter', l), 'dr. Bambang Sutrisno, Sp.PD']);

  const setOff = (label: string) => (l.colon === 'attached' ? `${label}:` : l.colon === 'separate' ? `${label} :` : label);
  const columnsX = l.twoColumns ? [40, 320] : [40];
  const perCol = Math.ceil(fields.length / columnsX.length);
  const groups = columnsX.map((_, c) => fields.slice(c * perCol, (c + 1) * perCol));
  const labelW = groups.map((g) => Math.max(...g.map(([, lb]) => widthOf(setOff(lb), size))));
  const rows = perCol;
  for (let r = 0; r < rows; r++) {
    groups.forEach((g, c) => {
      const f = g[r];
      if (!f) return;
      const [field, label, value] = f;
      const x = columnsX[c];
      // Only a value's own words are marked (inline, the words after the label's in its drawn string).
      const mark = REQUIRED.includes(field) ? field : undefined;
      const labelWords = setOff(label).split(' ').length;
      if (l.placement === 'inline') d.text(page, value ? `${setOff(label)} ${value}` : setOff(label), x, y, size, 'left', value ? mark : undefined, labelWords);
      else if (l.placement === 'column') {
        d.text(page, setOff(label), x, y, size);
        if (value) d.text(page, value, x + labelW[c] + 1.5 * size, y, size, 'left', mark);
      } else {
        d.text(page, setOff(label), x, y, size - 1);
        if (value) d.text(page, value, x, y + (size - 1) * 1.25, size, 'left', mark);
      }
    });
    y += l.placement === 'below' ? (size - 1) * 1.25 + pitch * 1.2 : pitch;
  }
  y += pitch;

  // The table.
  type Col = 'line_no' | 'code' | 'description' | 'quantity' | 'unit_price' | 'amount';
  const cols: Col[] = [];
  if (l.columns.lineNo) cols.push('line_no');
  if (l.columns.code) cols.push('code');
  cols.push('description');
  const numeric: Col[] = [];
  if (l.columns.quantity) numeric.push('quantity');
  if (l.columns.unitPrice) numeric.push('unit_price');
  if (l.columns.priceFirst) numeric.reverse();
  cols.push(...numeric, 'amount');
  const headers = Object.fromEntries(cols.map((c, i) => [c, headerText(c, l.headerPick[i])])) as Record<Col, string>;
  if (headers.amount === headers.quantity) headers.quantity = 'Qty';

  const money = (v: number, withCurrency: boolean) => {
    const a = formatAmount(v, l);
    return withCurrency && l.currency ? `${l.currency} ${a}` : a;
  };
  const items = claim.items.map((it, i) => {
    const amount = it.quantity * it.unitPrice + (mut.itemAmountOff?.index === i ? mut.itemAmountOff.by : 0);
    const words = it.description.split(' ');
    const k = Math.min(pickOf(l.wraps, i), words.length);
    const per = Math.ceil(words.length / k);
    const desc: string[] = [];
    for (let s = 0; s < words.length; s += per) desc.push(words.slice(s, s + per).join(' '));
    const qty = String(it.quantity), price = money(it.unitPrice, l.currencyOnItems);
    return {
      no: String(i + 1), code: it.code, desc,
      quantity: mut.swapQtyPrice ? price : qty, unit_price: mut.swapQtyPrice ? qty : price,
      amount: money(amount, l.currencyOnItems), value: amount, category: it.category,
    };
  });
  const sum = items.reduce((s, it) => s + it.value, 0);
  // The total is what the items cost: an item printed wrong (itemAmountOff) no longer adds up to it.
  const total = claim.items.reduce((s, it) => s + it.quantity * it.unitPrice, 0) + (mut.totalOff ?? 0);

  // Column geometry, left to right: each as wide as its widest text.
  const gap = 2 * size;
  const width: Record<Col, number> = {} as Record<Col, number>;
  for (const c of cols) {
    const texts = [headers[c], ...items.map((it) => (c === 'description' ? it.desc.reduce((a, b) => (a.length > b.length ? a : b), '') : c === 'line_no' ? it.no : it[c as 'code']))];
    if (c === 'description' && l.categories) texts.push(...CATEGORIES, ...CATEGORIES.map((t) => `Subtotal ${t}`));
    if (c === 'description') texts.push('Jumlah Halaman Ini', 'Pindahan');
    if (c === 'amount') texts.push(money(total, true), money(sum, true));
    width[c] = Math.max(...texts.map((t) => widthOf(t, size)));
  }
  const x0: Record<Col, number> = {} as Record<Col, number>;
  let cx = 40;
  for (const c of cols) { x0[c] = cx; cx += width[c] + gap; }
  const right = (c: Col) => x0[c] + width[c];
  const numberAt = (c: Col, text: string, yy: number, mark?: string) => {
    if (l.numbersRightAligned) d.text(page, text, right(c), yy, size, 'right', mark);
    else d.text(page, text, x0[c], yy, size, 'left', mark);
  };
  const header = () => {
    for (const c of cols) {
      const isNum = c === 'quantity' || c === 'unit_price' || c === 'amount';
      if (isNum && l.headerRightAligned) d.text(page, headers[c], right(c), y, size, 'right');
      else d.text(page, headers[c], x0[c], y, size);
    }
    y += pitch;
  };
  const sumRow = (label: string, amount: number) => {
    d.text(page, label, x0.description, y, size);
    numberAt('amount', money(amount, l.currencyOnItems), y);
    y += pitch;
  };
  header();
  let carried = 0, lastCategory = -1, categorySum = 0, onPage = 0;
  items.forEach((it, i) => {
    // A new page after perPage items, or when the next row would run into the footer.
    if (onPage > 0 && (onPage >= l.perPage || y + (it.desc.length + 2) * pitch > 760)) {
      onPage = 0;
      if (l.carried) sumRow('Jumlah Halaman Ini', carried);
      page = d.page();
      y = 40;
      header();
      if (l.carried) sumRow('Pindahan', carried);
    }
    if (l.categories && it.category !== lastCategory) {
      if (lastCategory !== -1 && l.subtotals) sumRow(`Subtotal ${CATEGORIES[lastCategory]}`, categorySum);
      d.text(page, CATEGORIES[it.category], x0.description, y, size);
      y += pitch;
      lastCategory = it.category;
      categorySum = 0;
    }
    const mark = `item ${i + 1}`;
    if (l.columns.lineNo) d.text(page, it.no, x0.line_no, y, size, 'left', mark);
    if (l.columns.code) d.text(page, it.code, x0.code, y, size, 'left', mark);
    it.desc.forEach((t, k) => d.text(page, t, x0.description, y + k * size * l.wrapLeading, size, 'left', k === 0 ? mark : `${mark} wrapped`));
    if (l.columns.quantity) numberAt('quantity', it.quantity, y, mark);
    if (l.columns.unitPrice) numberAt('unit_price', it.unit_price, y, mark);
    numberAt('amount', it.amount, y, mark);
    y += (it.desc.length - 1) * size * l.wrapLeading + pitch;
    carried += it.value;
    categorySum += it.value;
    onPage++;
  });
  if (l.categories && l.subtotals && lastCategory !== -1) sumRow(`Subtotal ${CATEGORIES[lastCategory]}`, categorySum);
  const totalLabel = pickOf(DICTIONARY.totals.filter((t) => t !== 'Total' || !l.subtotals), l.totalPick);
  d.text(page, spell(totalLabel, { ...l, dropDots: false }), x0.description, y, size);
  numberAt('amount', money(total, true), y, 'claimed_amount');
  y += pitch * 1.5;
  if (l.noise.signature) {
    d.text(page, `Bandung, ${formatDate({ y: 2026, m: 12, d: 7 }, 'long-id')}`, 380, y, size); y += pitch;
    d.text(page, 'Hormat kami,', 380, y, size); y += pitch * 3;
    d.text(page, '( dr. Andini Larasati )', 380, y, size);
  }
  // Footers last (the page count is known now), below everything on their page.
  if (l.footer) {
    for (const p of d.pages) {
      const bottom = Math.max(...p.words.map((w) => w.y + w.h));
      d.text(p, `Halaman ${p.number} dari ${d.pages.length}`, 260, Math.max(800, bottom + pitch), size - 1);
    }
  }

  const expected: Expected = {
    claim: {
      claim_id: claim.claimId, policy_number: claim.policy, member_id: claim.memberId, patient_name: claim.patientName, patient_dob: isoDate(claim.dob),
      provider_id: claim.providerId, provider_name: claim.providerName, claim_type: claim.claimType, admission_date: isoDate(claim.admission),
      discharge_date: discharge ? isoDate(discharge) : null, diagnosis_codes: JSON.stringify(claim.diagnoses), claimed_amount: canonAmount(total),
      approved_amount: null, currency: 'IDR',
    },
    lines: items.map((it, i) => ({
      description: it.desc.join(' '),
      quantity: l.columns.quantity ? String(claim.items[i].quantity) : null,
      unit_price: l.columns.unitPrice ? canonAmount(claim.items[i].unitPrice) : null,
      amount: canonAmount(it.value),
    })),
    personal: [claim.patientName, ...claim.patientName.split(' '), claim.memberId, ...dateForms(claim.dob)],
  };
  const out: GenDoc = { doc: { pages: d.pages, source: 'text-layer' }, expected, claim, layout: l, descLines: items.map((it) => it.desc), marked: d.marked };
  // A counterexample prints as its claim, layout and mutation (its words are render()'s output), not as every word.
  Object.defineProperty(out, fc.toStringMethod, { value: () => `render(${JSON.stringify(claim)}, ${JSON.stringify(l)}, ${JSON.stringify(mut)})`, enumerable: false });
  return out;
}

export const genDocArb: fc.Arbitrary<GenDoc> = fc.tuple(claimArb, layoutArb).map(([c, l]) => render(c, l));

/** The same document with its words in another drawing order (P4). */
export function shuffled(doc: DocumentPages, order: number[]): DocumentPages {
  return {
    ...doc,
    pages: doc.pages.map((p) => {
      const ws = p.words.map((w, i) => ({ w, k: order[i % order.length] * 1000 + i }));
      ws.sort((a, b) => a.k - b.k);
      return { ...p, words: ws.map((x) => x.w) };
    }),
  };
}

/** The document with one word read at a confidence (an OCR engine unsure of it). */
export function withConfidence(doc: DocumentPages, at: { page: number; index: number }, conf: number): DocumentPages {
  return { ...doc, pages: doc.pages.map((p, pi) => (pi !== at.page ? p : { ...p, words: p.words.map((w, i) => (i === at.index ? { ...w, conf } : w)) })) };
}
