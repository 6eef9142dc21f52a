import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from '../app';
import { DEV_KEYS_DIR, ensureDevKeyPair } from '../cli/dev-keys';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { PROJECT_ROOT } from '../project-root';
import { RuleSetHolder } from '../rules/rule-set-holder';
import { watchRuleSet } from '../rules/watch-rule-set';
import { examplePatients } from './example-patients';
import { startMemoryFhirServer } from './memory-fhir-server';
import { SANDBOX_PATH, simulatorRoutes } from './simulator-routes';

export interface SandboxOptions {
  /** Port of the service and simulator (0: a free one). */
  port: number;
  /** Port of the FHIR server (0: a free one). */
  fhirPort: number;
  /** Require JWTs, trusting the development profile (deploy/trust/trust.development.json). */
  auth: boolean;
}

export interface RunningSandbox {
  serviceUrl: string;
  fhirBaseUrl: string;
  patientCount: number;
  close(): Promise<void>;
}

/**
 * `spine-cds sandbox`: the service, an in-memory FHIR R4 server loaded with the example patients (dates as of
 * today) and allowlisted for the service, and the EHR simulator, in one process. Loopback only by default: the
 * simulator mints development tokens for whoever reaches it.
 */
export async function startSandbox(
  options: SandboxOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningSandbox> {
  const host = env.HOST ?? '127.0.0.1';
  const fhir = await startMemoryFhirServer(host, options.fhirPort);
  const patients = examplePatients(new Date());
  await fhir.load(patients.flatMap((patient) => patient.resources));
  if (options.auth) await ensureDevKeyPair(DEV_KEYS_DIR);

  // The port is taken first, so that the public URL (a token's aud) names the real one even when it was 0.
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const config = loadConfig({
    ...env,
    HOST: host,
    PORT: String(port),
    SPINE_CDS_PUBLIC_BASE_URL: env.SPINE_CDS_PUBLIC_BASE_URL ?? `http://${urlHost(host)}:${port}`,
    SPINE_CDS_FHIR_SERVERS: [env.SPINE_CDS_FHIR_SERVERS, fhir.baseUrl].filter(Boolean).join(','),
    ...(options.auth
      ? { SPINE_CDS_TRUST_FILE: path.join(PROJECT_ROOT, 'deploy', 'trust', 'trust.development.json') }
      : {}),
  });
  const logger = createLogger(config.logLevel);
  const ruleSets = RuleSetHolder.load(config);
  const router = simulatorRoutes({ config, ruleSets, patients, fhirBaseUrl: fhir.baseUrl });
  server.on('request', createApp({ config, logger, ruleSets, sandbox: { path: SANDBOX_PATH, router } }));
  const stopWatching = watchRuleSet(ruleSets, [config.rulesDir, path.dirname(config.valueSetsDir)], logger, {
    debounceMs: 300,
    pollMs: config.rulesPollSeconds * 1000,
  });
  return {
    serviceUrl: config.publicBaseUrl,
    fhirBaseUrl: fhir.baseUrl,
    patientCount: patients.length,
    async close() {
      stopWatching();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await fhir.close();
    },
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** What the user reads first: where everything is. */
export function sandboxBanner(sandbox: RunningSandbox, options: SandboxOptions): string {
  const authentication = options.auth
    ? 'JWT required (development trust profile; the simulator signs)'
    : 'off (start with --auth to require JWTs)';
  return [
    'spine-cds sandbox is running.',
    '',
    `  Open the EHR simulator:  ${sandbox.serviceUrl}${SANDBOX_PATH}/`,
    `  CDS service (discovery): ${sandbox.serviceUrl}/cds-services`,
    `  Landing page:            ${sandbox.serviceUrl}/`,
    `  FHIR R4 server:          ${sandbox.fhirBaseUrl}  (${sandbox.patientCount} example patients, allowlisted)`,
    `  Authentication:          ${authentication}`,
    '',
    'Pick a patient, a hook and a prefetch mode, then "Fire hook". Ctrl-C stops everything. The log follows.',
    '',
  ].join('\n');
}
