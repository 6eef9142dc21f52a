import { ReplayCache } from '../../src/http/auth/replay-cache';
import { TokenBuckets } from '../../src/http/rate-limit';

describe('replay cache', () => {
  test('a token id is refused until it expires, then accepted again', () => {
    const cache = new ReplayCache(10);
    expect(cache.remember('a', 1000, 0)).toBeUndefined();
    expect(cache.remember('a', 1000, 999)).toBe('replayed');
    expect(cache.remember('a', 2000, 1000)).toBeUndefined();
  });

  test('when full of unexpired ids it refuses new ones, and makes room as they expire', () => {
    const cache = new ReplayCache(2);
    expect(cache.remember('a', 100, 0)).toBeUndefined();
    expect(cache.remember('b', 200, 0)).toBeUndefined();
    expect(cache.remember('c', 300, 50)).toBe('full');
    expect(cache.remember('c', 300, 100)).toBeUndefined();
    expect(cache.remember('b', 300, 150)).toBe('replayed');
  });
});

describe('token buckets', () => {
  test('a burst, then the sustained rate, with the wait in whole seconds', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, () => now);
    expect([buckets.take('x'), buckets.take('x'), buckets.take('x')]).toEqual([0, 0, 0]);
    expect(buckets.take('x')).toBe(1);
    now += 500;
    expect(buckets.take('x')).toBe(0);
    expect(buckets.take('x')).toBe(1);
    expect(buckets.take('y')).toBe(0);
  });

  test('refilling never exceeds the burst', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, () => now);
    buckets.take('x');
    now += 60_000;
    expect([buckets.take('x'), buckets.take('x'), buckets.take('x')]).toEqual([0, 0, 1]);
  });

  test('a slow rate gives a longer Retry-After', () => {
    const buckets = new TokenBuckets({ perSecond: 0.1, burst: 1 }, () => 0);
    buckets.take('x');
    expect(buckets.take('x')).toBe(10);
  });
});
