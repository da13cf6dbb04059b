import type { ClaimTemplate } from './claim-template.js';

/**
 * Reads a claim document's text with its template: labelled fields and the line-item
 * table. Works on text lines (pdf-parse gives one line per baseline, cells separated by
 * spaces), so values are found between known labels and by the template's value patterns.
 */
export interface FoundValue { text: string; page: number; label: string }
export interface FoundLine {
  page: number;
  line_no?: string;
  description: string;
  quantity?: string;
  unit_price?: string;
  amount: string;
}
export interface Extracted {
  values: Record<string, FoundValue>;
  lines: FoundLine[];
  /** Page of the table's end marker (where a total mismatch shows). */
  totalPage: number | null;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const lower = (s: string) => norm(s).toLowerCase();
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Label { text: string; key: string; field: string | null; position: 'inline' | 'below' }

function labelsOf(t: ClaimTemplate): Label[] {
  const out: Label[] = [];
  for (const [field, f] of Object.entries(t.fields)) {
    for (const l of f.label) out.push({ text: l, key: lower(l), field, position: f.position ?? t.labels });
  }
  for (const l of t.otherLabels) out.push({ text: l, key: lower(l), field: null, position: t.labels });
  // Longest first: "Tanggal Masuk" before "Tanggal".
  return out.sort((a, b) => b.key.length - a.key.length);
}

interface Hit { at: number; end: number; label: Label }

const WORD = /[\p{L}\p{N}]/u;

/**
 * Label occurrences on a line, at word boundaries, left to right. Overlapping occurrences
 * give way to the longer label; several fields may share one label (each then reads its
 * part of the value with its pattern's (?<value>…) group).
 */
function findLabels(line: string, labels: Label[]): Hit[] {
  const l = line.toLowerCase();
  const hits: Hit[] = [];
  for (const label of labels) {
    for (let at = l.indexOf(label.key); at >= 0; at = l.indexOf(label.key, at + 1)) {
      const end = at + label.key.length;
      if ((at > 0 && WORD.test(l[at - 1])) || (end < l.length && WORD.test(l[end]) && WORD.test(l[end - 1]))) continue;
      if (hits.some((h) => at < h.end && end > h.at && !(h.at === at && h.end === end))) continue;
      hits.push({ at, end, label });
    }
  }
  return hits.sort((a, b) => a.at - b.at);
}

export function extractClaim(pages: string[], t: ClaimTemplate): Extracted {
  const labels = labelsOf(t);
  const values: Record<string, FoundValue> = {};
  const lines: Array<{ text: string; page: number }> = [];
  pages.forEach((p, i) => { for (const raw of p.split('\n')) { const text = norm(raw); if (text) lines.push({ text, page: i + 1 }); } });
  const setValue = (field: string, text: string, page: number, label: string) => {
    if (values[field] !== undefined) return; // the first occurrence wins
    const pattern = t.fields[field]?.pattern;
    let v = text.replace(/^[:\s]+/, '').trim();
    if (pattern) {
      const m = new RegExp(`^(?:${pattern})`, 'u').exec(v);
      if (m) v = (m.groups?.value ?? m[0]).trim();
    }
    values[field] = { text: v, page, label };
  };

  for (let i = 0; i < lines.length; i++) {
    const { text, page } = lines[i];
    const hits = findLabels(text, labels);
    if (hits.length === 0 || hits[0].at !== 0) continue;
    // A line made only of labels, with a label meant to be read below: its values are on the next line.
    const onlyLabels = hits.every((h) => {
      const next = hits.find((o) => o.at >= h.end);
      return text.slice(h.end, next ? next.at : text.length).trim() === '';
    });
    if (onlyLabels && hits.some((h) => h.label.position === 'below') && i + 1 < lines.length) {
      const next = lines[i + 1];
      const re = new RegExp('^' + hits.map((h) => `(${(h.label.field && t.fields[h.label.field].pattern) || '.+?'})`).join(' ') + '$', 'u');
      const m = re.exec(next.text);
      if (m) hits.forEach((h, k) => { if (h.label.field) setValue(h.label.field, m[k + 1], next.page, h.label.text); });
      else if (hits.length === 1 && hits[0].label.field) setValue(hits[0].label.field, next.text, next.page, hits[0].label.text);
      i++;
      continue;
    }
    hits.forEach((h) => {
      if (!h.label.field || h.label.position !== 'inline') return;
      const next = hits.find((o) => o.at >= h.end);
      setValue(h.label.field, text.slice(h.end, next ? next.at : text.length), page, h.label.text);
    });
  }

  // The line-item table: between its header (repeated on later pages) and the end marker.
  const header = lower(t.lines.header);
  const ends = t.lines.end.map(lower);
  const row = new RegExp(t.lines.row, 'u');
  const items: FoundLine[] = [];
  let inside = false;
  let totalPage: number | null = null;
  for (const { text, page } of lines) {
    const l = text.toLowerCase();
    if (l === header) { inside = true; continue; }
    if (!inside) continue;
    if (ends.some((e) => l.startsWith(e))) { totalPage = page; inside = false; continue; }
    const m = row.exec(text);
    if (!m?.groups) continue; // category rows, page footers, running titles
    const g = m.groups;
    items.push({ page, line_no: g.line_no, description: g.description, quantity: g.quantity, unit_price: g.unit_price, amount: g.amount });
  }
  return { values, lines: items, totalPage };
}

/**
 * How well a document's text fits a template: it matches when every `identify` keyword
 * appears; the score (keywords, then labels and table header words found) names the
 * closest template when none matches.
 */
export function templateScore(text: string, t: ClaimTemplate): { matches: boolean; score: number; keywords: number; labels: number; labelCount: number } {
  const l = lower(text);
  const keywords = t.identify.filter((k) => l.includes(lower(k))).length;
  const labelList = [...Object.values(t.fields).flatMap((f) => f.label), ...t.otherLabels];
  const labels = labelList.filter((k) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRe(lower(k))}($|[^\\p{L}\\p{N}])`, 'u').test(l)).length;
  return {
    matches: keywords === t.identify.length, keywords, labels, labelCount: labelList.length,
    score: keywords / t.identify.length + labels / Math.max(1, labelList.length),
  };
}
