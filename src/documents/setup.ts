import type { HaloConfig } from '../config/types.js';
import { loadTemplates, loadTemplateFile } from './templates/load.js';
import { chooseTemplate } from './templates/choose.js';
import { DICTIONARY, extendDictionary, type Dictionary } from './read/dictionary.js';
import type { Choice } from './claim.js';

/**
 * The claim reader as the config sets it up: the templates (built in, the config's, and
 * files named on the command line, which win) and the dictionary with the config's labels.
 */
export interface ClaimReaderSetup {
  chooseTemplate: (text: string) => Choice;
  dictionary: Dictionary;
}

export function claimReaderFor(config: HaloConfig, opts: { templateFiles?: string[]; builtins?: boolean; templates?: boolean } = {}): ClaimReaderSetup {
  const dictionary = extendDictionary(DICTIONARY, config.claims?.labels);
  if (opts.templates === false) return { dictionary, chooseTemplate: () => ({ chosen: null, candidates: [], because: 'templates are off (--no-templates): the generic reader' }) };
  // Loaded once: every document of the run is matched against the same list.
  const templates = [
    ...loadTemplates(config.claimTemplates, { builtins: opts.builtins }),
    ...(opts.templateFiles ?? []).map(loadTemplateFile),
  ];
  return { dictionary, chooseTemplate: (text) => chooseTemplate(text, templates) };
}
