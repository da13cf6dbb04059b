import type { CommandContext } from './context.js';
import { listSchemas, getSchema } from '../schemas/registry.js';
import { toJsonSchema } from '../schemas/json-schema.js';

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
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return 0;
  }
  const c = ctx.color;
  ctx.stdout.write(`${c.bold(s.name)} v${s.version}: ${s.description}\n`);
  ctx.stdout.write(`key: ${s.key.join(' + ')} (unique per ${s.keyScope === 'file' ? 'file' : 'run'}) · formats: ${s.formats.join(', ')}\n\n`);
  const rows = s.fields.map((f) => [
    f.name,
    f.type === 'decimal' ? `decimal(${f.precision},${f.scale})` : f.type,
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
  return 0;
}
