import { describe, expect, it } from 'vitest';
import { causeOfStatus } from '../../apiserver/errors.js';
import { parseLabelSelector } from '../../apiserver/http/query.js';
import { labelSelectorText, selectorQuery } from './selectors.js';

describe('a list filter as query parameters', () => {
  it('writes every kind of label requirement as the endpoint parses it back', () => {
    const selector = {
      matchLabels: { app: 'fn' },
      matchExpressions: [
        { key: 'kubedirect/template', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'zone', operator: 'NotIn', values: ['z1'] },
      ],
    };
    const text = labelSelectorText(selector);
    expect(text).toBe('app=fn,kubedirect/template,!canary,tier in (a,b),zone!=z1');
    expect(parseLabelSelector(text ?? null)).toEqual({
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['fn'] },
        ...selector.matchExpressions,
      ],
    });
  });

  it('leaves out what selects everything, and names a node by field', () => {
    expect(selectorQuery({ kind: 'Pod', labelSelector: {} })).toEqual({});
    expect(selectorQuery({ kind: 'Pod', nodeName: 'n1' })).toEqual({
      fieldSelector: 'spec.nodeName=n1',
    });
  });
});

describe('the cause of a Status received over HTTP', () => {
  it('reads conflicts, preconditions and the rest as the in-memory server means them', () => {
    const cases: [number, string, string, string][] = [
      [503, 'ServiceUnavailable', '', 'Unavailable'],
      [500, 'InternalError', '', 'Unavailable'],
      [429, 'TooManyRequests', '', 'Unavailable'],
      [404, 'NotFound', '', 'NotFound'],
      [409, 'AlreadyExists', '', 'AlreadyExists'],
      [
        409,
        'Conflict',
        'Precondition failed: UID in precondition: a, UID in object meta: b',
        'UidPrecondition',
      ],
      [
        409,
        'Conflict',
        'Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: 2',
        'ResourceVersionPrecondition',
      ],
      [409, 'Conflict', 'the object has been modified', 'StaleResourceVersion'],
      [422, 'Invalid', '', 'Invalid'],
      [403, 'Forbidden', '', 'Invalid'],
    ];
    for (const [code, reason, message, cause] of cases)
      expect(causeOfStatus({ code, reason, message })).toBe(cause);
  });
});
