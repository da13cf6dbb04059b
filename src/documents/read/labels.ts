import type { Line } from '../layout/line.js';
import type { Word } from '../page.js';

/**
 * Finding printed labels in lines. Words are compared normalised: lower case, without a
 * trailing colon or dot, so "No. Klaim :", "NO KLAIM" and "no.klaim:" are one label. A label
 * is a sequence of such words; the longest label wins where several start at one word.
 */
export interface Token {
  /** Normalised text ('' for a lone colon or dash separator). */
  norm: string;
  word: Word;
  cell: number;
  /** The printed word ended with a colon ("Klaim:"), or is one. */
  colon: boolean;
}

export function normWord(s: string): string {
  // Brackets and trailing punctuation are not part of a label's words: "(No. Kartu", "Diagnosa (ICD-10)".
  // A colon may follow the bracket ("(ICD-10):"): both go, in either order.
  return s.toLowerCase().replace(/^[(\[]+/u, '').replace(/[)\],;:：]+$/u, '').replace(/\.+$/u, '').replace(/^\.+/u, '');
}

/** "No.Klaim" is two words to a reader: split a word at an inner dot followed by a letter. */
function splitWord(text: string): string[] {
  return text.split(/(?<=\.)(?=\p{L})/u).filter((s) => s !== '');
}

export function tokensOf(line: Line): Token[] {
  const out: Token[] = [];
  line.cells.forEach((cell, ci) => {
    const start = out.length;
    for (const w of cell.words) {
      for (const part of splitWord(w.text)) {
        const colon = /[:：]$/u.test(part);
        out.push({ norm: /^[:：\-–]+$/u.test(part) ? '' : normWord(part), word: w, cell: ci, colon: colon || /^[:：]+$/u.test(part) });
      }
    }
    // A slash or dash ending a cell joins it to the next line ("Tanggal Masuk /"): it is not text.
    while (out.length > start + 1 && /^[/\\\-–]$/u.test(out[out.length - 1].word.text)) out.pop();
  });
  return out;
}

export interface LabelDef {
  text: string;
  words: string[];
  /** The fields it labels (a template may read several from one label); none for a printed label that is not read (it only ends a value). */
  fields: string[];
  /**
   * A template's label: the user says it is one, so it counts anywhere on a line and needs no
   * colon after it ("Reg. SS-RI-2611-0457", "(No. Kartu 0014127760093)"). The dictionary's
   * labels are guesses and must look like labels (cell start, colon or gap).
   */
  explicit?: boolean;
}

export function labelDef(text: string, field: string | null): LabelDef {
  const words = text.split(/\s+/).flatMap(splitWord).map(normWord).filter((w) => w !== '');
  return { text, words, fields: field ? [field] : [] };
}

export interface LabelHit {
  label: LabelDef;
  /** Token indexes [start, end). */
  start: number;
  end: number;
  /** A colon follows the label (or ends its last word). */
  colon: boolean;
}

/**
 * A word as OCR may misread it: the letters it confuses most (o/0/q, l/1/i/|, rn/m, s/5)
 * folded together. Labels only — a misread label word still says where to look; a value is
 * never corrected (a misread value must fail the gates, not be guessed right).
 */
export function ocrShape(norm: string): string {
  return norm.replace(/rn/gu, 'm').replace(/[0q]/gu, 'o').replace(/[1i|!]/gu, 'l').replace(/5/gu, 's');
}

/** A token's word matches a label word: exactly, or — for a word read by OCR — in its OCR shape. */
function sameWord(t: Token, labelWord: string): boolean {
  return t.norm === labelWord || (t.word.conf < 1 && t.norm.length >= 2 && ocrShape(t.norm) === ocrShape(labelWord));
}

/** Two OCR words of one engine line, closer than their text size. */
function sameOcrLine(a: Word, b: Word): boolean {
  return a.ocrLine !== undefined && a.ocrLine === b.ocrLine && b.x - (a.x + a.w) < Math.min(a.h, b.h);
}

/** Index of labels by first word, longest first. */
export class LabelIndex {
  private byFirst = new Map<string, LabelDef[]>();
  /** The same by the first word's OCR shape (for words read by OCR). */
  private byShape = new Map<string, LabelDef[]>();
  constructor(defs: LabelDef[]) {
    const byWords = new Map<string, LabelDef>();
    for (const d of defs) {
      if (d.words.length === 0) continue;
      const k = d.words.join(' ');
      const same = byWords.get(k);
      // One printed label, several fields: each reads its part (a template's pattern says which).
      if (same) { for (const f of d.fields) if (!same.fields.includes(f)) same.fields.push(f); same.explicit ||= d.explicit; continue; }
      const own = { ...d, fields: [...d.fields] };
      byWords.set(k, own);
      const list = this.byFirst.get(d.words[0]) ?? [];
      list.push(own);
      this.byFirst.set(d.words[0], list);
    }
    const order = (a: LabelDef, b: LabelDef) => b.words.length - a.words.length || b.text.length - a.text.length;
    for (const list of this.byFirst.values()) list.sort(order);
    for (const [first, list] of this.byFirst) {
      const k = ocrShape(first);
      this.byShape.set(k, [...(this.byShape.get(k) ?? []), ...list].sort(order));
    }
  }

  /**
   * "INSURED / PATIENT NAME", "No. RM / No. Peserta": a cell of alternatives, the last of
   * which is a label that ends the cell, is that label.
   */
  afterSlash(tokens: Token[], start: number, end: number): LabelHit | null {
    for (let k = start + 1; k < end; k++) {
      if (!/^[/|]$/u.test(tokens[k - 1].word.text) && !tokens[k - 1].word.text.endsWith('/')) continue;
      const hit = this.at(tokens, k);
      if (hit && (hit.end === end || hit.colon)) return { ...hit, start };
    }
    return null;
  }

  /** The longest label starting at token i (within one cell), or null. */
  at(tokens: Token[], i: number): LabelHit | null {
    const t0 = tokens[i];
    const list = this.byFirst.get(t0.norm) ?? (t0.word.conf < 1 && t0.norm.length >= 2 ? this.byShape.get(ocrShape(t0.norm)) : undefined);
    if (!list) return null;
    for (const d of list) {
      if (i + d.words.length > tokens.length) continue;
      let ok = true;
      for (let k = 0; k < d.words.length; k++) {
        const t = tokens[i + k];
        if (!sameWord(t, d.words[k]) || t.cell !== tokens[i].cell || (k < d.words.length - 1 && t.colon)) { ok = false; break; }
      }
      if (!ok) continue;
      const end = i + d.words.length;
      const colon = tokens[end - 1].colon || (end < tokens.length && tokens[end].norm === '' && tokens[end].colon && tokens[end].cell === tokens[i].cell)
        || (end < tokens.length && tokens[end].norm === '' && tokens[end].colon);
      return { label: d, start: i, end, colon };
    }
    return null;
  }

  /**
   * Labels on a line. A label counts at the start of a cell; inside a cell only when a colon
   * follows it ("No. Klaim : X Jenis Rawat : Y" drawn as one run). A label followed by more
   * text in its cell and no colon is prose, not a label ("Patient Information", "Rumah Sakit
   * Umum Bunda Mulia"): a value beside a label is set off by a colon or by a gap.
   */
  find(tokens: Token[]): LabelHit[] {
    const hits: LabelHit[] = [];
    const cellEnd = (i: number) => { let e = i; while (e < tokens.length && tokens[e].cell === tokens[i].cell) e++; return e; };
    for (let i = 0; i < tokens.length; i++) {
      const atCellStart = i === 0 || tokens[i - 1].cell !== tokens[i].cell;
      let hit = this.at(tokens, i);
      if (!hit && atCellStart) hit = this.afterSlash(tokens, i, cellEnd(i));
      if (!hit) continue;
      // A label numbered "ICD-10 (2)" or "Diagnosa 2" is still the label.
      if (hit.end < tokens.length && tokens[hit.end].cell === tokens[i].cell && cellEnd(i) === hit.end + 1 && /^\(?(?:\d|[a-z])\)?$/u.test(tokens[hit.end].norm)) {
        hit = { ...hit, end: hit.end + 1 };
      }
      const cellEnds = hit.end >= tokens.length || tokens[hit.end].cell !== tokens[i].cell;
      // Inside a cell, a dictionary label counts only after another label's value in that cell.
      if (!hit.label.explicit && !atCellStart && (!hit.colon || !hits.some((h) => tokens[h.start].cell === tokens[i].cell && h.end < i))) continue;
      if (!hit.label.explicit && !hit.colon && !cellEnds) continue;
      // OCR has no drawing runs: a title's words ("PASIEN  RAWAT INAP") can fall into two cells. Words
      // the engine read as one line, set apart by less than a text size, are prose, not a label and its value.
      if (!hit.label.explicit && !hit.colon && cellEnds && hit.end < tokens.length && sameOcrLine(tokens[hit.end - 1].word, tokens[hit.end].word)) continue;
      hits.push(hit);
      i = hit.end - 1;
    }
    return hits;
  }
}
