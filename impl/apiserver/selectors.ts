/**
 * Label selectors (`matchLabels` and `matchExpressions`, as in `metav1.LabelSelector`) and
 * the list/watch filter, compiled once into predicates because every write is tested
 * against every watch.
 */
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { KubeObject, ListFilter } from './types.js';

type Labels = Readonly<Record<string, string>> | undefined;
type LabelPredicate = (labels: Labels) => boolean;

const requirement = (key: string, operator: string, values: readonly string[]): LabelPredicate => {
  switch (operator) {
    case 'In':
      return (labels) => labels?.[key] !== undefined && values.includes(labels[key] as string);
    case 'NotIn':
      return (labels) => labels?.[key] === undefined || !values.includes(labels[key] as string);
    case 'Exists':
      return (labels) => labels?.[key] !== undefined;
    case 'DoesNotExist':
      return (labels) => labels?.[key] === undefined;
    default:
      throw new Error(`unknown label selector operator ${operator}`);
  }
};

/** A predicate over labels; an absent or empty selector matches everything. */
export const compileLabelSelector = (selector: V1LabelSelector | undefined): LabelPredicate => {
  const tests: LabelPredicate[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    tests.push((labels) => labels?.[key] === value);
  }
  for (const expr of selector?.matchExpressions ?? []) {
    tests.push(requirement(expr.key, expr.operator, expr.values ?? []));
  }
  if (tests.length === 0) return () => true;
  return (labels) => tests.every((test) => test(labels));
};

export type ObjectPredicate = (object: KubeObject) => boolean;

/** Namespace, labels and `spec.nodeName` of a list or watch; the kind is checked by routing. */
export const compileFilter = (filter: ListFilter): ObjectPredicate => {
  const labels = compileLabelSelector(filter.labelSelector);
  const { namespace, nodeName } = filter;
  return (object) =>
    (namespace === undefined || object.metadata?.namespace === namespace) &&
    (nodeName === undefined || nodeNameOf(object) === nodeName) &&
    labels(object.metadata?.labels);
};

/** A pod's node ('' when unbound); '' for every other kind (none has `spec.nodeName`). */
export const nodeNameOf = (object: KubeObject): string =>
  (object.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
