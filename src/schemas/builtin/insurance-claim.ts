import type { SchemaSpec } from '../types.js';

/** maxBytes: each column's width in UTF-8 bytes; the warehouse's DDL and staging read it from here. */
export const insuranceClaim: SchemaSpec = {
  name: 'insurance_claim',
  version: 1,
  description: 'One row per insurance claim (insurer listings). Holds personal and health data.',
  key: ['claim_id'],
  keyScope: 'run',
  formats: ['csv', 'xls', 'xlsx'],
  rules: [
    { kind: 'oneOf', fields: ['provider_id', 'provider_name'], message: 'provider_id or provider_name is required' },
    { kind: 'gte', field: 'discharge_date', other: 'admission_date', message: 'discharge_date is before admission_date' },
    { kind: 'lte', field: 'approved_amount', other: 'claimed_amount', message: 'approved_amount is greater than claimed_amount' },
  ],
  fields: [
    { name: 'claim_id', type: 'string', required: true, maxBytes: 64, aliases: ['claim_id', 'no_klaim', 'nomor_klaim', 'claim_no'] },
    { name: 'policy_number', type: 'string', required: true, maxBytes: 64, aliases: ['policy_number', 'no_polis', 'nomor_polis', 'policy_no'] },
    { name: 'member_id', type: 'string', required: true, personal: true, maxBytes: 64,
      aliases: ['member_id', 'no_peserta', 'nomor_kartu', 'member_no'] },
    { name: 'patient_name', type: 'string', required: true, personal: true, maxBytes: 256,
      aliases: ['patient_name', 'nama_pasien', 'nama_peserta', 'patient'] },
    { name: 'patient_dob', type: 'date', personal: true, aliases: ['patient_dob', 'tgl_lahir', 'tanggal_lahir', 'dob'] },
    { name: 'provider_id', type: 'string', maxBytes: 64, aliases: ['provider_id', 'kode_rs', 'kode_provider'] },
    { name: 'provider_name', type: 'string', maxBytes: 256, aliases: ['provider_name', 'nama_rs', 'rumah_sakit', 'provider', 'hospital'] },
    { name: 'claim_type', type: 'enum', required: true, maxBytes: 16, aliases: ['claim_type', 'jenis_rawat', 'jenis_klaim', 'type'],
      enum: { inpatient: ['inpatient', 'rawat inap', 'ri'], outpatient: ['outpatient', 'rawat jalan', 'rj'] } },
    { name: 'admission_date', type: 'date', required: true, aliases: ['admission_date', 'tgl_masuk', 'tanggal_masuk'] },
    { name: 'discharge_date', type: 'date', aliases: ['discharge_date', 'tgl_keluar', 'tgl_pulang'] },
    // Stored as its JSON array text (["J18.9","A09"]): maxBytes bounds that whole text.
    { name: 'diagnosis_codes', type: 'string[]', required: true, format: 'icd10', formatSeverity: 'error', uppercase: true, maxBytes: 1024,
      separators: ',;| ', aliases: ['diagnosis_codes', 'diagnosa', 'kode_icd', 'icd10'] },
    { name: 'claimed_amount', type: 'decimal', precision: 16, scale: 2, exclusiveMin: 0, required: true,
      aliases: ['claimed_amount', 'nominal_klaim', 'total_tagihan', 'jumlah_klaim'], description: 'IDR' },
    { name: 'approved_amount', type: 'decimal', precision: 16, scale: 2, min: 0,
      aliases: ['approved_amount', 'nominal_disetujui', 'jumlah_disetujui'], description: 'IDR' },
    { name: 'currency', type: 'string', uppercase: true, maxBytes: 3, aliases: ['currency', 'mata_uang'], default: 'IDR' },
  ],
};
