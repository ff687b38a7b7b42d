/**
 * Client-side rate limits of the API path: client-go's token bucket (`qps` tokens per
 * second, at most `burst` saved up) on the virtual clock. A request that finds no token
 * waits until one is due; reservations queue up, as client-go's limiter blocks each caller
 * in turn. Off unless a run asks for it (`SimOptions.rateLimits`).
 */
import type { StageKind } from '../../../spec/types/ids.js';

export interface RateLimit {
  /** Tokens per second. */
  readonly qps: number;
  /** Tokens that can be saved up (and spent at once). */
  readonly burst: number;
}

/**
 * The Kubernetes defaults: kube-controller-manager's clients 20 QPS / burst 30, the
 * scheduler 50 / 100, the kubelet 50 / 100. The autoscaler (a Knative-style component)
 * is given the controller-manager's limits.
 */
export const KUBERNETES_DEFAULT_LIMITS: Readonly<Record<StageKind, RateLimit>> = {
  autoscaler: { qps: 20, burst: 30 },
  deployment: { qps: 20, burst: 30 },
  replicaset: { qps: 20, burst: 30 },
  scheduler: { qps: 50, burst: 100 },
  kubelet: { qps: 50, burst: 100 },
};

export class TokenBucket {
  /** Tokens at `atMs`; negative while requests are queued for tokens not yet due. */
  private tokens: number;
  private atMs: number;

  constructor(
    private readonly limit: RateLimit,
    nowMs: number,
  ) {
    this.tokens = limit.burst;
    this.atMs = nowMs;
  }

  /** Takes one token; returns how long (ms) the request waits for it. */
  take(nowMs: number): number {
    const refill = ((nowMs - this.atMs) * this.limit.qps) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + Math.max(0, refill));
    this.atMs = Math.max(this.atMs, nowMs);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.limit.qps;
  }
}
