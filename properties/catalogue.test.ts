import { describe, expect, it } from 'vitest';
import {
  LIVENESS_PROPERTIES,
  REACHABILITY_PROPERTIES,
  SAFETY_PROPERTIES,
} from '../spec/types/property-names.js';
import {
  CATALOGUE,
  checkSafety,
  findProperty,
  livenessFailures,
  propertyKind,
} from './catalogue.js';
import {
  deployment,
  emptyObservation,
  healthy,
  kubelet,
  pod,
  replicaSet,
} from './test-support/observation.js';

const ALL_NAMES = [...SAFETY_PROPERTIES, ...LIVENESS_PROPERTIES, ...REACHABILITY_PROPERTIES];
const ALL_PROPERTIES = [...CATALOGUE.safety, ...CATALOGUE.liveness, ...CATALOGUE.reachability];

describe('the catalogue', () => {
  it.each(ALL_NAMES)('has exactly one property named %s', (name) => {
    expect(ALL_PROPERTIES.filter((property) => property.name === name)).toHaveLength(1);
  });

  it('holds nothing that is not named in property-names.ts', () => {
    expect(ALL_PROPERTIES.map((property) => property.name).sort()).toEqual([...ALL_NAMES].sort());
  });

  it('lists each family in the order of property-names.ts', () => {
    expect(CATALOGUE.safety.map((p) => p.name)).toEqual([...SAFETY_PROPERTIES]);
    expect(CATALOGUE.liveness.map((p) => p.name)).toEqual([...LIVENESS_PROPERTIES]);
    expect(CATALOGUE.reachability.map((p) => p.name)).toEqual([...REACHABILITY_PROPERTIES]);
  });

  it('gives every property a statement', () => {
    for (const property of ALL_PROPERTIES) expect(property.statement.length).toBeGreaterThan(10);
  });

  it('finds properties and their kinds by name', () => {
    expect(findProperty('capacity')?.kind).toBe('always');
    expect(propertyKind('epoch-fencing')).toBe('step');
    expect(propertyKind('caches-drain')).toBe('eventually');
    expect(propertyKind('bind-races-template')).toBe('sometimes');
    expect(findProperty('no-such-property')).toBeUndefined();
    expect(propertyKind('no-such-property')).toBeUndefined();
  });
});

describe('checkSafety', () => {
  it('finds nothing wrong with an empty system', () => {
    expect(checkSafety(null, emptyObservation())).toBeNull();
  });

  it('reports the first violated property with its message', () => {
    const obs = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' })],
      kubelets: [kubelet('n2', ['a/p1'])],
    });
    const violation = checkSafety(null, obs);
    expect(violation?.name).toBe('unique-placement');
    expect(violation?.message).toContain('a/p1');
  });

  it('checks step properties only when there is a step', () => {
    const before = healthy({ pods: [pod('a/p1', { nodeName: 'n1' })] });
    const after = healthy({ pods: [pod('a/p1', { nodeName: 'n2' })] });
    expect(checkSafety(null, after)).toBeNull();
    expect(checkSafety(before, after)?.name).toBe('api-precedence');
  });
});

describe('livenessFailures', () => {
  it('is empty for a converged system', () => {
    const converged = healthy({
      deployments: [deployment({ status: { replicas: 1, readyReplicas: 1 } })],
      replicaSets: [replicaSet({ status: { replicas: 1, readyReplicas: 1 } })],
      pods: [pod('a/p1', { nodeName: 'n1', ready: true })],
      kubelets: [kubelet('n1', ['a/p1']), kubelet('n2')],
    });
    expect(livenessFailures(converged)).toEqual([]);
  });

  it('lists every liveness property that does not hold yet', () => {
    const names = livenessFailures(healthy()).map((failure) => failure.name);
    expect(names).toEqual(['replicas-converge']);
  });
});
