/** The process environment, or any map of settings read like it. */
export type Env = Record<string, string | undefined>;

/**
 * Reads settings with a fallback each; a malformed value is added to `problems` (which start-up lists all at once)
 * and the fallback is used, so one run reports every mistake.
 */
export class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  isSet(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name}: expected a whole number from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  list(name: string, fallback: string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  url(name: string, fallback: string): string {
    const value = this.raw(name);
    return value === undefined ? fallback : this.checkUrl(name, value);
  }

  /** A browser sends its origin as scheme://host[:port], nothing more: anything else would never match. */
  checkOrigin(name: string, value: string): string {
    if (value === '*') return value;
    try {
      if (new URL(value).origin === value) return value;
    } catch {
      // reported below
    }
    this.problems.push(`${name}: "${value}" is not an origin (scheme://host[:port], no path or trailing slash)`);
    return value;
  }

  checkUrl(name: string, value: string): string {
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      this.problems.push(`${name}: "${value}" is not an absolute http(s) URL`);
    }
    return value;
  }
}
