import type { CardRecord, FeedbackRecord, LedgerFigures, LedgerStore } from './ledger-store';
import { applyMigrations } from './migrations';
import type { SqlDriver } from './sql-driver';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
/** Monday 1970-01-05 00:00 UTC: weeks are counted from it. */
const FIRST_MONDAY_MS = 4 * 24 * 60 * 60 * 1000;
/** Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters. */
const ROWS_PER_INSERT = 500;

const CARD_COLUMNS = [
  'card_uuid',
  'suggestion_uuids',
  'rule',
  'rule_set_version',
  'service',
  'hook',
  'indicator',
  'issued_at',
  'issuer',
  'tenant',
  'patient_key',
];
const FEEDBACK_COLUMNS = [
  'card_uuid',
  'outcome',
  'outcome_at',
  'accepted_suggestions',
  'override_reason',
  'comment',
  'service',
  'received_at',
  'issuer',
  'tenant',
];

const hasFeedback = (outcome: string) =>
  `EXISTS (SELECT 1 FROM ledger_feedback f WHERE f.card_uuid = c.card_uuid AND f.outcome = '${outcome}')`;

/** The ledger over any SqlDriver: the same statements for the embedded store and PostgreSQL. */
export class SqlLedgerStore implements LedgerStore {
  constructor(
    readonly kind: LedgerStore['kind'],
    private readonly driver: SqlDriver,
  ) {}

  migrate(): Promise<void> {
    return applyMigrations(this.driver);
  }

  async recordCards(cards: readonly CardRecord[]): Promise<void> {
    await this.insert(
      'ledger_cards',
      CARD_COLUMNS,
      cards.map((card) => [
        card.cardUuid,
        JSON.stringify(card.suggestionUuids),
        card.rule,
        card.ruleSetVersion,
        card.service,
        card.hook,
        card.indicator,
        card.issuedAt,
        card.issuer ?? null,
        card.tenant ?? null,
        card.patientKey ?? null,
      ]),
    );
  }

  async recordFeedback(entries: readonly FeedbackRecord[]): Promise<void> {
    await this.insert(
      'ledger_feedback',
      FEEDBACK_COLUMNS,
      entries.map((entry) => [
        entry.cardUuid,
        entry.outcome,
        entry.outcomeAt,
        JSON.stringify(entry.acceptedSuggestions),
        entry.overrideReason ?? null,
        entry.comment ?? null,
        entry.service,
        entry.receivedAt,
        entry.issuer ?? null,
        entry.tenant ?? null,
      ]),
    );
  }

  async figures(sinceMs: number): Promise<LedgerFigures> {
    const query = this.driver.query;
    const weeks = await query<Record<string, string | number>>(
      `SELECT rule, rule_set_version, (issued_at - ${FIRST_MONDAY_MS}) / ${WEEK_MS} AS week, COUNT(*) AS shown,
        SUM(CASE WHEN ${hasFeedback('accepted')} THEN 1 ELSE 0 END) AS accepted,
        SUM(CASE WHEN ${hasFeedback('overridden')} AND NOT ${hasFeedback('accepted')} THEN 1 ELSE 0 END) AS overridden
      FROM ledger_cards c WHERE issued_at >= ?
      GROUP BY 1, 2, 3
      ORDER BY 1, 3, 2`,
      [sinceMs],
    );
    const reasons = await query<Record<string, string | number | null>>(
      `SELECT c.rule, c.rule_set_version, f.override_reason, COUNT(DISTINCT f.card_uuid) AS cards
      FROM ledger_feedback f JOIN ledger_cards c ON c.card_uuid = f.card_uuid
      WHERE f.outcome = 'overridden' AND c.issued_at >= ?
      GROUP BY 1, 2, 3
      ORDER BY 1, 4 DESC`,
      [sinceMs],
    );
    const [feedback] = await query<Record<string, string | number>>(
      `SELECT COUNT(*) AS entries,
        SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM ledger_cards c WHERE c.card_uuid = f.card_uuid)
          THEN 1 ELSE 0 END) AS unmatched
      FROM ledger_feedback f WHERE received_at >= ?`,
      [sinceMs],
    );
    return {
      cardWeeks: weeks.map((row) => ({
        rule: String(row.rule),
        ruleSetVersion: String(row.rule_set_version),
        weekStart: FIRST_MONDAY_MS + Number(row.week) * WEEK_MS,
        shown: Number(row.shown),
        accepted: Number(row.accepted),
        overridden: Number(row.overridden),
      })),
      overrideReasons: reasons.map((row) => ({
        rule: String(row.rule),
        ruleSetVersion: String(row.rule_set_version),
        ...(row.override_reason !== null ? { reason: String(row.override_reason) } : {}),
        cards: Number(row.cards),
      })),
      feedbackEntries: Number(feedback?.entries ?? 0),
      unmatchedFeedback: Number(feedback?.unmatched ?? 0),
    };
  }

  async cardRules(cardUuids: readonly string[]): Promise<Map<string, string>> {
    if (cardUuids.length === 0) return new Map();
    const rows = await this.driver.query<{ card_uuid: string; rule: string }>(
      `SELECT card_uuid, rule FROM ledger_cards WHERE card_uuid IN (${cardUuids.map(() => '?').join(', ')})`,
      cardUuids,
    );
    return new Map(rows.map((row) => [row.card_uuid, row.rule]));
  }

  async prune(beforeMs: number): Promise<number> {
    const cards = await this.driver.query('DELETE FROM ledger_cards WHERE issued_at < ? RETURNING 1', [beforeMs]);
    const feedback = await this.driver.query('DELETE FROM ledger_feedback WHERE received_at < ? RETURNING 1', [
      beforeMs,
    ]);
    return cards.length + feedback.length;
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  /** Multi-row INSERTs; a row already there (same key: an EHR retry, a replayed write) is left as it is. */
  private async insert(table: string, columns: string[], rows: unknown[][]): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + ROWS_PER_INSERT);
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      await this.driver.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ` +
          'ON CONFLICT DO NOTHING',
        chunk.flat(),
      );
    }
  }
}
