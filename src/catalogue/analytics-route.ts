import type { RequestHandler } from 'express';
import { analyticsReport } from '../ledger/analytics';
import type { CardLedger } from '../ledger/card-ledger';
import { HttpError } from '../cds/protocol/operation-outcome';
import type { RuleSetHolder } from '../rules/rule-set-holder';
import { CATALOGUE_CSP } from './catalogue-route';
import { analyticsHtml } from './render-analytics';

/** The period shown when the request names none. */
const DEFAULT_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * GET /rules/analytics: HTML (the catalogue's style and CSP), or JSON with ?format=json or
 * Accept: application/json.
 */
export function analyticsHandler(
  ledger: CardLedger | undefined,
  ruleSets: Pick<RuleSetHolder, 'current'>,
  now: () => Date,
): RequestHandler {
  return async (req, res) => {
    if (!ledger)
      throw new HttpError(404, [
        {
          field: 'url',
          message: 'the card ledger is off (SPINE_CDS_LEDGER=off): no analytics',
          problem: 'feature-off',
        },
      ]);
    const since = parseSince(req.query.since, now());
    const report = await analyticsReport(ledger.store, since).catch(() => {
      throw new HttpError(
        503,
        [{ message: 'the ledger store is unavailable; retry later', problem: 'try-again-later' }],
        {
          'Retry-After': '5',
        },
      );
    });
    const wantsJson =
      req.query.format === 'json' || req.accepts(['text/html', 'application/json']) === 'application/json';
    if (wantsJson) {
      res.json(report);
      return;
    }
    res.setHeader('Content-Security-Policy', CATALOGUE_CSP);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.send(analyticsHtml(report, ruleSets.current()));
  };
}

/** `since` as a date (YYYY-MM-DD) or date-time; by default the last 90 days. */
export function parseSince(value: unknown, now: Date): Date {
  if (value === undefined) return new Date(now.getTime() - DEFAULT_DAYS * DAY_MS);
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new HttpError(400, [
      { field: 'since', message: 'must be a date such as 2026-01-31', problem: 'not-a-date-time' },
    ]);
  return date;
}
