import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../errors.js';
import { parseTemplate, type ClaimTemplate, type TemplateOrigin } from './template.js';

/** Copied beside the compiled module by scripts/copy-assets.mjs. */
export const BUILTIN_TEMPLATE_DIR = fileURLToPath(new URL('./builtin/', import.meta.url));

const TEMPLATE_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** A file, or a folder's .yaml/.yml/.json files in name order. */
function templateFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new ConfigError(`claim template not found: ${path}`, { file: path });
  if (st.isDirectory()) {
    return readdirSync(path).filter((f) => TEMPLATE_EXTENSIONS.includes(extname(f))).sort().map((f) => join(path, f));
  }
  return [path];
}

function readTemplate(file: string, origin: TemplateOrigin): ClaimTemplate {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new ConfigError(`${file}: cannot read the claim template (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file, cause: e });
  }
  return parseTemplate(text, file, origin);
}

let builtin: ClaimTemplate[] | null = null;

/**
 * The built-in templates, then those named in the config (files or folders). A config
 * template with a built-in one's name replaces it; two config templates with one name are a
 * configuration error (which one was meant is not knowable).
 */
export function loadTemplates(configPaths: string[], opts: { builtins?: boolean } = {}): ClaimTemplate[] {
  const byName = new Map<string, ClaimTemplate>();
  if (opts.builtins ?? true) {
    builtin ??= templateFiles(BUILTIN_TEMPLATE_DIR).map((f) => readTemplate(f, 'built-in'));
    for (const t of builtin) byName.set(t.name, t);
  }
  for (const p of configPaths) {
    for (const f of templateFiles(p)) {
      const t = readTemplate(f, 'config');
      const before = byName.get(t.name);
      if (before?.origin === 'config' && before.source !== t.source) {
        throw new ConfigError(`${f}: claim template '${t.name}' is also defined in ${before.source}: give one of them another name`, { file: f });
      }
      byName.set(t.name, t);
    }
  }
  return [...byName.values()];
}

/** One template file given on the command line (`claims explain --template FILE`): it beats every other. */
export function loadTemplateFile(path: string): ClaimTemplate {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new ConfigError(`claim template not found: ${path}`, { file: path });
  if (st.isDirectory()) throw new ConfigError(`${path}: --template takes one template file, not a folder`, { file: path });
  return readTemplate(path, 'file');
}
