import fs from 'node:fs';
import express from 'express';
import { jsonBody } from '../../src/http/json-body';

/**
 * The practical ceiling of the benchmark: a bare Express app that parses the request body exactly as the service
 * does (same middleware, same limits) and answers with a response of the same size, serialised on every request
 * as res.json does in the service. Nothing else: no CORS, no security headers, no logging, no work.
 *
 * Environment: PORT, HOST, BENCH_RESPONSE_FILE (the JSON to answer; the service's answer to the same request).
 */
const response: unknown = JSON.parse(fs.readFileSync(process.env.BENCH_RESPONSE_FILE as string, 'utf8'));
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/cds-services/:id', ...jsonBody({ limitBytes: 10 * 1024 * 1024, maxDepth: 64 }), (_req, res) => {
  res.json(response);
});
const server = app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
