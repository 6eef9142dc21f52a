import express, { type RequestHandler } from 'express';
import { HttpError } from './operation-outcome';

export interface JsonBodyOptions {
  limitBytes: number;
  maxDepth: number;
}

const isJsonMediaType = (contentType: string): boolean => /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType);

/**
 * Parses a JSON request body with a size limit, a content-type check and a nesting-depth limit, turning
 * every failure into an HttpError the error handler renders as an OperationOutcome.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler[] {
  const requireJsonContentType: RequestHandler = (req, _res, next) => {
    const contentType = req.headers['content-type'];
    if (!contentType || !isJsonMediaType(contentType)) {
      next(
        new HttpError(415, [
          {
            field: 'Content-Type',
            message: `expected application/json, got ${contentType ? `"${contentType.slice(0, 100)}"` : 'none'}`,
            code: 'not-supported',
          },
        ]),
      );
      return;
    }
    next();
  };
  const parse = express.json({ limit: options.limitBytes, strict: false, type: () => true });
  const checkDepth: RequestHandler = (req, _res, next) => {
    if (req.body === undefined) {
      next(new HttpError(400, [{ field: 'body', message: 'the request body is empty; expected a JSON object', code: 'required' }]));
      return;
    }
    if (exceedsDepth(req.body, options.maxDepth)) {
      next(new HttpError(400, [{ field: 'body', message: `JSON is nested deeper than ${options.maxDepth} levels`, code: 'too-costly' }]));
      return;
    }
    next();
  };
  return [requireJsonContentType, parse, checkDepth];
}

/** Iterative, so a hostile body cannot overflow the stack while being measured. */
function exceedsDepth(root: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}
