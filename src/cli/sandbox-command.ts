import { parseArgs } from 'node:util';
import { ConfigError } from '../config';
import { RuleSetError } from '../rules/load-rule-set';
import { sandboxBanner, startSandbox, type SandboxOptions } from '../sandbox/start-sandbox';

export const SANDBOX_USAGE = `  sandbox [--port N] [--fhir-port N] [--auth]
                              the service, an in-memory FHIR R4 server with example patients and an EHR
                              simulator in one process (ports default to PORT or 8080, and 8081; 0 picks a
                              free one; --auth requires JWTs, trusting the development profile)`;

/** Runs until SIGINT or SIGTERM; resolves with the exit code. */
export async function runSandbox(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      'fhir-port': { type: 'string', default: '8081' },
      auth: { type: 'boolean', default: false },
    },
  });
  const options: SandboxOptions = {
    port: portNumber('--port', values.port),
    fhirPort: portNumber('--fhir-port', values['fhir-port']),
    auth: values.auth,
  };
  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof RuleSetError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  process.stdout.write(sandboxBanner(sandbox, options));
  const running = sandbox;
  return new Promise((resolve) => {
    const stop = () => {
      void running.close().then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function portNumber(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new Error(`${flag}: expected a port number from 0 to 65535, got "${value}"`);
  return port;
}
