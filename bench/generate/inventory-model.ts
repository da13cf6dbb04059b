/**
 * The logical merchant-inventory rows behind the benchmark files.
 *
 * Both the CSV and the XLSX generator consume this one stream, so "the same data" means the
 * same merchants, SKUs, names, prices, stock and dates; only the encoding differs (Indonesian
 * text in the CSV, real Excel numbers and dates in the workbook).
 */
import { Prng } from './prng.js';

/** Bump when the generated content changes: it is part of the cache key. */
export const GENERATOR_VERSION = 1;

/** About 42,000 distinct products across the partner pharmacies (domain spec). */
const CATALOG_SIZE = 42_000;
/** About 25 merchants per million rows. */
const ROWS_PER_MERCHANT = 40_000;
/** SKU codes are `K` + 5 digits; a merchant's SKUs are a permutation of this space. */
const SKU_SPACE = 100_000; // must stay >= ROWS_PER_MERCHANT

const DAY_MS = 86_400_000;
const EXPIRY_FIRST_DAY = Date.UTC(2026, 0, 1) / DAY_MS;
const EXPIRY_LAST_DAY = Date.UTC(2029, 11, 31) / DAY_MS;
/** "Now" of the export, as naive Asia/Jakarta wall-clock minutes since 1970-01-01: every base row was updated at or before it. */
export const EXPORT_MINUTE = Date.UTC(2025, 10, 20, 8, 0) / 60_000;
const UPDATE_WINDOW_MINUTES = 30 * 24 * 60;

export type PriceStyle = 0 | 1 | 2 | 3; // 12.500 | 12.500,00 | Rp 12.500 | Rp12.500,00

export interface InventoryRow {
  merchantId: string;
  sku: string;
  /** As written in the file: may contain `;` (forces CSV quoting) or stray spaces. */
  name: string;
  /** 13 digits with a valid GS1 check digit, or '' (about 5% of rows). */
  barcode: string;
  /** Whole rupiah, 500 ..= 2,000,000. */
  price: number;
  /** How the CSV spells the price; the XLSX stores a plain number. */
  priceStyle: PriceStyle;
  stock: number;
  unit: string;
  /** Days since 1970-01-01 (a calendar date, no time zone). */
  expiryDay: number;
  /** Naive Asia/Jakarta wall-clock minutes since 1970-01-01. */
  updatedMinute: number;
}

const BASES = [
  'Paracetamol', 'Amoxicillin', 'Ibuprofen', 'Asam Mefenamat', 'Cetirizine', 'Loratadine',
  'Omeprazole', 'Lansoprazole', 'Ranitidine', 'Antasida Doen', 'Metformin', 'Glibenclamide',
  'Amlodipine', 'Captopril', 'Simvastatin', 'Dexamethasone', 'Prednison', 'Salbutamol',
  'Ambroxol', 'Bromhexine', 'CTM', 'Vitamin C', 'Asam Folat', 'Kalsium Laktat', 'Zinc',
  'Loperamide', 'Oralit', 'Domperidone', 'Cefadroxil', 'Cefixime', 'Azithromycin',
  'Ketoconazole', 'Miconazole', 'Acyclovir', 'Allopurinol', 'Meloxicam', 'Piroxicam',
  'Mylanta', 'Promag', 'Bodrex', 'Panadol', 'Sanmol', 'Tempra', 'Konidin', 'OBH Combi',
  'Woods', 'Betadine', 'Kayu Putih', 'Tolak Angin', 'Insto', 'Rohto', 'Hansaplast',
  'Neurobion', 'Enervon C', 'Sangobion', 'Imboost', 'Diapet', 'Entrostop', 'Procold',
  'Decolgen', 'Neozep', 'Mixagrip', 'Redoxon', 'Biogesic', 'Combantrin', 'Dulcolax',
] as const;
const STRENGTHS = ['500mg', '250mg', '100mg', '10mg', '5mg', '60ml', '100ml', '15ml', '1g'] as const;
const FORMS = ['Tab', 'Kaplet', 'Kapsul', 'Sirup', 'Salep', 'Krim', 'Tetes', 'Forte', 'Plus'] as const;
const UNITS = ['tablet', 'strip', 'botol', 'box', 'pcs', 'tube'] as const;
/** Unit that fits a dosage form; forms without an entry get a unit at random. */
const FORM_UNIT: Partial<Record<(typeof FORMS)[number], string>> = {
  Sirup: 'botol', Tetes: 'botol', Salep: 'tube', Krim: 'tube', Tab: 'strip', Kaplet: 'strip',
};
const PACKS = ['Isi 10', 'Isi 4', 'Box 100', 'Dus 12'] as const;

/** GS1 check digit for the first 12 digits of an EAN-13 (weights 1,3,1,3,... from the left). */
export function gs1CheckDigit(digits12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (digits12.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

/** A price as the generator rounds them (50-rupiah steps under 1,000, else 100; 500 ..= 2,000,000). */
export function roundPrice(value: number): number {
  const step = value < 1000 ? 50 : 100;
  return Math.min(2_000_000, Math.max(500, Math.round(value / step) * step));
}

function buildCatalog(seed: number): Product[] {
  // Its own stream, so the catalogue does not depend on how many rows are generated.
  const rng = new Prng(seed ^ 0x5eed_ca7a);
  const products: Product[] = [];
  for (let i = 0; i < CATALOG_SIZE; i++) {
    let name: string = rng.pick(BASES);
    if (rng.chance(0.3)) name += ' ' + rng.pick(STRENGTHS);
    const form = rng.chance(0.2) ? rng.pick(FORMS) : undefined;
    if (form) name += ' ' + form;
    // 899 is Indonesia's GS1 prefix.
    let digits = '899';
    for (let d = 0; d < 9; d++) digits += String(rng.int(0, 9));
    const barcode = digits + String(gs1CheckDigit(digits));
    // Skewed towards cheap items: most pharmacy lines cost a few thousand rupiah.
    const basePrice = roundPrice(Math.exp(Math.log(500) + Math.log(4000) * rng.next() ** 1.5));
    const unit = (form && FORM_UNIT[form]) ?? rng.pick(UNITS);
    products.push({ name, barcode, basePrice, unit });
  }
  return products;
}

/** Catalogues built (a few seeds): the refresh generator and its counts walk the same seed's again. */
const catalogs = new Map<number, Product[]>();
function catalogFor(seed: number): Product[] {
  let products = catalogs.get(seed);
  if (!products) {
    if (catalogs.size >= 4) catalogs.clear();
    catalogs.set(seed, (products = buildCatalog(seed)));
  }
  return products;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A random multiplier coprime with `modulus`, for an affine permutation of 0..modulus-1. */
function coprime(rng: Prng, modulus: number): number {
  for (;;) {
    const c = rng.int(1000, modulus - 1);
    if (gcd(c, modulus) === 1) return c;
  }
}

export function merchantCount(rows: number): number {
  return Math.max(1, Math.ceil(rows / ROWS_PER_MERCHANT));
}

/**
 * One merchant of the stream: its id, how many products it lists, and the affine permutations
 * that give its i-th row a SKU and a catalogue product. Indices past `count` give SKUs and
 * products the merchant does not list yet (the refresh generator's new rows).
 */
export interface MerchantPlan {
  index: number;
  merchantId: string;
  count: number;
  /** The merchant's own stream; rowAt draws from it in row order. */
  rng: Prng;
  skuAt(i: number): string;
  productAt(i: number): Product;
}

export interface Product {
  name: string;
  barcode: string;
  basePrice: number;
  unit: string;
}

/** The merchants behind `inventoryRows`, in order; each plan's `rng` is ready for its first row. */
export function* merchantPlans(rows: number, seed: number, rowsPerMerchant = ROWS_PER_MERCHANT): Generator<MerchantPlan> {
  const catalog = catalogFor(seed);
  const idRng = new Prng(seed ^ 0x1d5_a7c0);
  // Distinct merchant numbers out of the ~3,500 partner pharmacies (more space when scaled up
  // a lot; the space only grows past 1,750 merchants, i.e. 70M rows).
  const idSpace = Math.max(3_500, Math.ceil(rows / rowsPerMerchant) * 2);
  const usedIds = new Set<number>();

  for (let m = 0, emitted = 0; emitted < rows; m++) {
    const rng = new Prng((seed ^ Math.imul(m + 1, 0x9e3779b1)) >>> 0);
    let idNumber: number;
    do idNumber = idRng.int(1, idSpace); while (usedIds.has(idNumber));
    usedIds.add(idNumber);
    // Affine permutations give each merchant unique, non-sequential SKUs and a product mix.
    const skuMul = coprime(rng, SKU_SPACE);
    const skuAdd = rng.int(0, SKU_SPACE - 1);
    const prodMul = coprime(rng, CATALOG_SIZE);
    const prodAdd = rng.int(0, CATALOG_SIZE - 1);
    const count = Math.min(rowsPerMerchant, rows - emitted);
    yield {
      index: m,
      merchantId: 'APT' + String(idNumber).padStart(5, '0'),
      count,
      rng,
      skuAt: (i) => 'K' + String((skuMul * i + skuAdd) % SKU_SPACE).padStart(5, '0'),
      productAt: (i) => catalog[(prodMul * i + prodAdd) % CATALOG_SIZE],
    };
    emitted += count;
  }
}

/** The most rows one merchant can list with distinct SKUs and products (the permutations' period). */
export const MAX_ROWS_PER_MERCHANT = Math.min(SKU_SPACE, CATALOG_SIZE);

/** Row `i` of a merchant, drawing its values from `rng` (the plan's own stream for the base rows). */
export function rowAt(plan: MerchantPlan, i: number, rng: Prng): InventoryRow {
  const product = plan.productAt(i);
  let name = product.name;
  const quirk = rng.next();
  if (quirk < 0.001) name = `${name}; ${rng.pick(PACKS)}`; // quoted in the CSV
  else if (quirk < 0.011) name = name.replace(' ', '  '); // collapse target
  else if (quirk < 0.016) name = ` ${name} `; // trim target

  const barcode = rng.chance(0.05) ? '' : product.barcode;
  const price = roundPrice(product.basePrice * (0.95 + 0.2 * rng.next()));
  const styleDraw = rng.next();
  const priceStyle: PriceStyle = styleDraw < 0.4 ? 0 : styleDraw < 0.65 ? 1 : styleDraw < 0.85 ? 2 : 3;
  // 8% out of stock; otherwise skewed towards small quantities, capped at 5,000.
  const stock = rng.chance(0.08) ? 0 : 1 + Math.floor(5000 * rng.next() ** 2.5);
  const expiryDay = rng.int(EXPIRY_FIRST_DAY, EXPIRY_LAST_DAY);
  const updatedMinute = EXPORT_MINUTE - rng.int(0, UPDATE_WINDOW_MINUTES - 1);
  return { merchantId: plan.merchantId, sku: plan.skuAt(i), name, barcode, price, priceStyle, stock, unit: product.unit, expiryDay, updatedMinute };
}

/**
 * Yields `rows` logical rows, merchant by merchant (as if each pharmacy's export had been
 * concatenated), 40,000 rows per merchant by default (the last one takes the remainder), so one
 * million rows make 25 merchants; the load benchmark asks for the platform's shape instead
 * (~1,570 products per pharmacy, so 5.5 M rows make 3,500 merchants). merchant_id + merchant_sku is unique across the whole stream.
 * A product (one barcode) is sold by many merchants: the ~42,000-product catalogue is shared.
 *
 * Each merchant draws from its own seeded stream, so a smaller file is exactly a prefix of a
 * larger one with the same seed: the 100k-row workbook holds the CSV's first 100k rows, and
 * the K-times-larger CSV starts with the 1x file.
 */
export function* inventoryRows(rows: number, seed: number, rowsPerMerchant = ROWS_PER_MERCHANT): Generator<InventoryRow> {
  for (const plan of merchantPlans(rows, seed, rowsPerMerchant)) {
    for (let i = 0; i < plan.count; i++) yield rowAt(plan, i, plan.rng);
  }
}
