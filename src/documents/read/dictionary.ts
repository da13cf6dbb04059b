import type { ItemColumn } from '../reading.js';

/**
 * The labels hospitals print, per insurance_claim field and per line-item column: the
 * generic reader's knowledge, kept as data. Matching is case-insensitive, ignores a trailing
 * colon and runs of spaces, and a dot after an abbreviation is optional ("No Klaim" = "No.
 * Klaim"). The config's `claimLabels` adds to these (README, "Claim PDFs: the dictionary").
 *
 * A label is only ever a hint of where a value is: the value found there still goes through
 * the field's own checks, and a required field that is not found makes the claim
 * needs-review, never valid.
 */
export interface Dictionary {
  fields: Record<string, string[]>;
  columns: Record<ItemColumn, string[]>;
  /** Lines that end the item table and carry the claimed total. */
  totals: string[];
  /** Lines inside the table that are sums, not items (category subtotals, carried totals). */
  subtotals: string[];
  /** Printed labels of things that are not fields: they end a value beside them. */
  other: string[];
  /** Labels of a stay printed as one range ("04/11/2026 s.d. 08/11/2026"): admission and discharge dates. */
  periods: string[];
}

export const DICTIONARY: Dictionary = {
  fields: {
    claim_id: ['No. Klaim', 'Nomor Klaim', 'No Klaim', 'Klaim No', 'ID Klaim', 'Kode Klaim', 'No. Tagihan Klaim', 'Claim No', 'Claim Number',
      'Claim ID', 'Claim Ref', 'Claim Reference', 'No. Pengajuan', 'Nomor Pengajuan Klaim'],
    policy_number: ['No. Polis', 'Nomor Polis', 'Polis No', 'Policy No', 'Policy Number', 'Policy', 'No. Kontrak', 'Group Policy No'],
    member_id: ['No. Peserta', 'Nomor Peserta', 'No. Kartu Peserta', 'No. Kartu', 'Nomor Kartu', 'No. Kartu Asuransi', 'No. Anggota', 'ID Peserta',
      'Member No', 'Member Number', 'Member ID', 'Card No', 'Card Number', 'Membership No', 'Insured ID'],
    patient_name: ['Nama Pasien', 'Nama Peserta', 'Nama', 'Pasien', 'Nama Tertanggung', 'Patient Name', 'Patient', 'Name', 'Insured Name', 'Member Name'],
    patient_dob: ['Tanggal Lahir', 'Tgl. Lahir', 'Tgl Lahir', 'Tempat/Tgl Lahir', 'Tempat, Tanggal Lahir', 'Date of Birth', 'Birth Date', 'DOB', 'D.O.B'],
    provider_id: ['Kode Faskes', 'Kode PPK Faskes', 'Kode RS', 'Kode Rumah Sakit', 'Kode Provider', 'Kode PPK', 'ID Provider', 'Provider Code', 'Provider ID', 'Hospital Code'],
    provider_name: ['Nama RS', 'Nama Rumah Sakit', 'Rumah Sakit', 'Provider', 'Nama Provider', 'Hospital', 'Hospital Name', 'Provider Name'],
    claim_type: ['Jenis Rawat', 'Jenis Perawatan', 'Jenis Klaim', 'Jenis Pelayanan', 'Tipe Rawat', 'Claim Type', 'Type of Care',
      'Service Type', 'Treatment Type', 'Care Type', 'Type of Claim'],
    admission_date: ['Tanggal Masuk', 'Tgl. Masuk', 'Tgl Masuk', 'Tanggal Berobat', 'Tgl. Berobat', 'Tanggal Kunjungan', 'Tgl. Kunjungan',
      'Tanggal Periksa', 'Tanggal Pelayanan', 'Admission Date', 'Date of Admission', 'Admitted', 'Visit Date', 'Date of Visit',
      'Service Date', 'Treatment Date', 'Date Admitted', 'Admission'],
    discharge_date: ['Tanggal Keluar', 'Tgl. Keluar', 'Tgl Keluar', 'Tanggal Pulang', 'Tgl. Pulang', 'Discharge Date', 'Date of Discharge', 'Discharged', 'Date Discharged', 'Discharge'],
    diagnosis_codes: ['Diagnosa (ICD-10)', 'Diagnosa', 'Diagnosis', 'Kode Diagnosa', 'Kode ICD', 'Kode ICD-10', 'ICD-10', 'ICD 10', 'ICD',
      'Diagnosa Utama', 'Diagnosa Primer', 'Diagnosa Sekunder', 'Diagnosa Tambahan', 'Diagnosis (ICD-10)', 'Primary Diagnosis',
      'Secondary Diagnosis', 'Additional Diagnosis', 'Diagnosis Code', 'Diagnosis Codes', 'ICD-10 Code', 'Dx', 'Diag', 'Kode Penyakit', 'Diagnosa Akhir', 'Final Diagnosis'],
    claimed_amount: ['Total Tagihan', 'Jumlah Tagihan', 'Total Klaim', 'Jumlah Klaim', 'Nominal Klaim', 'Total Biaya', 'Jumlah Biaya', 'Total Biaya Perawatan',
      'Grand Total', 'Total Keseluruhan', 'Jumlah Keseluruhan', 'Total Yang Harus Dibayar', 'Total Pembayaran', 'Jumlah Total',
      'Total Claimed', 'Total Claim', 'Claim Amount', 'Amount Claimed', 'Total Amount', 'Total Amount Due', 'Total Charges', 'Total Bill',
      'Amount Due', 'Total Due'],
    approved_amount: ['Jumlah Disetujui', 'Nominal Disetujui', 'Disetujui', 'Approved Amount', 'Amount Approved'],
    currency: ['Mata Uang', 'Currency'],
  },
  columns: {
    line_no: ['No', 'No.', '#', 'Nomor'],
    code: ['Kode', 'Code', 'Kode Layanan', 'Kode Item', 'Kode Tindakan', 'Item Code', 'Service Code'],
    description: ['Uraian', 'Deskripsi', 'Deskripsi Layanan', 'Keterangan', 'Nama Layanan', 'Nama Item', 'Layanan', 'Rincian', 'Rincian Biaya',
      'Item', 'Items', 'Description', 'Service', 'Services', 'Particulars', 'Uraian Layanan', 'Nama Tindakan/Obat', 'Tindakan/Obat'],
    quantity: ['Qty', 'Qty.', 'Jml', 'Jml.', 'Jumlah', 'Banyaknya', 'Banyak', 'Kuantitas', 'Satuan Jumlah', 'Kuantitas', 'Banyak', 'Vol', 'Volume', 'Quantity', 'Units', 'Jumlah Item'],
    unit_price: ['Harga', 'Harga Satuan', 'Tarif', 'Tarif Satuan', 'Unit Price', 'Price', 'Rate', 'Unit Cost', 'Harga/Unit', '@'],
    amount: ['Jumlah', 'Subtotal', 'Sub Total', 'Total', 'Amount', 'Jumlah Harga', 'Total Harga', 'Biaya', 'Nilai', 'Line Total', 'Total (Rp)',
      'Jumlah (Rp)', 'Amount (IDR)', 'Total (IDR)'],
  },
  totals: ['Total Tagihan', 'Grand Total', 'Total Keseluruhan', 'Jumlah Keseluruhan', 'Total Klaim', 'Jumlah Tagihan', 'Total Biaya',
    'Total Biaya Perawatan', 'Total Yang Harus Dibayar', 'Jumlah Total', 'Total Claimed', 'Total Amount', 'Total Amount Due', 'Total Charges',
    'Total Bill', 'Amount Due', 'Total Due', 'Total'],
  subtotals: ['Subtotal', 'Sub Total', 'Sub-total', 'Jumlah', 'Total', 'Pindahan', 'Carried Forward', 'Brought Forward', 'Dibawa ke halaman',
    'Subtotal Halaman', 'Jumlah Halaman', 'Jumlah Halaman Ini', 'Subtotal Halaman Ini', 'Jumlah Pindahan', 'Saldo Pindahan'],
  other: ['Kelas Perawatan', 'Kelas', 'Penjamin', 'Asuransi', 'Dokter', 'Dokter (DPJP)', 'DPJP', 'Dokter Penanggung Jawab', 'Dokter Pemeriksa',
    'Terbilang', 'Alamat', 'Telp', 'Telepon', 'Physician', 'Doctor', 'Attending Physician', 'Insurer', 'Guarantor', 'Ward', 'Room', 'Class',
    'Jenis Kelamin', 'Gender', 'Sex', 'Umur', 'Usia', 'Age', 'No. RM', 'No. Rekam Medis', 'MRN', 'Medical Record No', 'Ruang', 'Ruangan',
    'Poli', 'Poliklinik', 'Clinic', 'Department', 'Tanggal Cetak', 'Printed', 'Tanggal', 'Date', 'Invoice No', 'No. Invoice', 'No. Kuitansi',
    'No. Registrasi', 'No. Reg', 'Registration No', 'Nama Penjamin', 'Nama Asuransi', 'Nama Dokter', 'Nama Perusahaan', 'Perusahaan',
    'Attending Doctor', 'Ward / Room', 'Kelas Rawat', 'Hak Kelas', 'Lama Rawat', 'Lama Perawatan', 'Length of Stay'],
  periods: ['Periode Rawat', 'Periode Perawatan', 'Periode Pelayanan', 'Tanggal Rawat', 'Tgl. Rawat', 'Tanggal Perawatan', 'Masa Rawat',
    'Period of Stay', 'Treatment Period', 'Stay', 'Dates of Stay', 'Admission - Discharge', 'Tgl. Masuk - Keluar', 'Tanggal Masuk - Keluar'],
};

/** The dictionary with the config's additions (they come first: a user's label is more specific). */
export function extendDictionary(base: Dictionary, extra: { fields?: Record<string, string[]>; columns?: Partial<Record<ItemColumn, string[]>> } | undefined): Dictionary {
  if (!extra) return base;
  const fields = { ...base.fields };
  for (const [f, ls] of Object.entries(extra.fields ?? {})) fields[f] = [...ls, ...(fields[f] ?? [])];
  const columns = { ...base.columns };
  for (const [c, ls] of Object.entries(extra.columns ?? {}) as Array<[ItemColumn, string[]]>) columns[c] = [...ls, ...columns[c]];
  return { ...base, fields, columns };
}
