import type { SchemaSpec } from '../types.js';

/** maxBytes: each column's width in UTF-8 bytes; the warehouse's DDL and staging read it from here. */
export const merchantInventory: SchemaSpec = {
  name: 'merchant_inventory',
  version: 1,
  description: 'One row per merchant x product as observed in one inventory file.',
  key: ['merchant_id', 'merchant_sku'],
  keyScope: 'file',
  formats: ['csv', 'xls', 'xlsx'],
  fields: [
    { name: 'merchant_id', type: 'string', required: true, maxBytes: 64,
      aliases: ['merchant_id', 'kode_apotek', 'outlet_id', 'store_id'],
      description: 'Pharmacy id; from --merchant or the file path when the file has no such column.' },
    { name: 'merchant_sku', type: 'string', required: true, maxBytes: 128,
      aliases: ['sku', 'kode', 'kode_produk', 'kode_barang', 'item_code', 'product_code', 'plu'] },
    { name: 'product_name', type: 'string', required: true, maxBytes: 512,
      aliases: ['nama', 'nama_produk', 'nama_barang', 'product_name', 'item_name', 'deskripsi', 'description'] },
    { name: 'barcode', type: 'string', format: 'barcode', formatSeverity: 'warning', maxBytes: 14,
      aliases: ['barcode', 'ean', 'gtin', 'upc'] },
    { name: 'selling_price', type: 'decimal', precision: 14, scale: 2, min: 0, required: true,
      aliases: ['harga', 'harga_jual', 'hja', 'price', 'selling_price'], description: 'IDR' },
    { name: 'stock_qty', type: 'integer', min: 0, required: true,
      aliases: ['stok', 'stock', 'qty', 'jumlah', 'quantity', 'sisa_stok'] },
    { name: 'unit', type: 'string', lowercase: true, maxBytes: 64, aliases: ['satuan', 'unit', 'uom'] },
    { name: 'expiry_date', type: 'date', aliases: ['ed', 'expired', 'expiry_date', 'tgl_kadaluarsa'] },
    { name: 'updated_at', type: 'timestamp', aliases: ['tgl_update', 'last_update', 'updated_at'] },
  ],
};
