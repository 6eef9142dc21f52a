import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '../cds/protocol/operation-outcome';

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
    const tokens = previous
      ? Math.min(this.config.burst, previous.tokens + elapsedSeconds * this.config.perSecond)
      : this.config.burst;
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

/** Token buckets kept in this process (TokenBuckets) or in a store shared by every instance. */
export interface RateLimitBuckets {
  /** 0 when the request may proceed, otherwise the whole seconds to wait. */
  take(key: string): number | Promise<number>;
}

/** 429 with Retry-After and an OperationOutcome once a client's bucket is empty. */
export function rateLimit(
  buckets: RateLimitBuckets,
  clientKey: (req: Request, res: Response) => string,
): RequestHandler {
  return async (req, res, next) => {
    if (req.method === 'OPTIONS') {
      next();
      return;
    }
    const waitSeconds = await buckets.take(clientKey(req, res));
    if (waitSeconds === 0) {
      next();
      return;
    }
    next(
      new HttpError(
        429,
        [{ message: `too many requests from this client; retry in ${waitSeconds} s`, problem: 'rate-limited' }],
        {
          'Retry-After': String(waitSeconds),
        },
      ),
    );
  };
}

/**
 * The rate-limit key of a client address. An IPv6 client usually holds a whole /64 (and can pick any address
 * in it), so IPv6 addresses count by their /64; IPv4-mapped IPv6 addresses count as the IPv4 address.
 */
export function addressKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'ip unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return `ip ${mapped[1]}`;
  if (net.isIPv6(ip)) return `ip ${ipv6Prefix64(ip)}::/64`;
  return `ip ${ip}`;
}

/** The first four groups of an IPv6 address, normalised (`2001:DB8:0::1` → `2001:db8:0:0`). */
function ipv6Prefix64(ip: string): string {
  const address = ip.split('%')[0];
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  // A dotted IPv4 tail stands for two groups.
  const tailLength = tailGroups.reduce((length, group) => length + (group.includes('.') ? 2 : 1), 0);
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailLength)).fill('0'), ...tailGroups];
  return groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':');
}
