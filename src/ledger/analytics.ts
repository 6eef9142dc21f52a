import type { CardWeekCounts, LedgerFigures, LedgerStore } from './ledger-store';

/** Cards and what clinicians did with them. */
export interface Counts {
  shown: number;
  accepted: number;
  /** Overridden and never accepted. */
  overridden: number;
  noResponse: number;
  /** accepted / (accepted + overridden): among cards a clinician responded to; null when none was. */
  acceptanceRate: number | null;
}

export interface RuleAnalytics extends Counts {
  rule: string;
  overrideReasons: Array<{ reason: string | null; cards: number }>;
  /** Oldest week first; a threshold change shows as a new rule-set version from its week on. */
  weeks: Array<Counts & { weekStart: string }>;
  versions: Array<Counts & { ruleSetVersion: string }>;
}

export interface AnalyticsReport {
  since: string;
  store: LedgerStore['kind'];
  feedbackEntries: number;
  /** Feedback about cards the ledger does not know (older than retention, another deployment). */
  unmatchedFeedback: number;
  rules: RuleAnalytics[];
}

/** Per-rule figures since a date: the override analytics of GET /rules/analytics and `spine-cds feedback report`. */
export async function analyticsReport(store: LedgerStore, since: Date): Promise<AnalyticsReport> {
  return shapeReport(await store.figures(since.getTime()), store.kind, since);
}

function shapeReport(figures: LedgerFigures, store: LedgerStore['kind'], since: Date): AnalyticsReport {
  const byRule = groupBy(figures.cardWeeks, (row) => row.rule);
  return {
    since: since.toISOString(),
    store,
    feedbackEntries: figures.feedbackEntries,
    unmatchedFeedback: figures.unmatchedFeedback,
    rules: [...byRule].map(([rule, rows]) => ({
      rule,
      ...counts(rows),
      overrideReasons: sumBy(
        figures.overrideReasons.filter((row) => row.rule === rule),
        (row) => row.reason ?? null,
        (row) => row.cards,
      ).map(([reason, cards]) => ({ reason, cards })),
      weeks: [...groupBy(rows, (row) => row.weekStart)]
        .sort(([a], [b]) => a - b)
        .map(([weekStart, week]) => ({ weekStart: new Date(weekStart).toISOString().slice(0, 10), ...counts(week) })),
      versions: [...groupBy(rows, (row) => row.ruleSetVersion)].map(([ruleSetVersion, version]) => ({
        ruleSetVersion,
        ...counts(version),
      })),
    })),
  };
}

function counts(rows: readonly CardWeekCounts[]): Counts {
  const shown = rows.reduce((sum, row) => sum + row.shown, 0);
  const accepted = rows.reduce((sum, row) => sum + row.accepted, 0);
  const overridden = rows.reduce((sum, row) => sum + row.overridden, 0);
  const responded = accepted + overridden;
  return {
    shown,
    accepted,
    overridden,
    noResponse: shown - responded,
    acceptanceRate: responded === 0 ? null : Math.round((accepted / responded) * 1000) / 1000,
  };
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

/** Totals per key, largest first. */
function sumBy<T, K>(rows: readonly T[], key: (row: T) => K, value: (row: T) => number): Array<[K, number]> {
  return [...groupBy(rows, key)]
    .map(([k, group]): [K, number] => [k, group.reduce((sum, row) => sum + value(row), 0)])
    .sort((a, b) => b[1] - a[1]);
}
