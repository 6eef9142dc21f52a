import type { RequestHandler } from 'express';
import { SERVICE_VERSION } from '../version';
import description from './openapi.json';

/** The OpenAPI 3.1 description of the service, for this release and the URL clients use. */
export function openApiDocument(publicBaseUrl: string): typeof description {
  return {
    ...description,
    info: { ...description.info, version: SERVICE_VERSION },
    servers: [{ url: publicBaseUrl }],
  } as typeof description;
}

/** GET /openapi.json */
export function openApiHandler(publicBaseUrl: string): RequestHandler {
  const document = openApiDocument(publicBaseUrl);
  return (_req, res) => {
    res.json(document);
  };
}
