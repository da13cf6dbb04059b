// INTERIM (replaced when the template module lands): today's ClaimTemplate as hints, and a simple choice.
import type { ClaimTemplate as OldTemplate } from '../../schemas/claim-template.js';
import type { Hints } from './hints.js';
import type { TemplateChoice } from '../reading.js';

export interface ClaimTemplate { name: string; source: string; origin: 'config' | 'built-in' | 'file'; identify: string[]; hints: Hints }

export function fromOld(t: OldTemplate): ClaimTemplate {
  const fields: Hints['fields'] = {};
  for (const [f, v] of Object.entries(t.fields)) fields[f] = { labels: v.label, position: (v.position ?? t.labels) === 'below' ? 'below' : 'right', ...(v.pattern ? { pattern: v.pattern } : {}) };
  return {
    name: t.name, source: t.source, origin: t.source.includes('claim-templates') ? 'built-in' : 'config', identify: t.identify,
    hints: { name: t.name, source: t.source, locale: t.locale === 'en-US' ? 'en-US' : 'id-ID', dateOrder: t.dateOrder, fields, otherLabels: t.otherLabels,
      constants: t.constants, table: { header: t.lines.header.split(/\s+/), row: t.lines.row, end: t.lines.end } },
  };
}

export function chooseTemplate(text: string, templates: ClaimTemplate[]): { chosen: ClaimTemplate | null; candidates: TemplateChoice[]; because: string } {
  const l = text.toLowerCase().replace(/\s+/g, ' ');
  let best: ClaimTemplate | null = null;
  const candidates: TemplateChoice[] = [];
  for (const t of templates) {
    const found = t.identify.filter((k) => l.includes(k.toLowerCase().replace(/\s+/g, ' ')));
    const matched = found.length === t.identify.length;
    candidates.push({ name: t.name, source: t.source, origin: t.origin, matched, why: `${found.length} of ${t.identify.length} keywords` });
    if (matched && (!best || t.identify.length > best.identify.length || (t.origin !== 'built-in' && best.origin === 'built-in'))) best = t;
  }
  return { chosen: best, candidates, because: best ? `template '${(best as ClaimTemplate).name}' matches` : 'no template matches: the generic reader' };
}
