import fs from 'node:fs';
import http from 'node:http';
import type { Resource } from '@medplum/fhirtypes';
import { startFhirTestServer } from '../support/fhir-test-server';

/**
 * The embedded FHIR R4 server (test/support) in a process of its own, for the no-prefetch scenario.
 * Environment: BENCH_FHIR_RESOURCES (a JSON array to load), PORT (a small control endpoint on loopback:
 * GET /healthz answers the FHIR base URL and how many FHIR requests arrived; POST /delay?ms=50 delays every FHIR
 * answer from then on and clears the count).
 */
async function main(): Promise<void> {
  const fhir = await startFhirTestServer();
  await fhir.load(JSON.parse(fs.readFileSync(process.env.BENCH_FHIR_RESOURCES as string, 'utf8')) as Resource[]);
  const control = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/delay') {
      const delayMs = Number(url.searchParams.get('ms') ?? 0);
      // Also clears the requests the test server records, which would otherwise grow over a long run.
      fhir.reset();
      if (delayMs > 0) fhir.setFault({ kind: 'slow', delayMs });
      res.writeHead(204).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ baseUrl: fhir.baseUrl, requests: fhir.requests.length }));
  });
  control.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => {
    control.close();
    void fhir.close().then(() => process.exit(0));
  });
}

void main();
