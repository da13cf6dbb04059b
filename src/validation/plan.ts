import type { SchemaSpec, Profile } from '../schemas/types.js';
import { aliasIndex, headerKey } from '../schemas/headers.js';
import { cellText } from '../schemas/normalize-field.js';
import type { Cell } from '../schemas/fields/fail.js';
import { problem, type Problem } from './problem.js';

/**
 * Everything a row processor needs to know about one file, decided once from its header.
 * Plain data, so it can be posted to worker threads.
 */
export interface FilePlan {
  schema: SchemaSpec;
  profile: Profile;
  /** Header texts by column index ('' for an unnamed column). */
  columns: string[];
  /** Per schema field (same order as schema.fields): its column, or -1. */
  fieldIndex: number[];
  /** Per schema field: the value used when it has no column (merchant id, default), else null. */
  constants: Array<string | null>;
  /** A required header is missing: rows are counted, none is valid, no per-row noise. */
  headerFatal: boolean;
  /** CSV rows must have the header's width (missing-cell / extra-cell). */
  strictCellCount: boolean;
  maxProblems: number;
  /** Build normalised output lines for valid rows. */
  emit: boolean;
  /** Written into every normalised row so the warehouse can trace it back. */
  sourceFile: string;
  sheet?: string;
  /**
   * The merchants whose rows this file may hold: the merchant it comes from (its folder's, or
   * --merchant) first, then those its source says it speaks for. Unset: any merchant.
   */
  merchants?: string[];
}

export interface PlanInput {
  schema: SchemaSpec;
  profile: Profile;
  headerCells: readonly Cell[];
  headerRow: number;
  merchantId?: string;
  /** Other merchants a file of `merchantId` may hold rows of (the source's speaksFor). */
  speaksFor?: string[];
  strictCellCount: boolean;
  maxProblems: number;
  emit: boolean;
  sourceFile: string;
  sheet?: string;
}

export function planFile(input: PlanInput): { plan: FilePlan; problems: Problem[] } {
  const { schema, profile, headerRow } = input;
  const index = aliasIndex(schema, profile);
  const columns = input.headerCells.map((c) => cellText(c).trim());
  // A header row often ends in empty cells; they do not widen the row.
  let width = columns.length;
  while (width > 0 && columns[width - 1] === '') width--;
  columns.length = width;
  const problems: Problem[] = [];
  const fieldIndex = schema.fields.map(() => -1);
  const position = new Map(schema.fields.map((f, i) => [f.name, i]));
  columns.forEach((text, col) => {
    if (text === '') return;
    const field = index.get(headerKey(text));
    if (field === undefined) {
      problems.push(problem('unknown-header', 'warning', headerRow, text, null, `column '${text}' is not part of ${schema.name}; it is ignored`));
      return;
    }
    const fi = position.get(field)!;
    if (fieldIndex[fi] >= 0) {
      problems.push(problem('duplicate-header', 'error', headerRow, text, field,
        `column '${text}' is ${field} again (already column '${columns[fieldIndex[fi]]}')`));
      return;
    }
    fieldIndex[fi] = col;
  });
  const constants = schema.fields.map((f) => f.default ?? null);
  let headerFatal = problems.some((p) => p.code === 'duplicate-header');
  schema.fields.forEach((f, i) => {
    if (f.name === 'merchant_id' && input.merchantId !== undefined && fieldIndex[i] < 0) constants[i] = input.merchantId;
    if (f.required && fieldIndex[i] < 0 && constants[i] === null) {
      headerFatal = true;
      const hint = f.name === 'merchant_id' ? '; pass --merchant ID or configure the source\'s merchantIdFrom' : '';
      problems.push(problem('missing-header', 'error', headerRow, null, f.name,
        `no column for required field ${f.name} (accepted headers: ${f.aliases.join(', ')})${hint}`));
    }
  });
  for (const rule of schema.rules ?? []) {
    if (rule.kind !== 'oneOf') continue;
    const idx = rule.fields.map((n) => position.get(n)!);
    if (idx.every((i) => fieldIndex[i] < 0 && constants[i] === null)) {
      headerFatal = true;
      const last = rule.fields[rule.fields.length - 1];
      problems.push(problem('missing-header', 'error', headerRow, null, last, `no column for ${rule.fields.join(' or ')}: ${rule.message}`));
    }
  }
  return {
    plan: {
      schema, profile, columns, fieldIndex, constants, headerFatal,
      strictCellCount: input.strictCellCount, maxProblems: input.maxProblems, emit: input.emit,
      sourceFile: input.sourceFile, sheet: input.sheet,
      ...(input.merchantId !== undefined ? { merchants: [input.merchantId, ...(input.speaksFor ?? [])] } : {}),
    },
    problems,
  };
}
