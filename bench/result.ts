// One scenario's outcome: Charcha's figure beside its baseline's, the ratio, and the target.

export interface Target {
  /** As written in the table, e.g. "≤ 1.5x bare". */
  text: string;
  /** The ratio charcha/baseline must stay at or below this, or at or above `atLeast`. */
  atMost?: number;
  atLeast?: number;
}

export interface ScenarioResult {
  scenario: string;
  /** What the figure is, e.g. "p99 latency (ms)". */
  metric: string;
  charcha: number | null;
  baseline: number | null;
  baselineName: string;
  /** charcha / baseline. */
  ratio: number | null;
  target: Target | null;
  /** null when there is no target or nothing to compare. */
  held: boolean | null;
  settings: Record<string, unknown>;
  /** Further figures (other percentiles, counts) for the JSON file. */
  detail?: Record<string, unknown>;
  note?: string;
}

export function compare(
  r: Omit<ScenarioResult, 'ratio' | 'held'>,
): ScenarioResult {
  const ratio = r.charcha !== null && r.baseline !== null && r.baseline !== 0 ? r.charcha / r.baseline : null;
  let held: boolean | null = null;
  if (r.target && ratio !== null) {
    held = (r.target.atMost === undefined || ratio <= r.target.atMost) && (r.target.atLeast === undefined || ratio >= r.target.atLeast);
  }
  return { ...r, ratio, held };
}
