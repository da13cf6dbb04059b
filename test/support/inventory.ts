/** The merchant_inventory header as partners write it (Indonesian column names). */
export const INVENTORY_HEADER = 'Kode Apotek,Kode Barang,Nama Barang,Barcode,Satuan,Harga Jual,Stok,Tgl Kadaluarsa,Tgl Update\n';

/** One inventory row of a merchant; `bad`: its stock is not a number (the row is rejected). */
export const inventoryRow = (merchant: string, i: number, bad = false) =>
  `${merchant},BRG-${String(i).padStart(5, '0')},Produk ${i},,Strip,4500,${bad ? 'banyak' : i + 1},21/11/2027,21/11/2026 10:30\n`;

/** A merchant's inventory file: `good` valid rows, then `bad` rejected ones. */
export function inventoryCsv(merchant: string, good: number, bad = 0): string {
  let s = INVENTORY_HEADER;
  for (let i = 0; i < good + bad; i++) s += inventoryRow(merchant, i, i >= good);
  return s;
}
