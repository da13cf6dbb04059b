import type { DocumentPages } from './page.js';
import type { Reading, TemplateChoice } from './reading.js';
import { readClaim } from './read/read.js';
import type { Dictionary } from './read/dictionary.js';
import { documentText } from './layout/lines.js';
import { buildLines } from './layout/lines.js';
import { judge, type GateContext, type Gated } from './gates.js';
import { maskFor, type Mask } from './redact.js';
import type { Hints } from './templates/hints.js';

/**
 * One claim document from its pages to a verdict: the template that applies (if any) reads
 * it, the gates judge the reading. A built-in template whose reading fails the gates gives
 * way to the generic reader (a branch or a new layout of a known hospital can match a
 * built-in template's keywords); a template from the config or the command line is the
 * user's word and keeps its result.
 */
export interface TemplateForReading { name: string; source: string; origin: 'config' | 'built-in' | 'file'; hints: Hints }
export interface Choice { chosen: TemplateForReading | null; candidates: TemplateChoice[]; because: string }

export interface ClaimRead {
  reading: Reading;
  gated: Gated;
  mask: Mask;
}

export function readAndJudge(doc: DocumentPages, choose: (text: string) => Choice, ctx: Omit<GateContext, 'mask' | 'personal'>, dictionary?: Dictionary): ClaimRead {
  const text = documentText(doc.pages.map(buildLines));
  const choice = choose(text);
  const attempt = (hints: Hints | null, because: string) => {
    const { reading, personal } = readClaim(doc, hints, { dictionary, candidates: choice.candidates, chosenBecause: because });
    const mask = maskFor(personal);
    return { reading, mask, gated: judge(reading, { ...ctx, mask, personal }) };
  };
  const first = attempt(choice.chosen?.hints ?? null, choice.because);
  if (!choice.chosen || choice.chosen.origin !== 'built-in' || first.gated.judgement.verdict === 'valid') return first;
  const generic = attempt(null, `built-in template '${choice.chosen.name}' matched, but its reading failed the checks (${first.gated.judgement.verdict}); the generic reader read it`);
  if (generic.gated.judgement.verdict !== 'valid') return first;
  generic.reading.fellBackFrom = choice.chosen.name;
  return generic;
}
