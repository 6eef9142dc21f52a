import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './logger';

/**
 * Prometheus metrics of this process, served only by the separate metrics listener (SPINE_CDS_METRICS_PORT): they
 * name rules and reasons, which the public port has no business showing. Labels take values from fixed sets
 * (services, rule names, outcomes, reason classes), never from what a client sends, so their number stays bounded.
 */
export const registry = new Registry();

export const hookCallDuration = new Histogram({
  name: 'spine_cds_hook_call_duration_seconds',
  help: 'Hook calls answered 200, by service',
  labelNames: ['service'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const cardsIssued = new Counter({
  name: 'spine_cds_cards_total',
  help: 'Cards sent, by rule and indicator',
  labelNames: ['rule', 'indicator'],
  registers: [registry],
});

export const feedbackOutcomes = new Counter({
  name: 'spine_cds_feedback_total',
  help: 'Feedback entries stored, by rule (unknown: a card the ledger does not know) and outcome',
  labelNames: ['rule', 'outcome'],
  registers: [registry],
});

export const fhirReads = new Histogram({
  name: 'spine_cds_fhir_read_duration_seconds',
  help: "Reads from an EHR's FHIR server, by outcome (ok, timeout, error)",
  labelNames: ['outcome'],
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const authRejections = new Counter({
  name: 'spine_cds_auth_rejections_total',
  help: 'Requests refused with 401, by reason class',
  labelNames: ['reason'],
  registers: [registry],
});

export const ruleReloads = new Counter({
  name: 'spine_cds_rule_reloads_total',
  help: 'Rule-set reloads, by result (replaced, rejected, unchanged)',
  labelNames: ['result'],
  registers: [registry],
});

export const ledgerWriteFailures = new Counter({
  name: 'spine_cds_ledger_missed_cards_total',
  help: 'Cards sent but not recorded in the ledger (store unavailable or too far behind)',
  registers: [registry],
});

const REASON_CLASSES: Array<[RegExp, string]> = [
  [/no bearer token|not a bearer token/, 'no-token'],
  [/malformed/, 'malformed'],
  [/issuer is not trusted/, 'untrusted-issuer'],
  [/algorithm/, 'algorithm'],
  [/token type/, 'token-type'],
  [/"aud"/, 'audience'],
  [/"iss"/, 'issuer-claim'],
  [/"exp"|expired/, 'expired'],
  [/"nbf"|"iat"|maxTokenAge|too old/i, 'time-claims'],
  [/jti was already used/, 'replayed'],
  [/jti|replay cache/, 'jti'],
  [/tenant/, 'tenant'],
  [/signature/, 'signature'],
  [/key|jku|jwks/i, 'key'],
];

/** A refusal reason as one of a fixed set of classes (the reason itself can quote what the client sent). */
export function authReasonClass(reason: string): string {
  return REASON_CLASSES.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}

/** Serves GET /metrics on its own port; returns a function that closes it. */
export function startMetricsServer(port: number, host: string, logger: Logger): () => void {
  // Node's process metrics sample in the background (event-loop delay, GC): only once someone can read them.
  collectDefaultMetrics({ register: registry });
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  server.listen(port, host, () =>
    logger.info(
      { event: 'metrics-listening', port: (server.address() as AddressInfo).port, host },
      'metrics on /metrics',
    ),
  );
  return () => server.close();
}

/** One answered hook call: its duration and a count per card by rule and indicator. */
export function observeHookCall(
  service: string,
  cards: ReadonlyArray<{ indicator: string; source: { topic?: { code?: string } } }>,
  seconds: number,
): void {
  hookCallDuration.observe({ service }, seconds);
  for (const card of cards) cardsIssued.inc({ rule: card.source.topic?.code ?? 'unknown', indicator: card.indicator });
}
