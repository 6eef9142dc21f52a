import { Pool } from 'pg';
import type { Logger } from '../logger';
import type { SqlDriver } from './sql-driver';

/** Any number that other users of the database are unlikely to pick: the key of the migration lock. */
const MIGRATION_LOCK = 7_140_613;

/**
 * PostgreSQL through a small pool. Connection and query timeouts are short: a feedback call waits on the store and
 * must get its 503 (and the EHR its Retry-After) quickly when the database is away.
 */
export function openPostgres(connectionString: string, logger: Logger): SqlDriver {
  const pool = new Pool({
    connectionString,
    max: 5,
    connectionTimeoutMillis: 2000,
    query_timeout: 5000,
    idleTimeoutMillis: 30000,
  });
  // An idle connection that the server drops (restart, failover) must not take the process down.
  pool.on('error', (error) =>
    logger.warn({ event: 'ledger-connection-lost', error: error.message }, 'a PostgreSQL connection was lost'),
  );
  const query: SqlDriver['query'] = async <Row>(sql: string, params: readonly unknown[] = []) =>
    (await pool.query(numberPlaceholders(sql), params as unknown[])).rows as Row[];
  return {
    query,
    async migrationTransaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await work(
          async <Row>(sql: string, params: readonly unknown[] = []) =>
            (await client.query(numberPlaceholders(sql), params as unknown[])).rows as Row[],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** `?` → `$1`, `$2`, … (the ledger's SQL has no other question marks). */
function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
