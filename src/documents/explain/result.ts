import type { ProblemCode } from '../../validation/problem.js';
import type { Reading } from '../reading.js';
import type { Judgement } from '../verdict.js';

/**
 * What explain and claims test need of one read document: the shape of read-file.ts's
 * ClaimResult (structural, so the renderers and compare() stay pure and testable with a
 * hand-made value).
 */
export interface ClaimResultLike {
  reading: Reading | null;
  failure?: { code: ProblemCode; message: string };
  judgement: Judgement | null;
  mask: (text: string) => string;
}

/** A document's outcome in one word: the verdict, or `unreadable` when nothing could be read. */
export function outcomeOf(r: Pick<ClaimResultLike, 'judgement'>): string {
  return r.judgement?.verdict ?? 'unreadable';
}
