import { ConfigError } from '../../errors.js';
import type { TemplateChoice } from '../reading.js';
import type { ClaimTemplate, TemplateOrigin } from './template.js';
import { containsKeyword as contains } from './keywords.js';

export interface TemplateChoiceResult {
  chosen: ClaimTemplate | null;
  /** Every template: the matched ones in precedence order, then the others closest first (share of identify keywords found). */
  candidates: TemplateChoice[];
  /** One sentence: why the chosen one won, or why none applies. */
  because: string;
}

/** A template given with --template beats the config's, which beat the built-in ones. */
const ORIGIN_RANK: Record<TemplateOrigin, number> = { file: 3, config: 2, 'built-in': 1 };
const ORIGIN_NAME: Record<TemplateOrigin, string> = { file: 'file', config: 'config', 'built-in': 'built-in' };

/** Specificity: characters of the identify keywords, white space not counted. */
const identifyChars = (t: ClaimTemplate) => t.identify.reduce((n, k) => n + k.replace(/\s+/g, '').length, 0);

/** Negative when a wins; 0 when nothing tells them apart. */
function precedence(a: ClaimTemplate, b: ClaimTemplate): number {
  return ORIGIN_RANK[b.origin] - ORIGIN_RANK[a.origin]
    || b.priority - a.priority
    || b.identify.length - a.identify.length
    || identifyChars(b) - identifyChars(a);
}

const byNameThenSource = (a: ClaimTemplate, b: ClaimTemplate) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.source < b.source ? -1 : a.source > b.source ? 1 : ORIGIN_RANK[b.origin] - ORIGIN_RANK[a.origin];

const quoted = (ks: string[]) => ks.map((k) => `'${k}'`).join(', ');
const label = (t: ClaimTemplate) => `${ORIGIN_NAME[t.origin]} template '${t.name}'`;

/** Why the winner beats the runner-up: the first rule of the precedence that tells them apart. */
function beats(w: ClaimTemplate, r: ClaimTemplate): string {
  if (w.origin !== r.origin) return `${label(w)} beats ${ORIGIN_NAME[r.origin]} '${r.name}' (a --template file beats the config's templates, which beat the built-in ones)`;
  if (w.priority !== r.priority) return `${label(w)} (priority ${w.priority}) beats ${ORIGIN_NAME[r.origin]} '${r.name}' (priority ${r.priority})`;
  if (w.identify.length !== r.identify.length) {
    return `${label(w)} (${w.identify.length} identify keywords) beats ${ORIGIN_NAME[r.origin]} '${r.name}' (${r.identify.length}): the more specific identify wins`;
  }
  return `${label(w)} (identify keywords of ${identifyChars(w)} characters) beats ${ORIGIN_NAME[r.origin]} '${r.name}' (${identifyChars(r)}): the more specific identify wins`;
}

/**
 * The template for a document's text. A template matches when every `identify` keyword and
 * no `exclude` keyword is in the text; among those that match the precedence decides:
 * origin (file > config > built-in), then `priority`, then the more specific identify (more
 * keywords, then more characters). A tie is a configuration error naming both. Pure: the
 * result does not depend on the order of `templates`.
 */
export function chooseTemplate(text: string, templates: ClaimTemplate[]): TemplateChoiceResult {
  // The same template listed twice is one template.
  const seen = new Set<string>();
  const list = [...templates].sort(byNameThenSource).filter((t) => {
    const id = `${t.origin}\0${t.source}\0${t.name}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
  const why = new Map<ClaimTemplate, string>();
  /** The share of identify keywords found: the closest template of a document none matches. */
  const near = new Map<ClaimTemplate, number>();
  const matched: ClaimTemplate[] = [];
  for (const t of list) {
    const found = t.identify.filter((k) => contains(text, k));
    near.set(t, found.length / t.identify.length);
    const missing = t.identify.filter((k) => !found.includes(k));
    const vetoes = t.exclude.filter((k) => contains(text, k));
    const spec = `priority ${t.priority}, ${t.identify.length} identify keywords of ${identifyChars(t)} characters`;
    if (missing.length) {
      why.set(t, `missing ${quoted(missing)}${found.length ? `; found ${quoted(found)}` : ''}`);
    } else if (vetoes.length) {
      why.set(t, `excluded: found ${quoted(vetoes)} (in its exclude); its identify ${quoted(found)} all found`);
    } else {
      why.set(t, `matched: found ${quoted(found)}${t.exclude.length ? `, none of its exclude` : ''}; ${spec}`);
      matched.push(t);
    }
  }
  matched.sort((a, b) => precedence(a, b) || byNameThenSource(a, b));
  const tied = matched.filter((t) => precedence(t, matched[0]) === 0);
  if (tied.length > 1) {
    throw new ConfigError(
      `claim templates ${tied.map((t) => `'${t.name}' (${t.source})`).join(' and ')} both match this document with the same origin `
      + `(${ORIGIN_NAME[tied[0].origin]}), priority (${tied[0].priority}) and identify (${tied[0].identify.length} keywords of ${identifyChars(tied[0])} characters): `
      + 'give one a higher priority, a more specific identify, or an exclude',
      { file: tied[0].source, hint: 'templates that match one document must differ in origin, priority or identify' },
    );
  }
  const others = list.filter((t) => !matched.includes(t)).sort((a, b) => near.get(b)! - near.get(a)! || byNameThenSource(a, b));
  const candidates: TemplateChoice[] = [...matched, ...others].map((t) => ({
    name: t.name, source: t.source, origin: t.origin, matched: matched.includes(t), why: why.get(t)!,
  }));
  const chosen = matched[0] ?? null;
  let because: string;
  if (!chosen) {
    because = list.length === 0
      ? 'no claim templates are configured, so the generic reader reads it'
      : 'no template matched (every identify keyword found and no exclude keyword), so the generic reader reads it';
  } else if (matched.length === 1) {
    because = `${label(chosen)} is the only template whose identify keywords were all found`;
  } else {
    const more = matched.length - 2;
    because = beats(chosen, matched[1]) + (more ? ` and ${more} other matching template${more > 1 ? 's' : ''}` : '');
  }
  return { chosen, candidates, because };
}
