import type { RequestHandler } from 'express';
import { RULE_SET_VERSION_HEADER } from './headers';

/**
 * CORS for browser-based CDS clients (the CDS Hooks Sandbox): preflight and actual responses on every
 * endpoint, including feedback. `*` allows any origin (development only; config refuses it in production).
 */
export function cors(allowedOrigins: string[]): RequestHandler {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    // The answer depends on the origin whether or not it is allowed; a shared cache must not mix them up.
    if (!anyOrigin) res.vary('Origin');
    if (origin && (anyOrigin || allowed.has(origin))) {
      res.setHeader('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', `${RULE_SET_VERSION_HEADER}, Retry-After`);
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      // A preflight from an origin that is not allowed: answer without CORS headers so the browser blocks it.
      res.status(204).end();
      return;
    }
    next();
  };
}
