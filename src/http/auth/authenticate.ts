import type { RequestHandler, Response } from 'express';
import type { Logger } from '../../logger';
import { authReasonClass, authRejections } from '../../metrics';
import { SharedStateUnavailableError } from '../../shared-state/postgres-security-state';
import { HttpError } from '../../cds/protocol/operation-outcome';
import { AuthFailure, unverifiedIdentity, type AuthenticatedClient, type TokenVerifier } from './verify-token';

const CLIENT = 'authenticatedClient';

/** The verified caller of this request, or undefined when authentication is disabled. */
export function authenticatedClient(res: Response): AuthenticatedClient | undefined {
  return res.locals[CLIENT] as AuthenticatedClient | undefined;
}

/**
 * Requires a valid bearer JWT. The expected `aud` is the URL the client called: the public base URL (what the
 * client sees behind a proxy) plus the path. Any failure is a bare 401, as CDS Hooks asks; the reason goes
 * to one log line, never the token.
 */
export function authenticate(verifier: TokenVerifier, publicBaseUrl: string, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    // Preflights carry no credentials; the CORS middleware answers them.
    if (req.method === 'OPTIONS') {
      next();
      return;
    }
    const token = /^Bearer +([^\s]+) *$/i.exec(req.headers.authorization ?? '')?.[1];
    const path = req.originalUrl.split('?')[0];
    const audience = publicBaseUrl + path;
    try {
      if (token === undefined)
        throw new AuthFailure(req.headers.authorization ? 'authorization is not a bearer token' : 'no bearer token');
      res.locals[CLIENT] = await verifier.verify(token, audience);
    } catch (error) {
      // A token that cannot be checked for replay is not accepted, and the client is told to come back.
      if (error instanceof SharedStateUnavailableError)
        throw new HttpError(
          503,
          [{ message: 'authentication is unavailable just now; retry later', problem: 'try-again-later' }],
          {
            'Retry-After': '5',
          },
        );
      if (!(error instanceof AuthFailure)) throw error;
      authRejections.inc({ reason: authReasonClass(error.reason) });
      logger.warn(
        {
          event: 'auth-rejected',
          method: req.method,
          path,
          reason: error.reason,
          // What the service expects beside what the token claims (iss, aud): behind an ingress, a wrong
          // SPINE_CDS_PUBLIC_BASE_URL shows here as an aud mismatch on every call.
          expectedAud: audience,
          expectedIss: verifier.trustedIssuers(),
          ...(token ? unverifiedIdentity(token) : {}),
        },
        'request rejected: authentication failed',
      );
      res.status(401).setHeader('WWW-Authenticate', 'Bearer').end();
      return;
    }
    next();
  };
}
