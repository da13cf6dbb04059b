import type { Problem } from '../validation/problem.js';

/**
 * What the gates (gates.ts) decide of a reading. A claim is `valid` only when every required
 * field was found, the items add up to the total, dates are in order and codes are valid;
 * `needs-review` when it fails because the reader is unsure (a required field not found, an
 * item row it could not complete); `invalid` when the document itself is wrong (a total that
 * does not add up, a discharge before the admission, a malformed code).
 */
export type Verdict = 'valid' | 'invalid' | 'needs-review';

export type CheckName = 'required' | 'values' | 'items' | 'total' | 'dates' | 'codes' | 'duplicate';

export interface Check {
  name: CheckName;
  ok: boolean;
  /** One line a person reads; personal values never appear in it. */
  detail: string;
  field?: string;
  page?: number;
}

/** A claim line in canonical form (claim_line), with the page it was printed on. */
export interface ClaimLine {
  page: number;
  line_no: string | null;
  description: string | null;
  quantity: string | null;
  unit_price: string | null;
  amount: string | null;
}

export interface Judgement {
  verdict: Verdict;
  checks: Check[];
  problems: Problem[];
  /** Canonical insurance_claim values by field (personal ones included: mask them before printing). */
  claim: Record<string, string | null>;
  lines: ClaimLine[];
}
