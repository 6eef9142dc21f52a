/**
 * Remembers token ids until the tokens expire, to refuse a token presented twice. Bounded: when full of
 * unexpired ids it refuses new ones rather than forgetting old ones, since forgetting would reopen replay.
 * Only tokens with a valid signature reach it, so only a trusted issuer can fill it.
 */
export class ReplayCache {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly maxEntries: number) {}

  /** Records `id` until `expiresAtMs`; returns why it cannot be accepted, or undefined when it is new. */
  remember(id: string, expiresAtMs: number, nowMs: number): 'replayed' | 'full' | undefined {
    const known = this.expiries.get(id);
    if (known !== undefined && known > nowMs) return 'replayed';
    // Stryker disable next-line ConditionalExpression: forgetting expired ids before the cache is full only costs time
    if (this.expiries.size >= this.maxEntries) this.forgetExpired(nowMs);
    if (this.expiries.size >= this.maxEntries) return 'full';
    this.expiries.set(id, expiresAtMs);
    return undefined;
  }

  private forgetExpired(nowMs: number): void {
    for (const [id, expiry] of this.expiries) {
      if (expiry <= nowMs) this.expiries.delete(id);
    }
  }
}
