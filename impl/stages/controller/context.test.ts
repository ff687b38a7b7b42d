import { describe, expect, it } from 'vitest';
import type { Effect } from '../io.js';
import { answered, controllerContext, inFlight, requestAll } from './context.js';
import { inputFor } from './test-config.js';

describe('inFlight', () => {
  const start = controllerContext(inputFor('deployment'));
  const out: Effect[] = [];
  const asked = requestAll(
    start,
    [
      { op: 'deploymentStatus', key: 'kd/a', replicas: 1, readyReplicas: 0 },
      { op: 'createPod', key: 'kd/a-1', ownerKey: 'kd/rs' },
      { op: 'readResourceVersion', key: 'deployment->replicaset', epoch: '1' },
    ],
    out,
  );

  it('tells a request of this op for this key from one of another op or key', () => {
    expect(inFlight(start, 'deploymentStatus', 'kd/a')).toBe(false);
    expect(inFlight(asked, 'deploymentStatus', 'kd/a')).toBe(true);
    expect(inFlight(asked, 'createPod', 'kd/a-1')).toBe(true);
    expect(inFlight(asked, 'deploymentStatus', 'kd/b')).toBe(false);
    expect(inFlight(asked, 'createPod', 'kd/a')).toBe(false);
  });

  it('is false once the request is answered, and still true in the context that asked', () => {
    const done = answered(asked, 1);
    expect(inFlight(done, 'deploymentStatus', 'kd/a')).toBe(false);
    expect(inFlight(done, 'createPod', 'kd/a-1')).toBe(true);
    expect(inFlight(asked, 'deploymentStatus', 'kd/a')).toBe(true);
  });

  it('answers alike of a table of a few requests (scanned) and of many (grouped)', () => {
    const creates = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        op: 'createPod' as const,
        key: `kd/a-${i}`,
        ownerKey: 'kd/rs',
      }));
    for (const n of [3, 40]) {
      const many = requestAll(start, creates(n), []);
      expect(inFlight(many, 'createPod', `kd/a-${n - 1}`)).toBe(true);
      expect(inFlight(many, 'createPod', `kd/a-${n}`)).toBe(false);
      expect(inFlight(many, 'deletePod', 'kd/a-0')).toBe(false);
      expect(inFlight(answered(many, 1), 'createPod', 'kd/a-0')).toBe(false);
    }
  });
});
