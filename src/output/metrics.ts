import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The run's figures in Prometheus text exposition format, for node_exporter's textfile
 * collector: the file is replaced whole (temporary name in the same folder + rename), as
 * the collector's documentation asks, so a scrape never reads half of it.
 */
export interface Metric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Array<{ labels?: Record<string, string>; value: number }>;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function renderMetrics(metrics: Metric[]): string {
  const lines: string[] = [];
  for (const m of metrics) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(m.name)) throw new Error(`bad metric name ${m.name}`);
    lines.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`);
    for (const s of m.samples) {
      const labels = s.labels && Object.keys(s.labels).length
        ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
        : '';
      lines.push(`${m.name}${labels} ${formatValue(s.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * node_exporter runs as another user: the file is 0644 and the folders this creates for it
 * 0755, whatever the umask (077 in the CLI). The figures are counts, never data. Folders that
 * were there already keep their mode (they are someone's choice).
 */
export function writeMetricsFile(path: string, metrics: Metric[]): void {
  const file = resolve(path);
  const dir = dirname(file);
  const first = mkdirSync(dir, { recursive: true });
  if (first) for (let d = dir; ; d = dirname(d)) { chmodSync(d, 0o755); if (d === first || d === dirname(d)) break; }
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, renderMetrics(metrics));
  chmodSync(tmp, 0o644);
  renameSync(tmp, file);
}
