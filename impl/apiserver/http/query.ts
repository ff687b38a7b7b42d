/**
 * Query parameters: label selectors in Kubernetes' string syntax (`app=web,tier in (a,b),
 * !canary`), the one field selector the API Server supports (`spec.nodeName=` for pods),
 * and the numeric and boolean parameters of watch and delete. A malformed value is a 400,
 * as in Kubernetes.
 */
import type { V1LabelSelector, V1LabelSelectorRequirement } from '@kubernetes/client-node';
import type { Kind } from '../types.js';
import { badRequest } from './status.js';

const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?';
const KEY = `(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?${NAME}`;
const VALUE = `(?:${NAME})?`;

const EXISTS = new RegExp(`^(!)?\\s*(${KEY})$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

/** Splits on the commas outside parentheses. */
const topLevelParts = (text: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
};

const requirementOf = (part: string): V1LabelSelectorRequirement => {
  const exists = EXISTS.exec(part);
  if (exists) {
    return { key: exists[2] as string, operator: exists[1] ? 'DoesNotExist' : 'Exists' };
  }
  const equality = EQUALITY.exec(part);
  if (equality) {
    const operator = equality[2] === '!=' ? 'NotIn' : 'In';
    return { key: equality[1] as string, operator, values: [equality[3] as string] };
  }
  const set = SET.exec(part);
  if (set) {
    const values = (set[3] as string).split(',').map((v) => v.trim());
    if (values.every((v) => VALUE_ONLY.test(v))) {
      return { key: set[1] as string, operator: set[2] === 'in' ? 'In' : 'NotIn', values };
    }
  }
  throw badRequest(`unable to parse requirement: ${JSON.stringify(part)}`);
};

/** A label selector string as a `V1LabelSelector`; absent or empty selects everything. */
export const parseLabelSelector = (text: string | null): V1LabelSelector | undefined => {
  if (text === null || text.trim() === '') return undefined;
  return { matchExpressions: topLevelParts(text).map(requirementOf) };
};

/** The node a field selector names (`spec.nodeName=<node>`, '' for unbound pods). */
export const parseFieldSelector = (text: string | null, kind: Kind): string | undefined => {
  if (text === null || text.trim() === '') return undefined;
  let nodeName: string | undefined;
  for (const part of topLevelParts(text)) {
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!match) throw badRequest(`invalid field selector: ${JSON.stringify(part)}`);
    const [, field, operator, value] = match as unknown as [string, string, string, string];
    if (field !== 'spec.nodeName' || kind !== 'Pod')
      throw badRequest(`field label not supported: ${field}`);
    if (operator === '!=')
      throw badRequest(`field selector operator != is not supported for ${field}`);
    if (nodeName !== undefined && nodeName !== value)
      throw badRequest(`field selector names two nodes: ${JSON.stringify(text)}`);
    nodeName = value;
  }
  return nodeName;
};

/** `watch=1|true` (or `0|false|''`); anything else is a 400. */
export const parseBoolean = (text: string | null, name: string): boolean => {
  if (text === null || text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw badRequest(`invalid value for ${name}: ${JSON.stringify(text)}`);
};

/** A non-negative integer parameter, or undefined when absent. */
export const parseCount = (text: string | null, name: string): number | undefined => {
  if (text === null || text === '') return undefined;
  if (!/^\d{1,9}$/.test(text))
    throw badRequest(`invalid value for ${name}: ${JSON.stringify(text)}`);
  return Number(text);
};
