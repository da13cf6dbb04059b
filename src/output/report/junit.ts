import type { ValidateReport } from '../../files/file-outcome.js';
import { displayPath } from './paths.js';
import { escapeXml } from './escape.js';
import { problemLocation } from './location.js';

/** JUnit XML from the same report: a testsuite per file holding one test case for that file. */
export function renderJunit(report: ValidateReport): string {
  const s = report.summary;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = report.files.reduce((t, f) => t + f.durationMs, 0);
  out.push(`<testsuites name="halo-data validate" tests="${s.files}" failures="${s.invalidFiles}" errors="0" time="${seconds(total)}">`);
  for (const f of report.files) {
    const path = escapeXml(displayPath(f.path));
    const failed = f.errorCount > 0;
    out.push(`  <testsuite name="${path}" tests="1" failures="${failed ? 1 : 0}" errors="0" skipped="0" time="${seconds(f.durationMs)}">`);
    out.push(`    <properties><property name="schema" value="${escapeXml(f.schema ?? '')}"/><property name="rows" value="${f.rows}"/>`
      + `<property name="validRows" value="${f.validRows}"/><property name="warnings" value="${f.warningCount}"/>`
      // The sheet read, as the text report names it beside the file; problems name other sheets themselves.
      + `${f.sheet !== undefined ? `<property name="sheet" value="${escapeXml(f.sheet)}"/>` : ''}</properties>`);
    out.push(`    <testcase classname="halo-data.validate.${escapeXml(f.schema ?? 'unknown')}" name="${path}" time="${seconds(f.durationMs)}">`);
    if (failed) {
      const body = f.problems.filter((p) => p.severity === 'error')
        .map((p) => `${problemLocation(p, f).label} ${p.code}: ${p.message}`).join('\n');
      const more = f.truncated ? `\n… ${f.errorCount + f.warningCount - f.problems.length} more not shown (--max-errors ${f.problems.length})` : '';
      out.push(`      <failure type="invalid-data" message="${f.errorCount} error${f.errorCount === 1 ? '' : 's'}">${escapeXml(body + more)}</failure>`);
    }
    const warnings = f.problems.filter((p) => p.severity === 'warning');
    if (warnings.length) {
      out.push(`      <system-out>${escapeXml(warnings.map((p) => `warning ${problemLocation(p, f).label} ${p.code}: ${p.message}`).join('\n'))}</system-out>`);
    }
    out.push('    </testcase>');
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
