import type { HaloConfig } from '../config/types.js';
import { loadTemplates, loadTemplateFile } from './templates/load.js';
import { DICTIONARY, extendDictionary } from './read/dictionary.js';
import type { ClaimSetup } from './claim.js';
import { DEFAULT_OCR } from './words/ocr/ocr-page.js';

/**
 * The claim reader as the config sets it up: the templates (built in, the config's, and
 * files named on the command line, which win) and the dictionary with the config's labels.
 * Plain data: it goes to the PDF worker threads with each document.
 */
export function claimReaderFor(config: HaloConfig, opts: { templateFiles?: string[]; builtins?: boolean; templates?: boolean } = {}): ClaimSetup {
  const dictionary = extendDictionary(DICTIONARY, config.claims?.labels);
  const ocr = { dpi: config.claims?.ocr?.dpi ?? DEFAULT_OCR.dpi, languages: config.claims?.ocr?.languages ?? DEFAULT_OCR.languages };
  if (opts.templates === false) return { dictionary, templates: [], ocr };
  // Loaded once: every document of the run is matched against the same list.
  const templates = [
    ...loadTemplates(config.claimTemplates, { builtins: opts.builtins }),
    ...(opts.templateFiles ?? []).map(loadTemplateFile),
  ];
  return { dictionary, templates, ocr };
}
