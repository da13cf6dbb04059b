import type { CommandContext } from './context.js';
import { listSchemas, getSchema } from '../schemas/registry.js';
import { toJsonSchema } from '../schemas/json-schema.js';
import { loadTemplates } from '../documents/templates/load.js';
import type { ClaimTemplate } from '../documents/templates/template.js';
import { claimLineFields } from '../schemas/builtin/claim-pdf.js';

export interface SchemasShowOptions { name: string; jsonSchema: boolean }

export async function schemasList(ctx: CommandContext): Promise<number> {
  const schemas = listSchemas();
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify(schemas.map((s) => ({
      name: s.name, version: s.version, description: s.description, formats: s.formats, fields: s.fields.length, key: s.key,
    })), null, 2) + '\n');
    return 0;
  }
  const c = ctx.color;
  const width = Math.max(...schemas.map((s) => s.name.length));
  for (const s of schemas) {
    ctx.stdout.write(`${c.bold(s.name.padEnd(width))}  v${s.version}  ${c.gray(s.formats.join(', ').padEnd(14))}  ${s.description}\n`);
  }
  return 0;
}

export async function schemasShow(opts: SchemasShowOptions, ctx: CommandContext): Promise<number> {
  const s = getSchema(opts.name);
  if (opts.jsonSchema) {
    ctx.stdout.write(JSON.stringify(toJsonSchema(s), null, 2) + '\n');
    return 0;
  }
  const templates = s.name === 'claim_pdf' ? loadTemplates(ctx.config().claimTemplates) : [];
  if (ctx.json) {
    const extra = s.name === 'claim_pdf' ? { lineFields: claimLineFields, templates: templates.map(templateSummary) } : {};
    ctx.stdout.write(JSON.stringify({ ...s, ...extra }, null, 2) + '\n');
    return 0;
  }
  const c = ctx.color;
  ctx.stdout.write(`${c.bold(s.name)} v${s.version}: ${s.description}\n`);
  ctx.stdout.write(`key: ${s.key.join(' + ')} (unique per ${s.keyScope === 'file' ? 'file' : 'run'}) · formats: ${s.formats.join(', ')}\n\n`);
  const rows = s.fields.map((f) => [
    f.name,
    // A text column's width is in UTF-8 bytes (Redshift counts VARCHAR(n) in bytes): é is 2, 漢 3.
    f.type === 'decimal' ? `decimal(${f.precision},${f.scale})`
      : f.maxBytes !== undefined ? `${f.type} (≤ ${f.maxBytes} bytes)` : f.type,
    f.required ? 'yes' : '',
    f.personal ? 'personal' : '',
    f.aliases.join(', '),
  ]);
  const head = ['field', 'type', 'required', 'privacy', 'header aliases'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  ctx.stdout.write(c.bold(line(head)) + '\n');
  for (const r of rows) ctx.stdout.write(line(r) + '\n');
  for (const rule of s.rules ?? []) ctx.stdout.write(c.gray(`rule: ${rule.message}\n`));
  if (s.name === 'claim_pdf') {
    ctx.stdout.write(`\nline items (claim_line): ${claimLineFields.map((f) => f.maxBytes !== undefined ? `${f.name} (≤ ${f.maxBytes} bytes)` : f.name).join(', ')}; their amounts must add up to claimed_amount (to 1 rupiah)\n`);
    ctx.stdout.write(`\n${c.bold('templates')} (the header aliases above are for listings; a PDF's labels come from its template):\n`);
    for (const t of templates) {
      const t2 = templateSummary(t);
      ctx.stdout.write(`  ${c.bold(t2.name.padEnd(20))} ${t2.locale}  ${t2.description ?? ''}\n`);
      ctx.stdout.write(c.gray(`  ${''.padEnd(20)} identified by ${t2.identify.map((k) => `'${k}'`).join(' + ')} · ${t2.source}\n`));
    }
  }
  return 0;
}

function templateSummary(t: ClaimTemplate) {
  return {
    name: t.name, description: t.description, identify: t.identify, locale: t.hints.locale, dateOrder: t.hints.dateOrder,
    fields: Object.keys(t.hints.fields), source: t.origin === 'built-in' ? 'built in' : t.source,
  };
}
