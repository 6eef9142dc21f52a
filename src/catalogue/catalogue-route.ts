import type { RequestHandler } from 'express';
import { RULE_SET_VERSION_HEADER, ruleSetHeaderValue } from '../http/headers';
import type { RuleSetHolder } from '../rules/rule-set-holder';
import { catalogueHtml } from './render-catalogue';

/** The page needs nothing but its own inline styles (and the data: favicon): no script, no outside resource. */
export const CATALOGUE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/** GET /rules: the read-only rule catalogue of the rule set live at the time of the request. */
export function catalogueHandler(ruleSets: Pick<RuleSetHolder, 'current' | 'lastRejected'>): RequestHandler {
  return (_req, res) => {
    const ruleSet = ruleSets.current();
    res.setHeader('Content-Security-Policy', CATALOGUE_CSP);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader(RULE_SET_VERSION_HEADER, ruleSetHeaderValue(ruleSet));
    res.send(catalogueHtml(ruleSet, ruleSets.lastRejected()));
  };
}
