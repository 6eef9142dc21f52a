import { ConfigError, loadConfig } from '../config';
import { analyticsReport, type AnalyticsReport, type Counts } from '../ledger/analytics';
import { openLedgerStore } from '../ledger/open-store';
import { createLogger } from '../logger';

const FORMATS = ['table', 'csv', 'json'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_DAYS = 90;
const COLUMNS = ['rule', 'ruleSetVersion', 'shown', 'accepted', 'overridden', 'noResponse', 'acceptanceRate'] as const;

/**
 * `spine-cds feedback report [--since DATE] [--format table|csv|json]`: the figures of GET /rules/analytics from the
 * store the service is configured with (SPINE_CDS_DATABASE_URL, else the embedded store under SPINE_CDS_DATA_DIR).
 * Exit code 0, 1 when the store cannot be read, 2 for misuse.
 */
export async function feedbackReport(flags: Record<string, string>, now = new Date()): Promise<number> {
  const format = flags.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format)) return misuse(`--format must be one of ${FORMATS.join(', ')}`);
  const since = flags.since === undefined ? new Date(now.getTime() - DEFAULT_DAYS * DAY_MS) : new Date(flags.since);
  if (Number.isNaN(since.getTime())) return misuse('--since must be a date such as 2026-01-31');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return misuse(error.message);
    throw error;
  }
  if (!config.ledger.enabled) return misuse('the card ledger is off (SPINE_CDS_LEDGER=off): nothing to report');
  let report: AnalyticsReport;
  try {
    const store = await openLedgerStore(config.ledger, createLogger('silent'));
    try {
      report = await analyticsReport(store, since);
    } finally {
      await store.close();
    }
  } catch (error) {
    process.stderr.write(
      `The ledger store cannot be read: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  process.stdout.write(`${format === 'json' ? JSON.stringify(report, null, 2) : render(report, format)}\n`);
  return 0;
}

type Row = Record<(typeof COLUMNS)[number], string>;

/** One row per rule (all versions), then one per rule-set version of it. */
function rows(report: AnalyticsReport): Row[] {
  const row = (rule: string, version: string, counts: Counts): Row => ({
    rule,
    ruleSetVersion: version,
    shown: String(counts.shown),
    accepted: String(counts.accepted),
    overridden: String(counts.overridden),
    noResponse: String(counts.noResponse),
    acceptanceRate: counts.acceptanceRate === null ? '' : String(counts.acceptanceRate),
  });
  return report.rules.flatMap((rule) => [
    row(rule.rule, 'all', rule),
    ...rule.versions.map((version) => row(rule.rule, version.ruleSetVersion, version)),
  ]);
}

function render(report: AnalyticsReport, format: string): string {
  const table = rows(report);
  if (format === 'csv')
    return [COLUMNS.join(','), ...table.map((row) => COLUMNS.map((c) => csvCell(row[c])).join(','))].join('\n');
  const widths = COLUMNS.map((column) => Math.max(column.length, ...table.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [
    `Cards since ${report.since.slice(0, 10)} (${report.store} store); ` +
      `${report.feedbackEntries} feedback entries, ${report.unmatchedFeedback} about unknown cards.`,
    '',
    line([...COLUMNS]),
    ...table.map((row) => line(COLUMNS.map((column) => row[column]))),
  ].join('\n');
}

/** Rule names and versions are plain, but a cell is quoted whenever it could break the row. */
function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function misuse(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}
