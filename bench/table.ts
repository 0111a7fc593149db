// The one table a run prints (and docs/BENCHMARKS.md shows).
import type { ScenarioResult } from './result';

const fmt = (n: number | null, digits = 2) => (n === null ? '-' : Number.isInteger(n) ? String(n) : n.toFixed(digits));

export function renderTable(results: ScenarioResult[]): string {
  const rows = [
    ['scenario', 'unit', 'charcha', 'baseline', 'baseline is', 'ratio', 'target', 'held'],
    ...results.map((r) => [
      r.scenario,
      r.metric,
      fmt(r.charcha),
      fmt(r.baseline),
      r.baselineName,
      r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
      r.target?.text ?? '-',
      r.held === null ? (r.note ? r.note : '-') : r.held ? 'held' : 'MISSED',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell + ' '.repeat(widths[c]! - [...cell].length)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
