import type { Logger } from '../logger';
import type { LedgerConfig } from './ledger-config';
import type { LedgerStore } from './ledger-store';
import { openPostgres } from './postgres-driver';
import { SqlLedgerStore } from './sql-ledger-store';
import { openSqlite } from './sqlite-driver';

/** PostgreSQL when SPINE_CDS_DATABASE_URL is set, else the embedded file store; migrated before it is returned. */
export async function openLedgerStore(config: LedgerConfig, logger: Logger): Promise<LedgerStore> {
  const store = config.databaseUrl
    ? new SqlLedgerStore('postgres', openPostgres(config.databaseUrl, logger))
    : new SqlLedgerStore('embedded', openSqlite(config.dataDir));
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
