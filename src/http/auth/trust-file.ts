import fs from 'node:fs';
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { FHIR_VERSIONS, type FhirVersion } from '../../fhir/fhir-version';
import { readJsonFile } from '../../json-file';
import { isObject, type JsonObject } from '../../json-value';
import { publicJwksProblems } from './public-jwks';
import type { TrustProblem } from './trust-problem';

/** What a client must send when its issuer configures no algorithms: the two CDS Hooks recommends. */
export const DEFAULT_ALGORITHMS = ['ES384', 'RS384'];

/**
 * Public-key JWS algorithms an issuer may opt into. Never `none`; never HMAC, whose secret would let its holder forge
 * calls.
 */
const CONFIGURABLE_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
];

const FILE_FIELDS = ['description', 'developmentOnly', 'issuers'];
const ISSUER_FIELDS = [
  'description',
  'iss',
  'jwks',
  'jwksFile',
  'jwksUrl',
  'allowedJku',
  'algorithms',
  'tenants',
  'fhirServers',
  'fhirVersion',
  'skipWhenJwksFileMissing',
];

export interface TrustedIssuer {
  iss: string;
  /** Pinned keys (`jwks` or `jwksFile`): used as they are and never fetched, whatever the token's `jku` says. */
  jwks?: JSONWebKeySet;
  /** Where the keys are fetched from when the token names no `jku`. Normalised (URL.href), as is allowedJku. */
  jwksUrl?: string;
  /** `jku` values a token may name; fetched only when the issuer has no pinned keys. */
  allowedJku: string[];
  algorithms: string[];
  /** When set, the token's `tenant` claim must be one of these. */
  tenants?: string[];
  /** FHIR servers this issuer's calls may make the service read; undefined means SPINE_CDS_FHIR_SERVERS. */
  fhirServers?: string[];
  /** Pins the FHIR version of this issuer's data, instead of reading it from its servers' CapabilityStatements. */
  fhirVersion?: FhirVersion;
}

export interface Trust {
  issuers: TrustedIssuer[];
  /** Issuers left out because their `jwksFile` does not exist yet and they said that is fine (development keys). */
  skipped: Array<{ iss: string; jwksFile: string }>;
}

/**
 * Reads and validates a trust file (see README "Trust file"), collecting every problem with its code and the path of
 * the field at fault. `production` refuses development-only files and non-https URLs.
 */
export function readTrustFile(
  file: string,
  mode: 'development' | 'production',
): { trust: Trust; problems: TrustProblem[] } {
  const problems: TrustProblem[] = [];
  const trust: Trust = { issuers: [], skipped: [] };
  const root = readJson(file, '', problems);
  if (root === undefined) return { trust, problems };
  if (!isObject(root)) {
    const message = 'must be a JSON object: { "issuers": [ ... ] }';
    return { trust, problems: [{ code: 'invalid-value', path: '', message }] };
  }
  const check = new TrustChecker(problems, mode, path.dirname(file));
  check.knownFields(root, FILE_FIELDS, '');
  if (root.developmentOnly !== undefined && typeof root.developmentOnly !== 'boolean')
    check.problem('developmentOnly', 'invalid-value', 'must be true or false');
  if (root.developmentOnly === true && mode === 'production') {
    const message = 'this trust file is marked for development only and is refused in production';
    check.problem('developmentOnly', 'development-only', message);
  }
  if (!Array.isArray(root.issuers) || root.issuers.length === 0) {
    check.problem('issuers', 'invalid-value', 'must be a non-empty array of issuers');
    return { trust, problems };
  }
  root.issuers.forEach((value: unknown, index: number) => {
    const field = `issuers[${index}]`;
    if (!isObject(value)) {
      check.problem(field, 'invalid-value', 'must be an object');
      return;
    }
    const issuer = check.issuer(value, field);
    if (issuer === 'skipped') trust.skipped.push({ iss: value.iss as string, jwksFile: value.jwksFile as string });
    else if (issuer && trust.issuers.some((other) => other.iss === issuer.iss))
      check.problem(`${field}.iss`, 'duplicate-name', `"${issuer.iss}" is listed twice`);
    else if (issuer) trust.issuers.push(issuer);
  });
  return { trust, problems };
}

/**
 * Reads a JSON file, or records why not at `field` (the field naming the file; '' for the trust file itself), e.g.
 * `file.json is not valid JSON: … at line 3, column 5`.
 */
function readJson(file: string, field: string, problems: TrustProblem[]): unknown {
  const { value, problem } = readJsonFile(file, file);
  if (problem) problems.push({ code: problem.code, path: field, message: `${problem.file} ${problem.message}` });
  return value;
}

class TrustChecker {
  constructor(
    private readonly problems: TrustProblem[],
    private readonly mode: 'development' | 'production',
    private readonly baseDir: string,
  ) {}

  problem(field: string, code: TrustProblem['code'], message: string): undefined {
    this.problems.push({ code, path: field, message });
    return undefined;
  }

  /** Unknown fields are refused: a misspelt `tenants` would otherwise silently allow every tenant. */
  knownFields(value: JsonObject, allowed: string[], parent: string): void {
    for (const name of Object.keys(value)) {
      if (!allowed.includes(name))
        this.problem(
          parent ? `${parent}.${name}` : name,
          'unknown-field',
          `unknown field; expected one of ${allowed.join(', ')}`,
        );
    }
  }

  issuer(value: JsonObject, field: string): TrustedIssuer | 'skipped' | undefined {
    const before = this.problems.length;
    this.knownFields(value, ISSUER_FIELDS, field);
    const iss = this.text(value.iss, `${field}.iss`);
    const keySources = ['jwks', 'jwksFile', 'jwksUrl'].filter((name) => value[name] !== undefined);
    if (keySources.length > 1)
      this.problem(field, 'several-key-sources', `give one of ${keySources.join(', ')}, not several`);
    const skip =
      this.skipWhenMissing(value, field) &&
      typeof value.jwksFile === 'string' &&
      !fs.existsSync(path.resolve(this.baseDir, value.jwksFile));
    const jwks = skip ? undefined : this.pinnedKeys(value, field);
    const jwksUrl = value.jwksUrl === undefined ? undefined : this.url(value.jwksUrl, `${field}.jwksUrl`, 'keys');
    const allowedJku = value.allowedJku === undefined ? [] : this.urls(value.allowedJku, `${field}.allowedJku`, 'keys');
    if (keySources.length === 0 && allowedJku?.length === 0) {
      this.problem(field, 'no-keys', 'has no keys: give jwks, jwksFile, jwksUrl or allowedJku');
    }
    const algorithms =
      value.algorithms === undefined ? DEFAULT_ALGORITHMS : this.algorithms(value.algorithms, `${field}.algorithms`);
    const tenants = value.tenants === undefined ? undefined : this.texts(value.tenants, `${field}.tenants`);
    const fhirServers =
      value.fhirServers === undefined ? undefined : this.urls(value.fhirServers, `${field}.fhirServers`, 'fhirBase');
    const fhirVersion =
      value.fhirVersion === undefined ? undefined : this.fhirVersion(value.fhirVersion, `${field}.fhirVersion`);
    if (this.problems.length > before || iss === undefined || allowedJku === undefined || algorithms === undefined)
      return undefined;
    if (skip) return 'skipped';
    return {
      iss,
      ...(jwks ? { jwks } : {}),
      ...(jwksUrl ? { jwksUrl } : {}),
      allowedJku,
      algorithms,
      ...(tenants ? { tenants } : {}),
      ...(fhirServers ? { fhirServers } : {}),
      ...(fhirVersion ? { fhirVersion } : {}),
    };
  }

  private fhirVersion(value: unknown, field: string): FhirVersion | undefined {
    if (typeof value === 'string' && (FHIR_VERSIONS as readonly string[]).includes(value)) return value as FhirVersion;
    const versions = FHIR_VERSIONS.map((version) => `"${version}"`).join(', ');
    return this.problem(field, 'invalid-value', `must be one of ${versions}`);
  }

  private skipWhenMissing(value: JsonObject, field: string): boolean {
    const flag = value.skipWhenJwksFileMissing;
    if (flag === undefined) return false;
    if (typeof flag !== 'boolean')
      return this.problem(`${field}.skipWhenJwksFileMissing`, 'invalid-value', 'must be true or false') ?? false;
    if (flag && value.jwksFile === undefined)
      return (
        this.problem(`${field}.skipWhenJwksFileMissing`, 'inapplicable-field', 'only applies with jwksFile') ?? false
      );
    if (flag && this.mode === 'production') {
      return (
        this.problem(
          `${field}.skipWhenJwksFileMissing`,
          'development-only',
          'is for development key files; in production a missing key file is an error',
        ) ?? false
      );
    }
    return flag;
  }

  private pinnedKeys(value: JsonObject, field: string): JSONWebKeySet | undefined {
    if (value.jwks !== undefined) return this.jwks(value.jwks, `${field}.jwks`);
    return value.jwksFile === undefined ? undefined : this.jwksFile(value.jwksFile, `${field}.jwksFile`);
  }

  private jwks(value: unknown, field: string): JSONWebKeySet | undefined {
    const problems = publicJwksProblems(value, field);
    this.problems.push(...problems);
    return problems.length === 0 ? (value as JSONWebKeySet) : undefined;
  }

  private jwksFile(value: unknown, field: string): JSONWebKeySet | undefined {
    const file = this.text(value, field);
    if (file === undefined) return undefined;
    const contents = readJson(path.resolve(this.baseDir, file), field, this.problems);
    return contents === undefined ? undefined : this.jwks(contents, field);
  }

  private text(value: unknown, field: string): string | undefined {
    if (typeof value !== 'string' || value.trim() === '')
      return this.problem(field, 'invalid-value', 'must be a non-empty string');
    return value;
  }

  private texts(value: unknown, field: string): string[] | undefined {
    if (!Array.isArray(value) || value.length === 0)
      return this.problem(field, 'invalid-value', 'must be a non-empty array of strings');
    const items = value.map((item: unknown, index: number) => this.text(item, `${field}[${index}]`));
    return items.every((item) => item !== undefined) ? (items as string[]) : undefined;
  }

  /** A key set URL is compared as a whole; a FHIR base URL is a prefix, so it may carry no query. */
  private url(value: unknown, field: string, kind: 'keys' | 'fhirBase'): string | undefined {
    const text = this.text(value, field);
    if (text === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return this.problem(field, 'invalid-url', `"${text}" is not an absolute URL`);
    }
    if (url.protocol !== 'https:' && (this.mode === 'production' || url.protocol !== 'http:')) {
      return this.problem(
        field,
        'insecure-url',
        `"${text}" must use https${this.mode === 'production' ? ' in production' : ' (or http in development)'}`,
      );
    }
    if (url.username || url.password)
      return this.problem(field, 'invalid-url', `"${text}" must not contain credentials`);
    if (kind === 'keys') return url.href;
    if (url.search || url.hash)
      return this.problem(field, 'invalid-url', `"${text}" must be a base URL, without query or fragment`);
    return text.replace(/\/+$/, '');
  }

  private urls(value: unknown, field: string, kind: 'keys' | 'fhirBase'): string[] | undefined {
    if (!Array.isArray(value)) return this.problem(field, 'invalid-value', 'must be an array of URLs');
    const items = value.map((item: unknown, index: number) => this.url(item, `${field}[${index}]`, kind));
    return items.every((item) => item !== undefined) ? (items as string[]) : undefined;
  }

  private algorithms(value: unknown, field: string): string[] | undefined {
    const names = this.texts(value, field);
    const bad = names?.find((name) => !CONFIGURABLE_ALGORITHMS.includes(name));
    if (bad !== undefined)
      return this.problem(
        field,
        'disallowed-algorithm',
        `"${bad}" is not allowed; choose from ${CONFIGURABLE_ALGORITHMS.join(', ')}`,
      );
    return names;
  }
}
