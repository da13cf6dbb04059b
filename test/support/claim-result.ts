import type { Line } from '../../src/documents/layout/line.js';
import type { FieldReading, Reading, Where } from '../../src/documents/reading.js';
import type { Judgement } from '../../src/documents/verdict.js';
import type { ClaimResultLike } from '../../src/documents/explain/result.js';

/**
 * A hand-made read claim for the renderers' and compare()'s unit tests: one page, a few
 * fields and two items. Its personal values are made up here (not the fixtures'), and the
 * mask hides them by value like the real redactor does.
 */
export const FAKE_PERSONAL = { patient_name: 'Fiktif Contoh Namasaja', member_id: '9990001112223', patient_dob: '01/02/1970' };

const at = (line: number, x = 150, y = 100 + line * 12): Where => ({ page: 1, line, x, y });

function line(no: number, text: string, x0 = 40): Line {
  const y0 = 100 + no * 12;
  return { page: 1, no, y0, y1: y0 + 10, x0, x1: x0 + text.length * 5, text, cells: [{ text, x0, x1: x0 + text.length * 5, words: [] }], conf: 1 };
}

function field(f: string, label: string | null, value: string | null, lineNo: number, how: FieldReading['how'] = 'right'): FieldReading {
  return value === null
    ? { field: f, label: null, labelAt: null, value: null, at: null, how: null, conf: 1, looked: `labels "${f}" on page 1` }
    : { field: f, label, labelAt: label ? at(lineNo, 40) : null, value, at: at(lineNo), how, conf: 1 };
}

export function fakeMask(values: string[] = Object.values(FAKE_PERSONAL)): (t: string) => string {
  return (t) => values.reduce((s, v) => s.split(v).join(`***(${v.length})`), t);
}

export interface FakeOptions {
  /** The probe: claim_id read from the patient name's line. */
  claimIdFromName?: boolean;
  verdict?: Judgement['verdict'];
  unreadable?: boolean;
}

export function fakeClaimResult(o: FakeOptions = {}): ClaimResultLike {
  if (o.unreadable) {
    return { reading: null, judgement: null, failure: { code: 'encrypted-file', message: 'the PDF is encrypted (password protected): it cannot be read' }, mask: fakeMask() };
  }
  const claimId = o.claimIdFromName ? FAKE_PERSONAL.patient_name : 'HS-2026-00999';
  const lines = [
    line(1, 'RS CONTOH SEHAT'),
    line(2, `No. Klaim : ${claimId}`),
    line(3, `Nama Pasien : ${FAKE_PERSONAL.patient_name}`),
    line(4, `No. Peserta : ${FAKE_PERSONAL.member_id}`),
    line(5, `Tanggal Lahir : ${FAKE_PERSONAL.patient_dob}`),
    line(6, 'No Uraian Qty Harga Jumlah'),
    line(7, '1 Kamar Rawat Inap 2 500.000 1.000.000'),
    line(8, '2 Obat dan bahan'),
    line(9, 'habis pakai 1 250.000 250.000'),
    line(10, 'Subtotal 1.250.000'),
    line(11, 'Total Tagihan : Rp 1.250.000'),
  ];
  const reading: Reading = {
    reader: 'generic',
    candidates: [{ name: 'rs-harapan-sehat', source: 'built-in', origin: 'built-in', matched: false, why: 'missing keyword "RS HARAPAN SEHAT"' }],
    chosenBecause: 'no template matched',
    source: 'text-layer',
    pages: [{ number: 1, width: 595.28, height: 841.89, words: [] }],
    lines: [lines],
    fields: {
      claim_id: field('claim_id', 'No. Klaim', claimId, 2),
      patient_name: field('patient_name', 'Nama Pasien', FAKE_PERSONAL.patient_name, 3),
      member_id: field('member_id', 'No. Peserta', FAKE_PERSONAL.member_id, 4),
      patient_dob: field('patient_dob', 'Tanggal Lahir', FAKE_PERSONAL.patient_dob, 5),
      discharge_date: field('discharge_date', null, null, 0),
      claimed_amount: field('claimed_amount', 'Total Tagihan', 'Rp 1.250.000', 11),
    },
    items: [
      { page: 1, values: { line_no: '1', description: 'Kamar Rawat Inap', quantity: '2', unit_price: '500.000', amount: '1.000.000' }, from: [at(7)], conf: 1 },
      { page: 1, values: { line_no: '2', description: 'Obat dan bahan habis pakai', quantity: '1', unit_price: '250.000', amount: '250.000' }, from: [at(8), at(9)], conf: 1 },
    ],
    table: {
      headers: [at(6, 40)],
      columns: [{ column: 'description', header: 'Uraian', x0: 60, x1: 200 }, { column: 'amount', header: 'Jumlah', x0: 400, x1: 460 }],
      skipped: [{ at: at(10, 40), kind: 'subtotal' }],
      end: at(11, 40),
    },
    locale: 'id-ID',
    dateOrder: 'DMY',
    pageCount: 1,
    dateOrderSure: true,
    numberStyle: 'id-ID',
  };
  const judgement: Judgement = {
    verdict: o.verdict ?? 'valid',
    checks: [{ name: 'required', ok: true, detail: 'every required field was found' }, { name: 'total', ok: true, detail: 'items add up to the total (1.250.000)' }],
    problems: [],
    claim: {
      claim_id: claimId, policy_number: 'POL-77', member_id: FAKE_PERSONAL.member_id, patient_name: FAKE_PERSONAL.patient_name,
      patient_dob: '1970-02-01', provider_name: 'RS Contoh Sehat', claim_type: 'inpatient', admission_date: '2026-11-01',
      discharge_date: null, diagnosis_codes: '["J18.9","E11.9"]', claimed_amount: '1250000.00', currency: 'IDR',
    },
    lines: [
      { page: 1, line_no: '1', description: 'Kamar Rawat Inap', quantity: '2', unit_price: '500000.00', amount: '1000000.00' },
      { page: 1, line_no: '2', description: 'Obat dan bahan habis pakai', quantity: '1', unit_price: '250000.00', amount: '250000.00' },
    ],
  };
  return { reading, judgement, mask: fakeMask([...Object.values(FAKE_PERSONAL), '1970-02-01']) };
}
