import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';

export interface RemoteKeySetOptions {
  timeoutMs: number;
  /** Least time between two fetches, whatever tokens arrive: an unknown `kid` must not make us hammer the URL. */
  minRefreshIntervalMs: number;
  /** Keys older than this are refetched (on the next token) so that removed keys stop being trusted. */
  maxAgeMs: number;
}

/** A JWKS is a few keys; anything much larger is not one. */
const MAX_JWKS_BYTES = 256 * 1024;

/** Thrown when the keys could not be fetched and none are cached; the message says why, for operators. */
class KeySetUnavailableError extends Error {
  constructor(reason: string) {
    super(`key set unavailable (${reason})`);
    this.name = 'KeySetUnavailableError';
  }
}

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * The keys published at one allowlisted URL: fetched on first use with a timeout and no redirects, cached,
 * refetched when stale or when a token names a `kid` the cache lacks, never more often than the minimum interval
 * (counted from the last attempt, so a failing URL is not retried on every request either).
 */
export class RemoteKeySet {
  private keys?: LocalKeySet;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<void>;
  private lastFailure?: string;

  constructor(
    private readonly url: string,
    private readonly options: RemoteKeySetOptions,
  ) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (performance.now() - this.fetchedAt > this.options.maxAgeMs && this.mayRefresh()) await this.refresh();
    if (!this.keys) throw new KeySetUnavailableError(this.lastFailure ?? `${this.url} not fetched yet`);
    try {
      return await this.keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !this.mayRefresh()) throw error;
      await this.refresh();
      return this.keys(header, token);
    }
  };

  private mayRefresh(): boolean {
    return this.pending !== undefined || performance.now() - this.attemptedAt >= this.options.minRefreshIntervalMs;
  }

  /**
   * Concurrent callers share one fetch. A failure keeps the keys already cached (the issuer's URL may be down
   * briefly).
   */
  private refresh(): Promise<void> {
    this.pending ??= this.fetchKeys()
      .then(
        () => {
          this.lastFailure = undefined;
        },
        (error: unknown) => {
          this.lastFailure = `${this.url}: ${(error as Error).message}`;
        },
      )
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async fetchKeys(): Promise<void> {
    this.attemptedAt = performance.now();
    const response = await fetch(this.url, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      // A redirect could lead to keys the allowlist never approved.
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`answered HTTP ${response.status}`);
    }
    this.keys = createLocalJWKSet(JSON.parse(await readLimited(response)));
    this.fetchedAt = performance.now();
  }
}

async function readLimited(response: Response): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_JWKS_BYTES) throw new Error(`answered more than ${MAX_JWKS_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
