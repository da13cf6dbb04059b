import type { ClaimResult } from '../read-file.js';

/** What explain and claims test render: one document as read-file.ts read it (a type import only: the renderers stay pure). */
export type ClaimResultLike = Pick<ClaimResult, 'reading' | 'failure' | 'judgement' | 'mask'>;

/** A document's outcome in one word: the verdict, or `unreadable` when nothing could be read. */
export function outcomeOf(r: Pick<ClaimResultLike, 'judgement'>): string {
  return r.judgement?.verdict ?? 'unreadable';
}
