/** The API process refuses a plan it cannot serve with one line naming the field. */
import { describe, expect, it } from 'vitest';
import { parseApiPlan } from './plan.js';

const good = { port: 4000, etcd: 'http://127.0.0.1:2379', prefix: '/kd/registry/', gcEveryMs: 100 };

describe('the API process plan', () => {
  it('reads a good plan', () => {
    expect(parseApiPlan(JSON.stringify(good))).toEqual(good);
  });

  it('refuses a missing, malformed or wrong plan, naming the field', () => {
    expect(() => parseApiPlan(undefined)).toThrow('KD_API_PLAN is not set');
    expect(() => parseApiPlan('{')).toThrow('KD_API_PLAN is not JSON');
    const cases: [object, RegExp][] = [
      [{ ...good, port: 0 }, /^KD_API_PLAN: port: /],
      [{ ...good, etcd: 'unix:///etcd.sock' }, /^KD_API_PLAN: etcd: /],
      [{ ...good, prefix: '/kd' }, /^KD_API_PLAN: prefix: /],
      [{ ...good, extra: 1 }, /^KD_API_PLAN: plan: /],
    ];
    for (const [plan, message] of cases)
      expect(() => parseApiPlan(JSON.stringify(plan))).toThrow(message);
  });
});
