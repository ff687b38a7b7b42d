/**
 * A list filter as the query of a Kubernetes list or watch: the label selector in its string
 * syntax (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, joined by commas, as
 * kubectl writes it) and the one field selector the stages use, `spec.nodeName=<node>`.
 */
import type { V1LabelSelector, V1LabelSelectorRequirement } from '@kubernetes/client-node';
import type { ListFilter } from '../../apiserver/index.js';

const requirementText = ({ key, operator, values = [] }: V1LabelSelectorRequirement): string => {
  switch (operator) {
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    case 'In':
      return values.length === 1 ? `${key}=${values[0]}` : `${key} in (${values.join(',')})`;
    case 'NotIn':
      return values.length === 1 ? `${key}!=${values[0]}` : `${key} notin (${values.join(',')})`;
    default:
      throw new Error(`unknown label selector operator ${JSON.stringify(operator)}`);
  }
};

/** The string form of a label selector; undefined when it selects everything. */
export const labelSelectorText = (selector: V1LabelSelector | undefined): string | undefined => {
  if (!selector) return undefined;
  const parts = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(selector.matchExpressions ?? []).map(requirementText),
  ];
  return parts.length === 0 ? undefined : parts.join(',');
};

/** The `labelSelector` and `fieldSelector` parameters of a filter, only those it sets. */
export const selectorQuery = (
  filter: ListFilter,
): { labelSelector?: string; fieldSelector?: string } => {
  const labelSelector = labelSelectorText(filter.labelSelector);
  return {
    ...(labelSelector === undefined ? {} : { labelSelector }),
    ...(filter.nodeName === undefined ? {} : { fieldSelector: `spec.nodeName=${filter.nodeName}` }),
  };
};
