import path from 'node:path';
import type { EnvReader } from '../../env-reader';
import { readTrustFile, type Trust } from './trust-file';
import { formatTrustProblem } from './trust-problem';

export interface AuthConfig {
  /** false only when SPINE_CDS_AUTH=disabled, or in development without a trust file. */
  required: boolean;
  /** SPINE_CDS_TRUST_FILE, resolved; undefined when none is configured. */
  trustFile?: string;
  trust: Trust;
  clockSkewSeconds: number;
  maxTokenAgeSeconds: number;
  replayCacheSize: number;
  jwksTimeoutMs: number;
  jwksMinRefreshIntervalMs: number;
}

/**
 * Secure by default: production requires authentication and so a trust file, unless explicitly
 * disabled; development requires it as soon as a trust file is given.
 */
export function readAuthConfig(read: EnvReader, problems: string[], mode: 'development' | 'production'): AuthConfig {
  const file = read.string('SPINE_CDS_TRUST_FILE', '');
  const trustFile = file === '' ? undefined : path.resolve(file);
  const required =
    read.oneOf(
      'SPINE_CDS_AUTH',
      ['required', 'disabled'] as const,
      mode === 'production' || trustFile ? 'required' : 'disabled',
    ) === 'required';
  let trust: Trust = { issuers: [], skipped: [] };
  if (trustFile) {
    const result = readTrustFile(trustFile, mode);
    trust = result.trust;
    problems.push(
      ...result.problems.map((problem) => `SPINE_CDS_TRUST_FILE ${trustFile}: ${formatTrustProblem(problem)}`),
    );
  } else if (required) {
    problems.push(
      mode === 'production'
        ? 'SPINE_CDS_TRUST_FILE: production requires authenticated callers; give the trust file listing the EHRs ' +
            'that may call (or set SPINE_CDS_AUTH=disabled, which is unsafe)'
        : 'SPINE_CDS_TRUST_FILE: SPINE_CDS_AUTH=required needs a trust file listing the issuers that may call',
    );
  }
  return {
    required,
    ...(trustFile ? { trustFile } : {}),
    trust,
    clockSkewSeconds: read.integer('SPINE_CDS_AUTH_CLOCK_SKEW_SECONDS', 30, 0, 300),
    maxTokenAgeSeconds: read.integer('SPINE_CDS_AUTH_MAX_TOKEN_AGE_SECONDS', 600, 30, 86400),
    replayCacheSize: read.integer('SPINE_CDS_AUTH_REPLAY_CACHE_SIZE', 100000, 100, 10000000),
    jwksTimeoutMs: read.integer('SPINE_CDS_JWKS_TIMEOUT_MS', 2000, 100, 30000),
    jwksMinRefreshIntervalMs: read.integer('SPINE_CDS_JWKS_MIN_REFRESH_INTERVAL_MS', 30000, 0, 3600000),
  };
}
