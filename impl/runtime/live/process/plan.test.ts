/** A stage process refuses a wrong plan with one line naming what is wrong. */
import { describe, expect, it } from 'vitest';
import { parsePlan } from './plan.js';

const PLAN = {
  stages: ['scheduler'],
  book: {
    scheduler: { host: '127.0.0.1', port: 4001 },
    'kubelet/n1': { host: '127.0.0.1', port: 4002 },
  },
  token: 'x'.repeat(32),
  kubeconfig: '/tmp/kubeconfig',
  profile: 'hardened:autoscalerLink=direct',
  mode: 'direct',
  nodes: ['n1'],
  record: false,
};

const text = (change: Record<string, unknown>) => JSON.stringify({ ...PLAN, ...change });

describe('a stage process plan', () => {
  it('is read with its profile', () => {
    expect(parsePlan(text({})).stages).toEqual(['scheduler']);
  });

  it.each([
    [undefined, /not set/],
    ['{', /not JSON/],
    [text({ stages: [] }), /stages/],
    [text({ stages: ['etcd'] }), /stages\.0/],
    [text({ token: 'short' }), /token/],
    [text({ mode: 'fast' }), /mode/],
    [text({ extra: 1 }), /extra/],
    [text({ stages: ['kubelet/n9'] }), /no address for kubelet\/n9/],
    [text({ profile: 'hardened:fence=maybe' }), /fence/],
    [text({ book: { scheduler: { host: '127.0.0.1', port: 70_000 } } }), /book\.scheduler\.port/],
  ])('refuses %s', (plan, error) => {
    expect(() => parsePlan(plan)).toThrow(error);
  });
});
