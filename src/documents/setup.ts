import type { HaloConfig } from '../config/types.js';
import { loadTemplates } from '../schemas/claim-template.js';
import { fromOld } from './templates/interim.js';
import { DICTIONARY, extendDictionary } from './read/dictionary.js';
import type { ClaimSetup } from './claim.js';

/**
 * The claim reader as the config sets it up: the templates (built in, the config's, and
 * files named on the command line, which win) and the dictionary with the config's labels.
 * Plain data: it goes to the PDF worker threads with each document.
 */
export function claimReaderFor(config: HaloConfig, opts: { templateFiles?: string[]; templates?: boolean } = {}): ClaimSetup {
  const dictionary = extendDictionary(DICTIONARY, config.claims?.labels);
  if (opts.templates === false) return { dictionary, templates: [] };
  const templates = loadTemplates([...config.claimTemplates, ...(opts.templateFiles ?? [])]).map(fromOld);
  return { dictionary, templates };
}
