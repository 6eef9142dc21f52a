import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from './operation-outcome';

export interface RateLimitConfig {
  /** Sustained requests per second per client; 0 turns rate limiting off. */
  perSecond: number;
  /** Requests a client may send at once before the sustained rate applies. */
  burst: number;
}

/** Past this many clients the least recently seen are forgotten: a forgotten client only gets a full bucket back. */
const MAX_CLIENTS = 100_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** One token bucket per client key. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    /** Monotonic milliseconds; injectable for tests. */
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `key`: 0 when the request may proceed, otherwise the whole seconds to wait. */
  take(key: string): number {
    const now = this.clock();
    const previous = this.buckets.get(key);
    const elapsedSeconds = previous ? (now - previous.updatedAt) / 1000 : 0;
    const tokens = previous ? Math.min(this.config.burst, previous.tokens + elapsedSeconds * this.config.perSecond) : this.config.burst;
    // Re-inserting keeps the Map in least-recently-seen order for eviction.
    this.buckets.delete(key);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, updatedAt: now });
      return Math.ceil((1 - tokens) / this.config.perSecond);
    }
    this.buckets.set(key, { tokens: tokens - 1, updatedAt: now });
    if (this.buckets.size > MAX_CLIENTS) this.buckets.delete(this.buckets.keys().next().value as string);
    return 0;
  }
}

/** 429 with Retry-After and an OperationOutcome once a client's bucket is empty. */
export function rateLimit(buckets: TokenBuckets, clientKey: (req: Request, res: Response) => string): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'OPTIONS') {
      next();
      return;
    }
    const waitSeconds = buckets.take(clientKey(req, res));
    if (waitSeconds === 0) {
      next();
      return;
    }
    next(
      new HttpError(429, [{ message: `too many requests from this client; retry in ${waitSeconds} s`, code: 'throttled' }], {
        'Retry-After': String(waitSeconds),
      }),
    );
  };
}
