import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { authenticate, authenticatedClient } from './auth/authenticate';
import { TokenVerifier } from './auth/verify-token';
import type { PostgresSecurityState } from '../shared-state/postgres-security-state';
import { addressKey, rateLimit, TokenBuckets, type RateLimitBuckets, type RateLimitConfig } from './rate-limit';

/**
 * Keys fetched from a jku or jwksUrl are refetched after this long, so that a key the issuer withdrew stops
 * working.
 */
const JWKS_MAX_AGE_MS = 10 * 60 * 1000;

export interface ClientGuardDependencies {
  config: Config;
  logger: Logger;
  now: () => Date;
  /** Replay cache and rate-limit buckets shared by every instance; by default they live in this process. */
  sharedState?: PostgresSecurityState;
}

/**
 * What stands between a caller and the CDS endpoints. With authentication required: rate limiting per IP
 * address (before any token is looked at, so that tokens claiming a trusted issuer cannot make the service
 * verify signatures without limit), then authentication, then rate limiting per authenticated issuer.
 * Without: rate limiting per IP address. Logs the security posture once.
 */
export function clientGuards({ config, logger, now, sharedState }: ClientGuardDependencies): Router {
  logAuthPosture(config, logger);
  const buckets = (name: string, limit: RateLimitConfig): RateLimitBuckets =>
    sharedState ? sharedState.buckets(name, limit) : new TokenBuckets(limit);
  const router = Router();
  const { auth } = config;
  const limitsByAddress = auth.required ? config.ipRateLimit.perSecond > 0 : config.rateLimit.perSecond > 0;
  if (limitsByAddress && config.trustProxy === false) router.use(warnOnceAboutForwardedFor(logger));
  if (auth.required) {
    if (config.ipRateLimit.perSecond > 0)
      router.use(rateLimit(buckets('ip', config.ipRateLimit), (req) => addressKey(req.ip)));
    const verifier = new TokenVerifier({
      issuers: auth.trust.issuers,
      clockSkewSeconds: auth.clockSkewSeconds,
      maxTokenAgeSeconds: auth.maxTokenAgeSeconds,
      replayCacheSize: auth.replayCacheSize,
      ...(sharedState ? { replay: sharedState } : {}),
      remoteKeys: {
        timeoutMs: auth.jwksTimeoutMs,
        minRefreshIntervalMs: auth.jwksMinRefreshIntervalMs,
        maxAgeMs: JWKS_MAX_AGE_MS,
      },
      now,
    });
    router.use(authenticate(verifier, config.publicBaseUrl, logger));
  }
  if (config.rateLimit.perSecond > 0) router.use(rateLimit(buckets('client', config.rateLimit), clientKey));
  return router;
}

function clientKey(req: Request, res: Response): string {
  const client = authenticatedClient(res);
  return client ? `issuer ${client.issuer.iss}` : addressKey(req.ip);
}

/**
 * Behind a proxy that SPINE_CDS_TRUST_PROXY does not name, every client has the proxy's address and so
 * shares one rate limit. Says so once, the first time a request arrives with X-Forwarded-For.
 */
function warnOnceAboutForwardedFor(logger: Logger): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.headers['x-forwarded-for'] !== undefined) {
      warned = true;
      logger.warn(
        { event: 'trust-proxy-unset', ip: req.ip },
        'a request came with X-Forwarded-For but SPINE_CDS_TRUST_PROXY is false: ' +
          'rate limits count every client behind a proxy as the proxy; ' +
          'if this service is behind one, set SPINE_CDS_TRUST_PROXY',
      );
    }
    next();
  };
}

function logAuthPosture({ auth, mode }: Config, logger: Logger): void {
  if (!auth.required) {
    if (mode === 'production') {
      logger.warn(
        { event: 'auth-disabled', mode },
        'AUTHENTICATION IS DISABLED IN PRODUCTION (SPINE_CDS_AUTH=disabled): ' +
          'anyone who can reach this service can call it',
      );
    } else {
      logger.warn({ event: 'auth-disabled', mode }, 'authentication is disabled (development without a trust file)');
    }
    return;
  }
  for (const { iss, jwksFile } of auth.trust.skipped) {
    logger.warn(
      { event: 'auth-issuer-skipped', iss, jwksFile },
      'issuer left out: its jwksFile does not exist (for the development key: npm run mint-token)',
    );
  }
  logger.info(
    { event: 'auth-required', trustFile: auth.trustFile, issuers: auth.trust.issuers.map((issuer) => issuer.iss) },
    'authentication required',
  );
}
