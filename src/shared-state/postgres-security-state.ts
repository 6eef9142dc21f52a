import type { Logger } from '../logger';
import type { RateLimitConfig } from '../http/rate-limit';
import { applyMigrations } from '../ledger/migrations';
import { openPostgres } from '../ledger/postgres-driver';
import type { SqlDriver } from '../ledger/sql-driver';

/** The shared store could not answer: a token cannot be checked for replay, so it is not accepted (503). */
export class SharedStateUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the shared security state is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SharedStateUnavailableError';
  }
}

/** Expired token ids and idle buckets are deleted this often, by every instance (a cheap indexed DELETE). */
const SWEEP_INTERVAL_MS = 60_000;
/** A bucket untouched this long is full again whatever its rate, so it can go. */
const IDLE_BUCKET_MS = 60 * 60 * 1000;
/** The database's clock, in epoch milliseconds: one clock for every instance. */
const DB_NOW = '(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT';

/**
 * The jti replay cache and the rate-limit token buckets in PostgreSQL, so that a token is accepted once across
 * every instance and a client's limit is the same whichever instance it reaches. One round trip per check.
 */
export class PostgresSecurityState {
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly driver: SqlDriver,
    private readonly logger: Logger,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  static async open(databaseUrl: string, logger: Logger): Promise<PostgresSecurityState> {
    const driver = openPostgres(databaseUrl, logger);
    await applyMigrations(driver);
    return new PostgresSecurityState(driver, logger);
  }

  /** The replay check of TokenVerifier: undefined when the id is new (or its previous use has expired). */
  async remember(id: string, expiresAtMs: number): Promise<'replayed' | undefined> {
    let rows: unknown[];
    try {
      rows = await this.driver.query(
        `INSERT INTO auth_replay AS r (token_key, expires_at) VALUES (?, ?)
        ON CONFLICT (token_key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE r.expires_at <= ${DB_NOW}
        RETURNING 1`,
        [id, expiresAtMs],
      );
    } catch (error) {
      throw new SharedStateUnavailableError(error);
    }
    return rows.length === 1 ? undefined : 'replayed';
  }

  /** Token buckets under one name (`ip`, `client`) with their own rate; same contract as TokenBuckets. */
  buckets(name: string, config: RateLimitConfig): { take(key: string): Promise<number> } {
    return { take: (key) => this.take(`${name} ${key}`, config) };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.driver.close();
  }

  /**
   * Takes a token: 0 when the request may proceed, else whole seconds to wait. The refill and the take are one
   * atomic upsert. When the database cannot answer, the request is let through (and that is logged): a limit
   * is a protection against floods, not an authorisation.
   */
  private async take(key: string, { perSecond, burst }: RateLimitConfig): Promise<number> {
    const refilled = `LEAST(?, b.tokens + GREATEST(0, ${DB_NOW} - b.updated_at) / 1000.0 * ?)`;
    try {
      const [row] = await this.driver.query<{ tokens: number; allowed: boolean }>(
        `INSERT INTO rate_limit_buckets AS b (bucket_key, tokens, updated_at, allowed) VALUES (?, ?, ${DB_NOW}, TRUE)
        ON CONFLICT (bucket_key) DO UPDATE SET
          tokens = ${refilled} - CASE WHEN ${refilled} >= 1 THEN 1 ELSE 0 END,
          allowed = ${refilled} >= 1,
          updated_at = ${DB_NOW}
        RETURNING tokens, allowed`,
        [key, burst - 1, burst, perSecond, burst, perSecond, burst, perSecond],
      );
      return row.allowed ? 0 : Math.ceil((1 - Number(row.tokens)) / perSecond);
    } catch (error) {
      this.logger.warn(
        { event: 'rate-limit-store-failed', reason: error instanceof Error ? error.message : String(error) },
        'rate limit not checked: the shared store did not answer; the request is let through',
      );
      return 0;
    }
  }

  private async sweep(): Promise<void> {
    try {
      await this.driver.query(`DELETE FROM auth_replay WHERE expires_at <= ${DB_NOW}`);
      await this.driver.query(`DELETE FROM rate_limit_buckets WHERE updated_at < ${DB_NOW} - ?`, [IDLE_BUCKET_MS]);
    } catch {
      // the next sweep tries again; a check that needs the store reports the outage
    }
  }
}
