import { Router, type Request, type Response } from 'express';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { authenticate, authenticatedClient } from './auth/authenticate';
import { TokenVerifier } from './auth/verify-token';
import { rateLimit, TokenBuckets } from './rate-limit';

/** Keys fetched from a jku or jwksUrl are refetched after this long, so that a key the issuer withdrew stops working. */
const JWKS_MAX_AGE_MS = 10 * 60 * 1000;

export interface ClientGuardDependencies {
  config: Config;
  logger: Logger;
  now: () => Date;
}

/**
 * What stands between a caller and the CDS endpoints: authentication (when required), then rate limiting
 * per authenticated issuer, or per IP address when nobody is authenticated. Logs the security posture once.
 */
export function clientGuards({ config, logger, now }: ClientGuardDependencies): Router {
  logAuthPosture(config, logger);
  const router = Router();
  const { auth } = config;
  if (auth.required) {
    const verifier = new TokenVerifier({
      issuers: auth.trust.issuers,
      clockSkewSeconds: auth.clockSkewSeconds,
      maxTokenAgeSeconds: auth.maxTokenAgeSeconds,
      replayCacheSize: auth.replayCacheSize,
      remoteKeys: { timeoutMs: auth.jwksTimeoutMs, minRefreshIntervalMs: auth.jwksMinRefreshIntervalMs, maxAgeMs: JWKS_MAX_AGE_MS },
      now,
    });
    router.use(authenticate(verifier, config.publicBaseUrl, logger));
  }
  if (config.rateLimit.perSecond > 0) router.use(rateLimit(new TokenBuckets(config.rateLimit), clientKey));
  return router;
}

function clientKey(req: Request, res: Response): string {
  const client = authenticatedClient(res);
  return client ? `issuer ${client.issuer.iss}` : `ip ${req.ip}`;
}

function logAuthPosture({ auth, mode }: Config, logger: Logger): void {
  if (!auth.required) {
    if (mode === 'production') {
      logger.warn(
        { event: 'auth-disabled', mode },
        'AUTHENTICATION IS DISABLED IN PRODUCTION (SPINE_CDS_AUTH=disabled): anyone who can reach this service can call it',
      );
    } else {
      logger.warn({ event: 'auth-disabled', mode }, 'authentication is disabled (development without a trust file)');
    }
    return;
  }
  for (const { iss, jwksFile } of auth.trust.skipped) {
    logger.warn({ event: 'auth-issuer-skipped', iss, jwksFile }, 'issuer left out: its jwksFile does not exist (for the development key: npm run mint-token)');
  }
  logger.info({ event: 'auth-required', trustFile: auth.trustFile, issuers: auth.trust.issuers.map((issuer) => issuer.iss) }, 'authentication required');
}
