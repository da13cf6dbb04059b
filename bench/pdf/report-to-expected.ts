/**
 * fixtures/claims-pdf describes each case in a `<name>.report.json` (what `validate` must
 * report), older than `claims test`'s `<name>.expected.json`. The benchmark's accuracy table
 * converts them on the fly, into a temporary folder beside copies of the PDFs, rather than
 * keeping a second copy of every case's values in the repository. Pure.
 */
export interface FixtureReport {
  description?: string;
  problems?: Array<{ code: string }>;
  claim: Record<string, unknown> | null;
  personalFields?: string[];
  lines?: unknown[];
}

/**
 * The expected.json for a case, or null when nothing is read from it (an encrypted, scanned,
 * damaged or unknown file: no value to count right or wrong). `duplicate-key` is left out: it
 * is a check across the files of one run, which a document tested on its own cannot fail.
 */
export function expectedFromReport(report: FixtureReport): object | null {
  if (!report.claim) return null;
  const problems = [...new Set((report.problems ?? []).map((p) => p.code).filter((c) => c !== 'duplicate-key'))];
  const verdict = problems.length === 0 ? 'valid' : problems.includes('needs-review') ? 'needs-review' : 'invalid';
  return {
    ...(report.description ? { description: report.description } : {}),
    verdict, problems, claim: report.claim, personalFields: report.personalFields ?? [], lines: report.lines ?? [],
  };
}
