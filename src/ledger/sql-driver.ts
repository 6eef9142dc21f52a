/**
 * The little a SQL store needs from a database: queries with `?` placeholders, and a lock held while the schema
 * is migrated. The SQL in src/ledger is written to mean the same in SQLite and PostgreSQL.
 */
export interface SqlDriver {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction that no other instance's migration can run beside. */
  migrationTransaction(work: (query: SqlDriver['query']) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
