import http, { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { unauthorized } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import {
  closeServer,
  FHIR_BASE_PATH,
  FHIR_JSON,
  type FhirStore,
  indexFhirDefinitions,
  listenOn,
  loadResources,
  newFhirStore,
  operationOutcome,
  routeFhirRequest,
  sendInternalError,
  sendJson,
} from '../../src/sandbox/memory-fhir-server';
import { RawFhirStore, type RawFhirVersion } from './raw-fhir-store';

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  authorization?: string;
}

export type Fault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'garbage' }
  | { kind: 'hang' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'redirect'; location: string }
  | { kind: 'huge'; bytes: number };

export interface FhirTestServer {
  /** e.g. http://127.0.0.1:PORT/fhir/R4 (no trailing slash). */
  baseUrl: string;
  requests: RecordedRequest[];
  load(resources: Resource[]): Promise<void>;
  /** Later faults take precedence over earlier ones; `undefined` clears them all. */
  setFault(fault: Fault | undefined, options?: { match?: RegExp }): void;
  requireBearerToken(token: string | undefined): void;
  /** Clears requests, faults and the bearer requirement, but keeps the data. */
  reset(): void;
  close(): Promise<void>;
}

export interface FhirTestServerOptions {
  /** Page size applied to searches that carry no `_count`; by default all matches come back in one page. */
  defaultCount?: number;
  /**
   * Answer as an STU3 or DSTU2 server: its CapabilityStatement says so, and loaded resources are kept and served as
   * stored JSON (reads and the prefetch templates' searches), unvalidated. By default: an R4 server.
   */
  fhirVersion?: RawFhirVersion;
}

interface FaultRule {
  fault: Fault;
  match?: RegExp;
}

interface ServerState {
  store: FhirStore;
  requests: RecordedRequest[];
  faults: FaultRule[];
  bearerToken?: string;
  raw?: RawFhirStore;
  /** Aborted on close so that slow responses stop waiting. */
  lifetime: AbortController;
}

export async function startFhirTestServer(options: FhirTestServerOptions = {}): Promise<FhirTestServer> {
  await indexFhirDefinitions();
  const state: ServerState = {
    store: newFhirStore(options.defaultCount),
    requests: [],
    faults: [],
    ...(options.fhirVersion ? { raw: new RawFhirStore(options.fhirVersion) } : {}),
    lifetime: new AbortController(),
  };
  const server = http.createServer((req, res) => {
    handleRequest(state, req, res).catch((err: unknown) => sendInternalError(res, err));
  });
  state.store.baseUrl = await listenOn(server, '127.0.0.1', 0);
  let closing: Promise<void> | undefined;

  return {
    baseUrl: state.store.baseUrl,
    requests: state.requests,
    load: async (resources) => (state.raw ? state.raw.load(resources) : loadResources(state.store.repo, resources)),
    setFault(fault, faultOptions) {
      if (fault) state.faults.push({ fault, match: faultOptions?.match });
      else state.faults.length = 0;
    },
    requireBearerToken(token) {
      state.bearerToken = token;
    },
    reset() {
      state.requests.length = 0;
      state.faults.length = 0;
      state.bearerToken = undefined;
    },
    close() {
      if (!closing) {
        state.lifetime.abort();
        closing = closeServer(server);
      }
      return closing;
    },
  };
}

async function handleRequest(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  state.requests.push({ method: req.method ?? 'GET', url, authorization: req.headers.authorization });

  const fault = findFault(state.faults, url);
  if (fault && (await applyFault(fault, res, state.lifetime.signal))) return;

  if (state.bearerToken !== undefined && bearerToken(req) !== state.bearerToken) {
    sendJson(res, 401, unauthorized, { 'www-authenticate': 'Bearer' });
    return;
  }
  if (state.raw) routeRawRequest(state.raw, state.store.baseUrl, req, res);
  else await routeFhirRequest(state.store, req, res);
}

/** The STU3 / DSTU2 mode: its CapabilityStatement, reads and searches of stored JSON; nothing else. */
function routeRawRequest(raw: RawFhirStore, baseUrl: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', baseUrl);
  if (url.pathname !== FHIR_BASE_PATH && !url.pathname.startsWith(`${FHIR_BASE_PATH}/`)) {
    sendJson(res, 404, operationOutcome('not-supported', `no FHIR endpoint at ${url.pathname}`));
    return;
  }
  const path = url.pathname.slice(FHIR_BASE_PATH.length).replace(/^\/+|\/+$/g, '');
  if (req.method === 'GET' && path === 'metadata') {
    sendJson(res, 200, raw.capabilityStatement());
    return;
  }
  const answer =
    req.method === 'GET'
      ? raw.get(path, url.searchParams, baseUrl)
      : { status: 405, body: operationOutcome('not-supported', 'This test server mode only reads') };
  sendJson(res, answer.status, answer.body);
}

function findFault(rules: FaultRule[], url: string): Fault | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const { fault, match } = rules[i];
    // String.search ignores `lastIndex`, so global/sticky regexes match consistently.
    if (!match || url.search(match) >= 0) return fault;
  }
  return undefined;
}

/** Returns true when the fault produced the whole response. */
async function applyFault(fault: Fault, res: ServerResponse, closed: AbortSignal): Promise<boolean> {
  switch (fault.kind) {
    case 'status':
      sendFaultStatus(res, fault.status, fault.body);
      return true;
    case 'garbage':
      res.writeHead(200, { 'content-type': FHIR_JSON }).end('<html>this is not JSON');
      return true;
    case 'hang':
      return true;
    case 'slow':
      await sleep(fault.delayMs, undefined, { signal: closed }).catch(() => undefined);
      return closed.aborted;
    case 'redirect':
      res.writeHead(302, { location: fault.location }).end();
      return true;
    case 'huge':
      streamHugeBody(res, fault.bytes);
      return true;
  }
}

function sendFaultStatus(res: ServerResponse, status: number, body: string | undefined): void {
  if (body === undefined) {
    sendJson(res, status, operationOutcome('exception', `Injected fault: HTTP ${status}`));
    return;
  }
  res.writeHead(status, { 'content-type': isJson(body) ? FHIR_JSON : 'text/plain' }).end(body);
}

/** A syntactically valid FHIR-looking JSON body of exactly `bytes` bytes, sent chunked with no content-length. */
function streamHugeBody(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': FHIR_JSON });
  pipeline(Readable.from(hugeBodyChunks(bytes)), res, () => undefined);
}

function* hugeBodyChunks(bytes: number): Generator<Buffer> {
  const prefix = Buffer.from('{"resourceType":"Bundle","type":"searchset","padding":"');
  const suffix = Buffer.from('"}');
  if (bytes < prefix.length + suffix.length) {
    yield Buffer.alloc(bytes, ' ');
    return;
  }
  yield prefix;
  const chunkSize = 64 * 1024;
  for (let left = bytes - prefix.length - suffix.length; left > 0; left -= chunkSize) {
    yield Buffer.alloc(Math.min(chunkSize, left), 'x');
  }
  yield suffix;
}

function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
