import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit.js';

describe('client token bucket', () => {
  it('lets a burst through at once, then one request per 1/qps', () => {
    const bucket = new TokenBucket({ qps: 20, burst: 30 }, 0);
    const waits = Array.from({ length: 33 }, () => bucket.take(0));
    expect(waits.slice(0, 30)).toEqual(Array(30).fill(0));
    expect(waits.slice(30)).toEqual([50, 100, 150]);
  });

  it('refills at qps while idle, up to the burst', () => {
    const bucket = new TokenBucket({ qps: 10, burst: 2 }, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(0)).toBe(100);
    // 10 s later the bucket is full again, but never above the burst.
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)]).toEqual([0, 0, 100]);
  });
});
