import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './project-root';

/** The release of the service (package.json), as /readyz and /openapi.json report it. */
export const SERVICE_VERSION = (
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
