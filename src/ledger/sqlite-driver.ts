import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver } from './sql-driver';

/** How long a write waits for another process's (a cluster worker's) write lock before failing. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * The embedded store: one SQLite file under the data folder, in WAL mode so that the workers of
 * `node dist/src/cluster.js` can share it. synchronous=FULL: a commit is on disk before it returns, which is what
 * answering feedback with 200 promises.
 */
export function openSqlite(dataDir: string): SqlDriver {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'ledger.sqlite'), { timeout: BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const query: SqlDriver['query'] = async <Row>(sql: string, params: readonly unknown[] = []) => {
    const statement = prepared(sql);
    return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as Row[];
  };
  return {
    query,
    async migrationTransaction(work) {
      // IMMEDIATE takes the write lock at once, so two processes cannot both find a migration missing.
      db.exec('BEGIN IMMEDIATE');
      try {
        await work(query);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    async close() {
      db.close();
    },
  };
}
