import express, { type Express, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Config } from './config';
import { analyticsHandler } from './catalogue/analytics-route';
import { catalogueHandler } from './catalogue/catalogue-route';
import { parseFeedback } from './cds/feedback';
import { handleHookCall, InvalidResponseError } from './cds/hook-service';
import type { FetchSettings } from './cds/prefetch';
import { serviceDefinitions } from './cds/services';
import type { HookRequest, ServiceDefinition } from './cds/types';
import { authenticatedClient } from './http/auth/authenticate';
import { ServerFhirVersions } from './fhir/server-fhir-version';
import { fhirServerRefusal } from './http/auth/fhir-server-access';
import { clientGuards } from './http/client-guards';
import { cors } from './http/cors';
import { errorHandler, notFound } from './http/error-handler';
import { RULE_SET_VERSION_HEADER, ruleSetHeaderValue } from './http/headers';
import { jsonBody } from './http/json-body';
import { docsHandler, landingHandler } from './http/landing-page';
import { openApiHandler } from './http/openapi';
import type { CardLedger } from './ledger/card-ledger';
import { recordIssuedCards, storeFeedback } from './ledger/ledger-routes';
import type { PostgresSecurityState } from './shared-state/postgres-security-state';
import { HttpError } from './cds/protocol/operation-outcome';
import { securityHeaders } from './http/security-headers';
import type { Logger } from './logger';
import { observeHookCall } from './metrics';
import { formatProblem } from './rules/load-rule-set';
import type { RuleSetHolder } from './rules/rule-set-holder';
import { SERVICE_VERSION } from './version';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  ruleSets: RuleSetHolder;
  /** Injectable clock: the same input gives the same cards. */
  now?: () => Date;
  /** `spine-cds sandbox`: the EHR simulator, mounted at `path` and linked from the landing page. */
  sandbox?: { path: string; router: Router };
  /** Records cards and feedback (src/ledger); without it feedback is only logged. */
  ledger?: CardLedger;
  /** The replay cache and rate-limit buckets shared by every instance; without it they live in this process. */
  sharedState?: PostgresSecurityState;
}

/** Builds the Express app without listening, so tests can drive it over a loopback port. */
export function createApp({
  config,
  logger,
  ruleSets,
  now = () => new Date(),
  ledger,
  sharedState,
  sandbox,
}: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Which proxies' X-Forwarded-For to believe for req.ip (per-IP rate limits); never `true` (see config.ts).
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders(config.publicBaseUrl));
  app.use(cors(config.corsOrigins));
  app.use('/cds-services', clientGuards({ config, logger, now, ...(sharedState ? { sharedState } : {}) }));
  const body = jsonBody({ limitBytes: config.bodyLimitBytes, maxDepth: config.maxJsonDepth });
  const fetchLimits: Omit<FetchSettings, 'refuseFhirServer'> = {
    deadlineMs: config.fhirDeadlineMs,
    maxPages: config.fhirMaxPages,
    maxResponseBytes: config.fhirMaxResponseBytes,
    serverFhirVersions: new ServerFhirVersions(),
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const rejected = ruleSets.lastRejected();
    const accepted = ruleSets.lastAccepted();
    res.json({
      status: 'ready',
      version: SERVICE_VERSION,
      ruleSetVersion: ruleSets.current().version,
      rulesProfile: ruleSets.current().profile,
      ...(accepted ? { lastReload: accepted } : {}),
      ...(ledger ? { ledger: { store: ledger.store.kind, ...ledger.stats() } } : {}),
      ...(rejected
        ? {
            rejectedReload: {
              at: rejected.at,
              changedFiles: rejected.changedFiles,
              problems: rejected.problems.map(formatProblem),
            },
          }
        : {}),
    });
  });

  app.get('/cds-services', (_req, res) => {
    res.json({ services: serviceDefinitions(ruleSets.current()) });
  });

  // The service is looked up before the body is read: an unknown id is a 404 whatever the body.
  const knownService: RequestHandler<{ id: string }> = (req, res, next) => {
    const service = serviceDefinitions(ruleSets.current()).find((candidate) => candidate.id === req.params.id);
    if (!service)
      throw new HttpError(404, [
        {
          field: 'id',
          message: `no CDS service "${req.params.id.slice(0, 80)}"; see GET /cds-services`,
          problem: 'no-such-service',
        },
      ]);
    res.locals.service = service;
    next();
  };

  app.post('/cds-services/:id', knownService, ...body, async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const ruleSet = ruleSets.current();
    const service = res.locals.service as ServiceDefinition;
    try {
      const client = authenticatedClient(res);
      const fetchSettings: FetchSettings = {
        ...fetchLimits,
        refuseFhirServer: fhirServerRefusal(config, client),
        ...(client?.issuer.fhirVersion ? { pinnedFhirVersion: client.issuer.fhirVersion } : {}),
      };
      const result = await handleHookCall(service.hook, req.body, {
        ruleSet,
        fetchSettings,
        now,
        publicBaseUrl: config.publicBaseUrl,
      });
      logger.info(
        {
          event: 'hook-call',
          service: service.id,
          ...callerOf(res),
          hookInstance: result.hookInstance,
          cards: result.response.cards.length,
          indicators: result.response.cards.map((card) => card.indicator),
          data: result.dataSources,
          ...(result.fhirVersion
            ? { fhirVersion: result.fhirVersion.version, fhirVersionFrom: result.fhirVersion.from }
            : {}),
          ruleSetVersion: ruleSet.version,
          rulesProfile: ruleSet.profile,
          durationMs: elapsedMs(started),
        },
        'hook call answered',
      );
      if (ledger) {
        const { patientId } = (req.body as HookRequest).context;
        recordIssuedCards(ledger, res, {
          service,
          response: result.response,
          ruleSetVersion: ruleSet.version,
          patientId,
        });
      }
      observeHookCall(service.id, result.response.cards, elapsedMs(started) / 1000);
      res.setHeader(RULE_SET_VERSION_HEADER, ruleSetHeaderValue(ruleSet));
      res.json(result.response);
    } catch (error) {
      if (error instanceof InvalidResponseError) {
        logger.error(
          { event: 'invalid-response', service: service.id, violations: error.violations },
          'refused to send an invalid CDS response',
        );
      }
      throw error;
    }
  });

  app.post('/cds-services/:id/feedback', knownService, ...body, async (req: Request, res: Response) => {
    const service = res.locals.service as ServiceDefinition;
    const entries = parseFeedback(req.body);
    if (ledger) await storeFeedback(ledger, res, service, entries);
    // The clinician's free-text comment can name the patient: it never reaches the log.
    for (const { userComment: _comment, ...entry } of entries) {
      logger.info({ event: 'feedback', service: service.id, ...callerOf(res), ...entry }, 'card feedback');
    }
    res.status(200).end();
  });

  // Read-only HTML catalogue of the live rule set (its own CSP: inline styles only).
  app.get('/rules', catalogueHandler(ruleSets));
  app.get('/rules/analytics', analyticsHandler(ledger, ruleSets, now));

  app.get('/', landingHandler(sandbox?.path));
  app.get('/docs', docsHandler());
  app.get('/openapi.json', openApiHandler(config.publicBaseUrl));
  if (sandbox) app.use(sandbox.path, sandbox.router);

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

/** Who called, for the audit log: issuer, tenant and token id, never the token. */
function callerOf(res: Response): Record<string, string> {
  const client = authenticatedClient(res);
  if (!client) return {};
  return { iss: client.issuer.iss, jti: client.jti, ...(client.tenant ? { tenant: client.tenant } : {}) };
}

function elapsedMs(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
}
