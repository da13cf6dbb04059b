/**
 * Duplicate keys across millions of rows without millions of strings: each key is hashed
 * to 64 bits (two independent 32-bit FNV-1a variants) and kept in an open-addressing table
 * of typed arrays (12 bytes a key). A false duplicate needs a 64-bit collision: about one
 * chance in 10^7 for a 5 M-row file.
 */
export function hashKey(key: string): [number, number] {
  const h = new KeyHasher();
  h.add(key);
  h.finish();
  return [h.h1, h.h2];
}

/**
 * Hashes a key made of several parts without concatenating them (a joined string was half
 * the cost of a validated row). Parts are separated by a NUL so ('ab','c') != ('a','bc').
 */
export class KeyHasher {
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;
  private parts = 0;
  reset(): void { this.h1 = 0x811c9dc5; this.h2 = 0x9747b28c; this.parts = 0; }
  add(part: string): void {
    let h1 = this.h1, h2 = this.h2;
    if (this.parts++ > 0) { h1 = Math.imul(h1, 0x01000193); h2 = Math.imul(h2, 0x5bd1e995); h2 ^= h2 >>> 15; }
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.h1 = h1; this.h2 = h2;
  }
  finish(): void {
    let h1 = this.h1, h2 = this.h2;
    h1 ^= h1 >>> 16; h1 = Math.imul(h1, 0x85ebca6b); h1 ^= h1 >>> 13;
    h2 ^= h2 >>> 16; h2 = Math.imul(h2, 0xc2b2ae35); h2 ^= h2 >>> 16;
    this.h1 = h1 >>> 0; this.h2 = h2 >>> 0;
  }
}

/** A growable list of (hash, row) produced by a row processor, cheap to post between threads. */
export class KeyList {
  h1: Uint32Array;
  h2: Uint32Array;
  rows: Int32Array;
  /** 1 when the row passed every other check. */
  valid: Uint8Array;
  length = 0;
  constructor(capacity = 1024) {
    this.h1 = new Uint32Array(capacity);
    this.h2 = new Uint32Array(capacity);
    this.rows = new Int32Array(capacity);
    this.valid = new Uint8Array(capacity);
  }
  push(a: number, b: number, row: number, valid: boolean): void {
    if (this.length === this.h1.length) this.grow();
    this.h1[this.length] = a;
    this.h2[this.length] = b;
    this.rows[this.length] = row;
    this.valid[this.length] = valid ? 1 : 0;
    this.length++;
  }
  private grow(): void {
    const n = Math.max(16, this.h1.length * 2);
    const h1 = new Uint32Array(n); h1.set(this.h1); this.h1 = h1;
    const h2 = new Uint32Array(n); h2.set(this.h2); this.h2 = h2;
    const rows = new Int32Array(n); rows.set(this.rows); this.rows = rows;
    const valid = new Uint8Array(n); valid.set(this.valid); this.valid = valid;
  }
}

/**
 * The set of keys seen so far in a file (or a run); remembers the row of each first
 * sighting. One interleaved array [h1, h2, row] per slot keeps a probe to one cache line;
 * row 0 marks an empty slot (rows count from 1). The table is sized from the expected key
 * count (not a power of two) and grows only past a 0.8 load: 15 bytes a key, the one part
 * of validation that grows with the file.
 */
export class KeyIndex {
  private slots: Uint32Array;
  private n: number;
  private size = 0;
  constructor(expectedKeys = 4096) {
    this.n = Math.max(64, Math.ceil(expectedKeys / 0.8));
    this.slots = new Uint32Array(this.n * 3);
  }
  get count(): number { return this.size; }
  /** Adds the key; returns the row of an earlier sighting, or -1 when it is new. */
  addHash(a: number, b: number, row: number): number {
    if (this.size >= this.n * 0.8) this.grow();
    const slots = this.slots, n = this.n;
    // Range reduction by multiplication: any table size, no modulo.
    let i = Math.floor(((a ^ Math.imul(b, 0x9e3779b1)) >>> 0) / 4294967296 * n);
    for (;;) {
      const at = i * 3;
      const r = slots[at + 2];
      if (r === 0) break;
      if (slots[at] === a && slots[at + 1] === b) return r;
      i = i + 1 === n ? 0 : i + 1;
    }
    const at = i * 3;
    slots[at] = a; slots[at + 1] = b; slots[at + 2] = row;
    this.size++;
    return -1;
  }
  add(key: string, row: number): number {
    const [a, b] = hashKey(key);
    return this.addHash(a, b, row);
  }
  private grow(): void {
    const old = this.slots;
    this.n *= 2;
    this.slots = new Uint32Array(this.n * 3);
    this.size = 0;
    for (let at = 0; at < old.length; at += 3) if (old[at + 2] !== 0) this.addHash(old[at], old[at + 1], old[at + 2]);
  }
}
