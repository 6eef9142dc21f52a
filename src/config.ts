import net from 'node:net';
import path from 'node:path';
import { EnvReader, type Env } from './env-reader';
import { readAuthConfig, type AuthConfig } from './http/auth/auth-config';
import type { RateLimitConfig } from './http/rate-limit';
import { readLedgerConfig, type LedgerConfig } from './ledger/ledger-config';
import { PROJECT_ROOT } from './project-root';
import { DEFAULT_PROFILE, unknownProfile } from './rules/profiles';

/** Every setting of the service. Read once at start-up from the environment; see README "Configuration". */
export interface Config {
  mode: 'development' | 'production';
  host: string;
  port: number;
  /** The URL clients use to reach this service (behind a proxy it differs from host:port). */
  publicBaseUrl: string;
  rulesDir: string;
  valueSetsDir: string;
  /** The rule profile served: `default`, or a folder under rules/profiles (src/rules/profiles.ts). */
  rulesProfile: string;
  /** Every this many seconds the rule files' content hash is compared with the live set's (0: file events only). */
  rulesPollSeconds: number;
  logLevel: string;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
  /** Deepest accepted JSON nesting of a request body. */
  maxJsonDepth: number;
  /** One deadline for all FHIR reads a hook call makes when prefetch is incomplete. */
  fhirDeadlineMs: number;
  fhirMaxPages: number;
  fhirMaxResponseBytes: number;
  /** Base URLs of FHIR servers the service may call when no trust file says otherwise. */
  fhirServerAllowlist: string[];
  /** Allowed browser origins; `*` allows any (development only). */
  corsOrigins: string[];
  shutdownGraceMs: number;
  /** Who may call: JWT verification and the trust file (src/http/auth). */
  auth: AuthConfig;
  /** Per client: the authenticated issuer, or the IP address when authentication is disabled. */
  rateLimit: RateLimitConfig;
  /**
   * Per IP address, before authentication (only when it is required), so that tokens claiming a trusted
   * issuer cannot make the service verify signatures without limit.
   */
  ipRateLimit: RateLimitConfig;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For is believed when working out the client's IP. */
  trustProxy: TrustProxy;
  /** The card ledger and its store (src/ledger). */
  ledger: LedgerConfig;
  /** Where the jti replay cache and rate-limit buckets live: this process, or PostgreSQL shared by all instances. */
  sharedState: 'process' | 'postgres';
  /** Port of the separate Prometheus listener (GET /metrics); 0: no metrics listener. */
  metricsPort: number;
}

/**
 * The safe subset of Express's `trust proxy`: off, the number of proxies in front of the service, or the
 * proxies' addresses (IP, CIDR, or `loopback` / `linklocal` / `uniquelocal`). Never `true`, which would believe
 * any client's X-Forwarded-For and so let it choose the address its rate limit is counted under.
 */
export type TrustProxy = false | number | string[];

/** More proxies than this in front of one service is a typo, not a deployment. */
const MAX_PROXY_HOPS = 16;
const NAMED_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment into a Config, collecting every problem before failing. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const mode = read.oneOf('SPINE_CDS_MODE', ['development', 'production'] as const, 'development');
  const port = read.integer('PORT', 8080, 0, 65535);
  const rateLimit: RateLimitConfig = {
    perSecond: read.integer('SPINE_CDS_RATE_LIMIT_PER_SECOND', mode === 'production' ? 100 : 0, 0, 1000000),
    burst: read.integer('SPINE_CDS_RATE_LIMIT_BURST', 200, 1, 1000000),
  };
  const config: Config = {
    mode,
    host: read.string('HOST', '0.0.0.0'),
    port,
    publicBaseUrl: read.url('SPINE_CDS_PUBLIC_BASE_URL', `http://localhost:${port}`).replace(/\/+$/, ''),
    rulesDir: path.resolve(read.string('SPINE_CDS_RULES_DIR', path.join(PROJECT_ROOT, 'rules'))),
    valueSetsDir: path.resolve(
      read.string('SPINE_CDS_VALUESETS_DIR', path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets')),
    ),
    rulesProfile: read.string('SPINE_CDS_RULES_PROFILE', DEFAULT_PROFILE),
    rulesPollSeconds: read.integer('SPINE_CDS_RULES_POLL_SECONDS', 10, 0, 86400),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    bodyLimitBytes: read.integer('SPINE_CDS_BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    maxJsonDepth: read.integer('SPINE_CDS_MAX_JSON_DEPTH', 64, 8, 1000),
    fhirDeadlineMs: read.integer('SPINE_CDS_FHIR_DEADLINE_MS', 1500, 50, 60000),
    fhirMaxPages: read.integer('SPINE_CDS_FHIR_MAX_PAGES', 20, 1, 1000),
    fhirMaxResponseBytes: read.integer('SPINE_CDS_FHIR_MAX_RESPONSE_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    fhirServerAllowlist: read
      .list('SPINE_CDS_FHIR_SERVERS', [])
      .map((entry) => read.checkUrl('SPINE_CDS_FHIR_SERVERS', entry)),
    corsOrigins: read
      .list('SPINE_CDS_CORS_ORIGINS', mode === 'development' ? ['*'] : [])
      .map((origin) => read.checkOrigin('SPINE_CDS_CORS_ORIGINS', origin)),
    shutdownGraceMs: read.integer('SPINE_CDS_SHUTDOWN_GRACE_MS', 10000, 0, 120000),
    auth: readAuthConfig(read, problems, mode),
    rateLimit,
    ipRateLimit: {
      perSecond: read.integer('SPINE_CDS_IP_RATE_LIMIT_PER_SECOND', rateLimit.perSecond, 0, 1000000),
      burst: read.integer('SPINE_CDS_IP_RATE_LIMIT_BURST', rateLimit.burst, 1, 1000000),
    },
    trustProxy: readTrustProxy(read, problems),
    ledger: readLedgerConfig(read, problems),
    metricsPort: read.integer('SPINE_CDS_METRICS_PORT', 0, 0, 65535),
    sharedState: read.oneOf(
      'SPINE_CDS_SHARED_STATE',
      ['process', 'postgres'] as const,
      read.isSet('SPINE_CDS_DATABASE_URL') ? 'postgres' : 'process',
    ),
  };
  const profileProblem = unknownProfile(config.rulesDir, config.rulesProfile, 'SPINE_CDS_RULES_PROFILE');
  if (profileProblem) problems.push(profileProblem);
  if (config.sharedState === 'postgres' && !config.ledger.databaseUrl) {
    problems.push('SPINE_CDS_SHARED_STATE: "postgres" needs SPINE_CDS_DATABASE_URL');
  }
  if (config.mode === 'production' && config.corsOrigins.includes('*')) {
    problems.push('SPINE_CDS_CORS_ORIGINS: "*" is only allowed in development mode; list the allowed origins');
  }
  if (config.mode === 'production') {
    // Caught here rather than when a hook call names the server: a start-up error is seen, a 412 may not be.
    for (const entry of config.fhirServerAllowlist.filter((server) => URL.parse(server)?.protocol === 'http:')) {
      problems.push(`SPINE_CDS_FHIR_SERVERS: "${entry}" must use https in production`);
    }
  }
  if (config.auth.required && port === 0 && !read.isSet('SPINE_CDS_PUBLIC_BASE_URL')) {
    problems.push(
      'SPINE_CDS_PUBLIC_BASE_URL: must be set when PORT=0 and authentication is required: ' +
        "a token's aud names the URL the client calls, " +
        'which the default (http://localhost:$PORT) cannot be when the port is chosen at start-up',
    );
  } else if (config.auth.required && mode === 'production' && !read.isSet('SPINE_CDS_PUBLIC_BASE_URL')) {
    problems.push(
      'SPINE_CDS_PUBLIC_BASE_URL: must be set in production when authentication is required: ' +
        "a token's aud names the URL the EHR calls (behind an ingress, not http://localhost:$PORT), " +
        'so without it every token would be refused',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readTrustProxy(read: EnvReader, problems: string[]): TrustProxy {
  const name = 'SPINE_CDS_TRUST_PROXY';
  const value = read.string(name, 'false');
  if (value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') {
    problems.push(
      `${name}: "true" would believe any client's X-Forwarded-For ` +
        '(so a client could pick the address it is rate-limited under); ' +
        'give the number of proxies in front of the service, or their addresses',
    );
    return false;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops <= MAX_PROXY_HOPS) return hops === 0 ? false : hops;
    problems.push(
      `${name}: expected false, a number of proxies from 0 to ${MAX_PROXY_HOPS}, or proxy addresses; got "${value}"`,
    );
    return false;
  }
  const entries = read
    .list(name, [])
    .map((entry) => (NAMED_PROXY_RANGES.includes(entry.toLowerCase()) ? entry.toLowerCase() : entry));
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (bad.length > 0) {
    problems.push(
      `${name}: ${bad.map((entry) => `"${entry}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} ` +
        'not a proxy address; ' +
        'expected false, a number of proxies, or a comma-separated list of IP addresses, CIDR ranges (not /0) ' +
        `and ${NAMED_PROXY_RANGES.join(', ')}`,
    );
    return false;
  }
  return entries;
}

/** An IP address, a CIDR range narrower than everything, or one of Express's named ranges. */
function isProxyAddress(entry: string): boolean {
  if (NAMED_PROXY_RANGES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0 || address.includes('%')) return false;
  if (prefix === undefined) return true;
  // A /0 range trusts every address: the same as `true`.
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}
