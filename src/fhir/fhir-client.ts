import type { Bundle, Resource } from '@medplum/fhirtypes';
import { isUnder, parseUrl } from './fhir-server-policy';
import { fhirReads } from '../metrics';

export interface FhirClientOptions {
  /** fhirServer from the hook request, without a trailing slash. */
  baseUrl: string;
  accessToken?: string;
  /** Aborts every read of the hook call at the shared deadline. */
  signal: AbortSignal;
  maxPages: number;
  maxResponseBytes: number;
}

/** Why a FHIR read failed, in words safe to show a client and to log (no URLs with patient ids, no tokens). */
export class FhirReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FhirReadError';
  }
}

/** Reads one resource (`Patient/123`). */
export async function readResource(relativeUrl: string, options: FhirClientOptions): Promise<Resource> {
  return getJson(`${options.baseUrl}/${relativeUrl}`, options);
}

/** Runs a search and follows `next` links, returning the matched resources of every page. */
export async function searchAll(relativeUrl: string, options: FhirClientOptions): Promise<Bundle> {
  const first = await getJson(`${options.baseUrl}/${relativeUrl}`, options);
  return followNextLinks(asBundle(first), options);
}

/** Completes a (possibly prefetched) paged Bundle by fetching its remaining pages from the same server. */
export async function followNextLinks(bundle: Bundle, options: FhirClientOptions): Promise<Bundle> {
  const entries = [...(bundle.entry ?? [])];
  let page = bundle;
  for (let pages = 1; nextLink(page) !== undefined; pages++) {
    if (pages >= options.maxPages) throw new FhirReadError(`search has more than ${options.maxPages} pages`);
    const next = nextLink(page) as string;
    if (!isWithin(next, options.baseUrl))
      throw new FhirReadError('a next link points outside fhirServer; not followed');
    page = asBundle(await getJson(next, options));
    entries.push(...(page.entry ?? []));
  }
  return { resourceType: 'Bundle', type: 'searchset', entry: entries };
}

function nextLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((link) => link.relation === 'next')?.url;
}

function isWithin(url: string, baseUrl: string): boolean {
  const target = parseUrl(url);
  const base = parseUrl(baseUrl);
  return target !== undefined && base !== undefined && isUnder(target, base);
}

function asBundle(resource: Resource): Bundle {
  if (resource.resourceType !== 'Bundle') throw new FhirReadError(`expected a Bundle, got ${resource.resourceType}`);
  return resource;
}

/** One FHIR read, timed and counted by outcome for the metrics. */
async function getJson(url: string, options: FhirClientOptions): Promise<Resource> {
  const done = fhirReads.startTimer();
  try {
    const resource = await fetchResource(url, options);
    done({ outcome: 'ok' });
    return resource;
  } catch (error) {
    done({ outcome: options.signal.aborted ? 'timeout' : 'error' });
    throw error;
  }
}

async function fetchResource(url: string, options: FhirClientOptions): Promise<Resource> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        accept: 'application/fhir+json, application/json',
        ...(options.accessToken ? { authorization: `Bearer ${options.accessToken}` } : {}),
      },
      // A redirect could lead to a host the allowlist never approved.
      redirect: 'manual',
      signal: options.signal,
    });
  } catch (error) {
    throw new FhirReadError(
      options.signal.aborted ? 'no answer before the deadline' : `could not connect (${errorCode(error)})`,
    );
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new FhirReadError(`answered with a redirect (${response.status}); redirects are not followed`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new FhirReadError(`answered HTTP ${response.status}`);
  }
  const text = await readLimited(response, options);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FhirReadError('answered with a body that is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as Resource).resourceType !== 'string') {
    throw new FhirReadError('answered with JSON that is not a FHIR resource');
  }
  return parsed as Resource;
}

async function readLimited(response: Response, options: FhirClientOptions): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > options.maxResponseBytes) {
    await response.body?.cancel();
    throw new FhirReadError(`response larger than ${options.maxResponseBytes} bytes`);
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxResponseBytes) {
        await reader.cancel();
        throw new FhirReadError(`response larger than ${options.maxResponseBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof FhirReadError) throw error;
    throw new FhirReadError(
      options.signal.aborted ? 'no answer before the deadline' : 'the connection failed while reading',
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? 'network error';
}
