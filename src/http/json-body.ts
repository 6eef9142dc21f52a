import express, { type RequestHandler } from 'express';
import { HttpError } from '../cds/protocol/operation-outcome';

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
            problem: 'unsupported-media-type',
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
      next(
        new HttpError(400, [
          { field: 'body', message: 'the request body is empty; expected a JSON object', problem: 'body-empty' },
        ]),
      );
      return;
    }
    const problem = shapeProblem(req.body, options.maxDepth);
    if (problem) {
      next(
        new HttpError(400, [
          {
            field: 'body',
            message: problem,
            problem: problem.startsWith('JSON is nested') ? 'body-too-deep' : 'body-not-json',
          },
        ]),
      );
      return;
    }
    next();
  };
  return [requireJsonContentType, parse, checkDepth];
}

/**
 * Keys no FHIR or CDS Hooks document uses, but which change how JavaScript treats an object: `toString` or
 * `valueOf` holding data make string conversion throw, `__proto__` and `constructor` invite prototype pollution.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype', 'toString', 'valueOf']);

/** Iterative, so a hostile body cannot overflow the stack while being measured. */
function shapeProblem(root: unknown, maxDepth: number): string | undefined {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return `JSON is nested deeper than ${maxDepth} levels`;
    for (const key of Object.keys(value)) {
      if (RESERVED_KEYS.has(key)) return `the JSON key "${key}" is not allowed`;
      stack.push([(value as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return undefined;
}
