import path from 'node:path';
import { readAuthConfig, type AuthConfig } from './http/auth/auth-config';
import type { RateLimitConfig } from './http/rate-limit';
import { PROJECT_ROOT } from './project-root';

/** Every setting of the service. Read once at start-up from the environment; see README "Configuration". */
export interface Config {
  mode: 'development' | 'production';
  host: string;
  port: number;
  /** The URL clients use to reach this service (behind a proxy it differs from host:port). */
  publicBaseUrl: string;
  rulesDir: string;
  valueSetsDir: string;
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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Parses the environment into a Config, collecting every problem before failing. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const mode = read.oneOf('SPINE_CDS_MODE', ['development', 'production'] as const, 'development');
  const port = read.integer('PORT', 8080, 0, 65535);
  const config: Config = {
    mode,
    host: read.string('HOST', '0.0.0.0'),
    port,
    publicBaseUrl: read.url('SPINE_CDS_PUBLIC_BASE_URL', `http://localhost:${port}`).replace(/\/+$/, ''),
    rulesDir: path.resolve(read.string('SPINE_CDS_RULES_DIR', path.join(PROJECT_ROOT, 'rules'))),
    valueSetsDir: path.resolve(read.string('SPINE_CDS_VALUESETS_DIR', path.join(PROJECT_ROOT, 'fhir-profiles', 'valuesets'))),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    bodyLimitBytes: read.integer('SPINE_CDS_BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    maxJsonDepth: read.integer('SPINE_CDS_MAX_JSON_DEPTH', 64, 8, 1000),
    fhirDeadlineMs: read.integer('SPINE_CDS_FHIR_DEADLINE_MS', 1500, 50, 60000),
    fhirMaxPages: read.integer('SPINE_CDS_FHIR_MAX_PAGES', 20, 1, 1000),
    fhirMaxResponseBytes: read.integer('SPINE_CDS_FHIR_MAX_RESPONSE_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    fhirServerAllowlist: read.list('SPINE_CDS_FHIR_SERVERS', []).map((entry) => read.checkUrl('SPINE_CDS_FHIR_SERVERS', entry)),
    corsOrigins: read.list('SPINE_CDS_CORS_ORIGINS', mode === 'development' ? ['*'] : []).map((origin) => read.checkOrigin('SPINE_CDS_CORS_ORIGINS', origin)),
    shutdownGraceMs: read.integer('SPINE_CDS_SHUTDOWN_GRACE_MS', 10000, 0, 120000),
    auth: readAuthConfig(read, problems, mode),
    rateLimit: {
      perSecond: read.integer('SPINE_CDS_RATE_LIMIT_PER_SECOND', mode === 'production' ? 100 : 0, 0, 1000000),
      burst: read.integer('SPINE_CDS_RATE_LIMIT_BURST', 200, 1, 1000000),
    },
  };
  if (config.mode === 'production' && config.corsOrigins.includes('*')) {
    problems.push('SPINE_CDS_CORS_ORIGINS: "*" is only allowed in development mode; list the allowed origins');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name}: expected a whole number from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  list(name: string, fallback: string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  }

  url(name: string, fallback: string): string {
    const value = this.raw(name);
    return value === undefined ? fallback : this.checkUrl(name, value);
  }

  /** A browser sends its origin as scheme://host[:port], nothing more: anything else would never match. */
  checkOrigin(name: string, value: string): string {
    if (value === '*') return value;
    try {
      if (new URL(value).origin === value) return value;
    } catch {
      // reported below
    }
    this.problems.push(`${name}: "${value}" is not an origin (scheme://host[:port], no path or trailing slash)`);
    return value;
  }

  checkUrl(name: string, value: string): string {
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      this.problems.push(`${name}: "${value}" is not an absolute http(s) URL`);
    }
    return value;
  }
}
