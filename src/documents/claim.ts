import { pageSource, type DocumentPages } from './page.js';
import type { Reading, TemplateChoice } from './reading.js';
import type { Line } from './layout/line.js';
import { readClaim } from './read/read.js';
import type { Dictionary } from './read/dictionary.js';
import { buildLines, documentText } from './layout/lines.js';
import { judge, type GateContext, type Gated } from './gates.js';
import { maskFor, personalForms, type Mask } from './redact.js';
import type { Hints } from './templates/hints.js';
import { chooseTemplate } from './templates/choose.js';
import type { ClaimTemplate } from './templates/template.js';
import type { OcrSettings } from './words/ocr/ocr-page.js';

/**
 * One claim document from its pages to a verdict: the template that applies (if any) reads
 * it, the gates judge the reading. A built-in template whose reading fails the gates gives
 * way to the generic reader (a branch or a new layout of a known hospital can match a
 * built-in template's keywords); a template from the config or the command line is the
 * user's word and keeps its result. Pure and plain data in and out: it runs in the PDF
 * worker threads (files/pdf-worker.ts), where the words are.
 */
export interface Choice { chosen: { name: string; source: string; origin: 'config' | 'built-in' | 'file'; hints: Hints } | null; candidates: TemplateChoice[]; because: string }

export interface ClaimSetup {
  templates: ClaimTemplate[];
  dictionary?: Dictionary;
  /** How scans are read (config `claims.ocr`); absent: the defaults. */
  ocr?: OcrSettings;
}

export interface ClaimRead {
  reading: Reading;
  gated: Gated;
  /** Every form of the personal values read (the mask is rebuilt from them where needed: a function does not cross threads). */
  maskForms: string[];
}

export function readAndJudge(doc: DocumentPages, setup: ClaimSetup, ctx: Omit<GateContext, 'mask' | 'personal'>): ClaimRead {
  const lines: Line[][] = doc.pages.map(buildLines);
  const choice = chooseTemplate(documentText(lines), setup.templates);
  const attempt = (hints: Hints | null, because: string) => {
    const { reading, personal } = readClaim(doc, hints, { dictionary: setup.dictionary, candidates: choice.candidates, chosenBecause: because, lines });
    markOcr(doc, reading);
    const mask = maskFor(personal);
    return { reading, gated: judge(reading, { ...ctx, mask, personal }), maskForms: [...new Set(personal.flatMap((p) => personalForms(p.field, p.value)))] };
  };
  const first = attempt(choice.chosen?.hints ?? null, choice.because);
  if (!choice.chosen || choice.chosen.origin !== 'built-in' || first.gated.judgement.verdict === 'valid') return first;
  const generic = attempt(null, `built-in template '${choice.chosen.name}' matched, but its reading failed the checks (${first.gated.judgement.verdict}); the generic reader read it`);
  if (generic.gated.judgement.verdict !== 'valid') return first;
  generic.reading.fellBackFrom = choice.chosen.name;
  return generic;
}

/** Which values came from scanned pages: reports and explain say so, with the confidence. */
function markOcr(doc: DocumentPages, reading: Reading): void {
  reading.ocrPages = doc.pages.filter((p) => p.ocr).map((p) => ({ page: p.number, ...p.ocr! }));
  if (reading.ocrPages.length === 0) return;
  for (const f of Object.values(reading.fields)) if (f.at && f.value !== null && pageSource(doc, f.at.page) === 'ocr') f.ocr = true;
  for (const item of reading.items) if (item.from.some((w) => pageSource(doc, w.page) === 'ocr')) item.ocr = true;
}

export function maskOf(forms: string[]): Mask {
  return maskFor(forms.map((value) => ({ field: 'form', value })));
}
