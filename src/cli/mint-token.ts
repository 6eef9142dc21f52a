import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_KEYS_DIR, ensureDevKeyPair, mintDevToken } from './dev-keys';

const USAGE = `Usage: npm run -s mint-token -- [--aud URL] [--tenant ID] [--lifetime SECONDS]

Prints a development JWT (ES384, iss "spine-cds-development") for the endpoint URL given as --aud
(default http://localhost:8080/cds-services/spine-patient-view). On first use it creates the local key pair
in .dev-keys/ (git-ignored); a service started with \
SPINE_CDS_TRUST_FILE=deploy/trust/trust.development.json trusts it.`;

/** Development only: the token goes to stdout alone, so that TOKEN=$(npm run -s mint-token) works. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      aud: { type: 'string', default: 'http://localhost:8080/cds-services/spine-patient-view' },
      tenant: { type: 'string' },
      lifetime: { type: 'string', default: '300' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const lifetimeSeconds = Number(values.lifetime);
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1)
    throw new Error(`--lifetime: expected a whole number of seconds, got "${values.lifetime}"`);
  const key = await ensureDevKeyPair();
  if (key.created) {
    process.stderr.write(
      `Created the development key pair in ${path.relative(process.cwd(), DEV_KEYS_DIR) || '.'}/; ` +
        'restart the service so that it trusts it.\n',
    );
  }
  const token = await mintDevToken(key, { audience: values.aud, tenant: values.tenant, lifetimeSeconds });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(1);
});
