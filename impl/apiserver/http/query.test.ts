import { describe, expect, it } from 'vitest';
import { compileLabelSelector } from '../selectors.js';
import { parseFieldSelector, parseLabelSelector } from './query.js';

const matches = (selector: string, labels: Record<string, string>) =>
  compileLabelSelector(parseLabelSelector(selector))(labels);

describe('label selectors in Kubernetes string syntax', () => {
  it('reads equality, inequality, sets and existence, as Kubernetes does', () => {
    expect(matches('app=web', { app: 'web' })).toBe(true);
    expect(matches('app==web', { app: 'db' })).toBe(false);
    // != and notin also select objects without the label.
    expect(matches('app!=web', {})).toBe(true);
    expect(matches('tier in (a, b),app', { tier: 'b', app: 'x' })).toBe(true);
    expect(matches('tier notin (a,b)', { tier: 'a' })).toBe(false);
    expect(matches('!kubedirect/template', { 'kubedirect/template': 'true' })).toBe(false);
    expect(matches('example.com/role=', { 'example.com/role': '' })).toBe(true);
  });

  it('selects everything when empty and refuses what it cannot parse', () => {
    expect(parseLabelSelector('')).toBeUndefined();
    expect(parseLabelSelector(null)).toBeUndefined();
    for (const bad of ['app in web', 'a=b,', '=x', 'a b', 'a=(b)', 'a in (b', 'a=b=c'])
      expect(() => parseLabelSelector(bad), bad).toThrow(/unable to parse/);
  });
});

describe('field selectors', () => {
  it('serve spec.nodeName for pods, unbound pods included, and nothing else', () => {
    expect(parseFieldSelector('spec.nodeName=n1', 'Pod')).toBe('n1');
    expect(parseFieldSelector('spec.nodeName==', 'Pod')).toBe('');
    expect(() => parseFieldSelector('spec.nodeName=n1', 'Node')).toThrow(/not supported/);
    expect(() => parseFieldSelector('spec.nodeName!=n1', 'Pod')).toThrow(/not supported/);
    expect(() => parseFieldSelector('metadata.name=p1', 'Pod')).toThrow(/not supported/);
  });
});
