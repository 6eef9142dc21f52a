import type { RequestHandler } from 'express';

/**
 * For JSON answers: nothing may load, nothing may frame them. A route that serves HTML sets its own
 * Content-Security-Policy header, which replaces this default.
 */
export const JSON_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Headers every response carries. Cache-Control: CDS answers are about one patient at one moment. */
export function securityHeaders(publicBaseUrl: string): RequestHandler {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': JSON_CONTENT_SECURITY_POLICY,
    // Browsers honour HSTS only over https, and a service reached over plain http must not claim it.
    ...(publicBaseUrl.startsWith('https:') ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
  };
  return (_req, res, next) => {
    res.set(headers);
    next();
  };
}
