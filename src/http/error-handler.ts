import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger';
import { HttpError, operationOutcome, type RequestProblem } from '../cds/protocol/operation-outcome';

const FHIR_JSON = 'application/fhir+json';

/** Unknown routes get a JSON OperationOutcome, never Express's HTML page. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(
    new HttpError(404, [
      { field: 'url', message: `no endpoint ${req.method} ${req.path.slice(0, 200)}`, problem: 'no-such-endpoint' },
    ]),
  );
};

/** Body-parser failures carry a `type`; map them to the status and wording a client can act on. */
function fromBodyParserError(error: { type?: string; status?: number; limit?: number }): HttpError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new HttpError(400, [
        { field: 'body', message: 'the request body is not valid JSON', problem: 'body-not-json' },
      ]);
    case 'entity.too.large':
      return new HttpError(413, [
        { field: 'body', message: `the request body is larger than ${error.limit} bytes`, problem: 'body-too-large' },
      ]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, [
        { field: 'Content-Type', message: 'only UTF-8 JSON is accepted', problem: 'unsupported-media-type' },
      ]);
    case 'request.aborted':
    case 'request.size.invalid':
      return new HttpError(400, [
        { field: 'body', message: 'the request body was incomplete', problem: 'body-incomplete' },
      ]);
    default:
      return undefined;
  }
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const httpError = error instanceof HttpError ? error : fromBodyParserError(error ?? {});
    if (httpError) {
      logger.info(
        { method: req.method, path: req.path, status: httpError.status, problem: httpError.message },
        'request rejected',
      );
      res.status(httpError.status).set(httpError.headers).type(FHIR_JSON).send(operationOutcome(httpError.problems));
      return;
    }
    // Unexpected: log the stack for operators, tell the client nothing about internals.
    logger.error({ method: req.method, path: req.path, err: error }, 'internal error');
    const problem: RequestProblem = {
      message: 'internal error; the request was not processed',
      problem: 'internal-error',
    };
    res
      .status(500)
      .type(FHIR_JSON)
      .send(operationOutcome([problem], 'fatal'));
  };
}
