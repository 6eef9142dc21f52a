import path from 'node:path';
import type { EnvReader } from '../env-reader';
import { PROJECT_ROOT } from '../project-root';

export interface LedgerConfig {
  /** false only with SPINE_CDS_LEDGER=off: no card is recorded and feedback is only logged. */
  enabled: boolean;
  /** SPINE_CDS_DATABASE_URL: PostgreSQL shared by every instance; undefined for the embedded file store. */
  databaseUrl?: string;
  /** Folder of the embedded store (SQLite file), used when no database URL is set. */
  dataDir: string;
  /** Cards and feedback older than this are pruned. */
  retentionDays: number;
  /** Secret of the pseudonymous patient key (HMAC-SHA256 of the patient id); undefined: no patient key at all. */
  patientKeySecret?: string;
  /** Whether the free-text userComment of an override is stored (it can contain patient data). */
  storeComments: boolean;
}

/** The ledger's settings; off means off everywhere (no folder is created, nothing is opened). */
export function readLedgerConfig(read: EnvReader, problems: string[]): LedgerConfig {
  const databaseUrl = read.string('SPINE_CDS_DATABASE_URL', '');
  if (databaseUrl !== '' && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // The URL can hold a password: name the variable, never echo the value.
    problems.push('SPINE_CDS_DATABASE_URL: expected a postgres:// or postgresql:// connection URL');
  }
  const patientKeySecret = read.string('SPINE_CDS_LEDGER_PATIENT_KEY_SECRET', '');
  if (patientKeySecret !== '' && patientKeySecret.length < 32) {
    problems.push('SPINE_CDS_LEDGER_PATIENT_KEY_SECRET: must be at least 32 characters (it keys an HMAC)');
  }
  return {
    enabled: read.oneOf('SPINE_CDS_LEDGER', ['on', 'off'] as const, 'on') === 'on',
    ...(databaseUrl !== '' ? { databaseUrl } : {}),
    dataDir: path.resolve(read.string('SPINE_CDS_DATA_DIR', path.join(PROJECT_ROOT, 'data'))),
    retentionDays: read.integer('SPINE_CDS_LEDGER_RETENTION_DAYS', 365, 1, 36500),
    ...(patientKeySecret !== '' ? { patientKeySecret } : {}),
    storeComments: read.oneOf('SPINE_CDS_FEEDBACK_COMMENTS', ['store', 'drop'] as const, 'drop') === 'store',
  };
}
