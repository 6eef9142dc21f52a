import type { SqlDriver } from './sql-driver';

/**
 * Versioned schema changes, applied in order at start-up and never edited once released: a change is a new entry.
 * Types and statements mean the same in SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT).
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; statements: string[] }> = [
  {
    version: 1,
    statements: [
      `CREATE TABLE ledger_cards (
        card_uuid TEXT PRIMARY KEY,
        suggestion_uuids TEXT NOT NULL,
        rule TEXT NOT NULL,
        rule_set_version TEXT NOT NULL,
        service TEXT NOT NULL,
        hook TEXT NOT NULL,
        indicator TEXT NOT NULL,
        issued_at BIGINT NOT NULL,
        issuer TEXT,
        tenant TEXT,
        patient_key TEXT
      )`,
      'CREATE INDEX ledger_cards_issued_at ON ledger_cards (issued_at)',
      `CREATE TABLE ledger_feedback (
        card_uuid TEXT NOT NULL,
        outcome TEXT NOT NULL,
        outcome_at BIGINT NOT NULL,
        accepted_suggestions TEXT NOT NULL,
        override_reason TEXT,
        comment TEXT,
        service TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        issuer TEXT,
        tenant TEXT,
        PRIMARY KEY (card_uuid, outcome, outcome_at)
      )`,
      'CREATE INDEX ledger_feedback_received_at ON ledger_feedback (received_at)',
    ],
  },
  {
    // Security state shared by instances (used with PostgreSQL only; see src/shared-state).
    version: 2,
    statements: [
      'CREATE TABLE auth_replay (token_key TEXT PRIMARY KEY, expires_at BIGINT NOT NULL)',
      'CREATE INDEX auth_replay_expires_at ON auth_replay (expires_at)',
      `CREATE TABLE rate_limit_buckets (
        bucket_key TEXT PRIMARY KEY,
        tokens DOUBLE PRECISION NOT NULL,
        updated_at BIGINT NOT NULL,
        allowed BOOLEAN NOT NULL
      )`,
    ],
  },
];

/** Applies what is missing, under the driver's migration lock, so concurrent instances apply each version once. */
export async function applyMigrations(driver: SqlDriver): Promise<void> {
  await driver.migrationTransaction(async (query) => {
    await query('CREATE TABLE IF NOT EXISTS ledger_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const applied = new Set(
      (await query<{ version: number | string }>('SELECT version FROM ledger_schema')).map((row) =>
        Number(row.version),
      ),
    );
    for (const migration of MIGRATIONS.filter(({ version }) => !applied.has(version))) {
      for (const statement of migration.statements) await query(statement);
      await query('INSERT INTO ledger_schema (version, applied_at) VALUES (?, ?)', [migration.version, Date.now()]);
    }
  });
}
