import path from 'node:path';
import express, { Router } from 'express';
import type { Config } from '../config';
import { DEV_KEYS_DIR, ensureDevKeyPair, mintDevToken } from '../cli/dev-keys';
import { HOOKS } from '../cds/protocol/hooks';
import { HttpError } from '../cds/protocol/operation-outcome';
import { BodyChecker } from '../cds/protocol/body-checker';
import { jsonBody } from '../http/json-body';
import { PROJECT_ROOT } from '../project-root';
import type { RuleSetHolder } from '../rules/rule-set-holder';
import type { ExamplePatient } from './example-patients';
import { buildHookRequest, DRAFT_ORDER_KINDS, PREFETCH_MODES, type SimulatedCall } from './hook-requests';
import { simulatorPage } from './simulator-page';

/** Where the sandbox is mounted on the service. */
export const SANDBOX_PATH = '/sandbox';

/** Scripts and styles from this origin only; the rendered cards may show data: images at most. */
export const SIMULATOR_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PUBLIC_DIR = path.join(PROJECT_ROOT, 'src', 'sandbox', 'public');
const MARKDOWN_IT = path.join(path.dirname(require.resolve('markdown-it/package.json')), 'dist', 'browser');

export interface SimulatorDependencies {
  config: Config;
  ruleSets: RuleSetHolder;
  patients: ExamplePatient[];
  fhirBaseUrl: string;
}

/** The EHR simulator (page, script, markdown-it) and its helpers: the hook request an EHR would build, and a token. */
export function simulatorRoutes({ config, ruleSets, patients, fhirBaseUrl }: SimulatorDependencies): Router {
  const router = Router();
  const page = simulatorPage({ patients, fhirBaseUrl, authRequired: config.auth.required }).toString();
  const body = jsonBody({ limitBytes: 16 * 1024, maxDepth: 8 });
  const patientIds = patients.map((patient) => patient.id);

  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', SIMULATOR_CSP);
    next();
  });
  router.get('/', (_req, res) => {
    res.type('html').send(page);
  });
  router.use(express.static(PUBLIC_DIR, { index: false }));
  router.use('/vendor', express.static(MARKDOWN_IT, { index: false }));

  router.post('/api/request', ...body, async (req, res) => {
    const call = parseSimulatedCall(req.body, patientIds);
    res.json(await buildHookRequest(call, fhirBaseUrl, ruleSets.current()));
  });

  router.post('/api/token', ...body, async (req, res) => {
    const check = new BodyChecker();
    const root = check.object(req.body, 'body');
    check.finish();
    const endpoint = check.oneOf(root?.path, 'path', cdsEndpoints());
    check.finish();
    const key = await ensureDevKeyPair(DEV_KEYS_DIR);
    const token = await mintDevToken(key, { audience: `${config.publicBaseUrl}${endpoint}`, lifetimeSeconds: 120 });
    res.json({ token });
  });
  return router;
}

/** The only audiences the simulator mints tokens for: its service's hook and feedback endpoints. */
function cdsEndpoints(): string[] {
  return HOOKS.flatMap((hook) => [`/cds-services/spine-${hook}`, `/cds-services/spine-${hook}/feedback`]);
}

function parseSimulatedCall(body: unknown, patientIds: string[]): SimulatedCall {
  const check = new BodyChecker();
  const root = check.object(body, 'body');
  check.finish();
  const call = {
    hook: check.oneOf(root?.hook, 'hook', HOOKS),
    patientId: check.oneOf(root?.patientId, 'patientId', patientIds),
    order:
      root?.order === undefined
        ? undefined
        : check.oneOf(
            root.order,
            'order',
            DRAFT_ORDER_KINDS.map((k) => k.key),
          ),
    prefetch: check.oneOf(root?.prefetch, 'prefetch', PREFETCH_MODES),
  };
  check.finish();
  if (call.hook !== 'patient-view' && call.order === undefined)
    throw new HttpError(400, [{ field: 'order', message: `is required for ${call.hook}`, problem: 'required' }]);
  return call as SimulatedCall;
}
