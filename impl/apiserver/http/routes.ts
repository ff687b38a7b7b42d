/**
 * The resources the endpoint serves and how a URL path names one: the Kubernetes REST
 * layout, `/api/v1/...` for the core group and `/apis/<group>/<version>/...` for the others,
 * `namespaces/<ns>/` before a namespaced resource, then the object's name and a subresource.
 */
import type { Kind } from '../types.js';
import { badRequest, notFoundPath } from './status.js';

export type Subresource = 'status' | 'scale' | 'binding';

export interface Resource {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** The resource's name in paths: plural, lower case. */
  readonly plural: string;
  readonly singular: string;
  readonly kind: Kind;
  readonly namespaced: boolean;
  readonly subresources: readonly Subresource[];
  readonly shortNames: readonly string[];
}

export const RESOURCES: readonly Resource[] = [
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    subresources: ['status', 'binding'],
    shortNames: ['po'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    subresources: ['status'],
    shortNames: ['no'],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    subresources: ['status', 'scale'],
    shortNames: ['deploy'],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    subresources: ['status', 'scale'],
    shortNames: ['rs'],
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    subresources: [],
    shortNames: [],
  },
];

/** `v1` or `apps/v1`: the apiVersion of the resource's objects. */
export const groupVersionOf = (group: string, version: string): string =>
  group === '' ? version : `${group}/${version}`;

/** A group and version the endpoint serves, with its resources. */
export interface GroupVersion {
  readonly group: string;
  readonly version: string;
}

export const GROUP_VERSIONS: readonly GroupVersion[] = [
  { group: '', version: 'v1' },
  { group: 'apps', version: 'v1' },
  { group: 'coordination.k8s.io', version: 'v1' },
];

export const resourcesOf = (gv: GroupVersion): Resource[] =>
  RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version);

/** A request for a resource: a collection (no name), an object, or one of its subresources. */
export interface Target {
  readonly resource: Resource;
  /** Absent: every namespace (or a cluster-scoped resource). */
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: Subresource;
}

/** What a path names: a resource target or a discovery document. */
export type PathMeaning =
  | { readonly type: 'resource'; readonly target: Target }
  | { readonly type: 'discovery'; readonly segments: readonly string[] };

/** The decoded, non-empty segments of a path; a malformed escape is a 400. */
export const segmentsOf = (pathname: string): string[] => {
  try {
    return pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest(`malformed path ${JSON.stringify(pathname)}`);
  }
};

/** Splits `/api/v1/...` or `/apis/<group>/<version>/...` into the group version and the rest. */
const groupVersionPrefix = (
  segments: readonly string[],
): { gv: GroupVersion; rest: string[] } | undefined => {
  const [root, a, b, ...more] = segments;
  if (root === 'api' && a !== undefined) {
    return { gv: { group: '', version: a }, rest: [...(b === undefined ? [] : [b]), ...more] };
  }
  if (root === 'apis' && a !== undefined && b !== undefined) {
    return { gv: { group: a, version: b }, rest: more };
  }
  return undefined;
};

/** What a path names; anything the endpoint does not serve is a 404. */
export const parsePath = (segments: readonly string[]): PathMeaning => {
  const prefix = groupVersionPrefix(segments);
  if (!prefix || prefix.rest.length === 0) return { type: 'discovery', segments };
  const { gv, rest } = prefix;
  const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
  const [plural, name, subresource, ...extra] = namespaced ? rest.slice(2) : rest;
  const resource = resourcesOf(gv).find((r) => r.plural === plural);
  if (!resource || extra.length > 0) throw notFoundPath();
  if (namespaced !== resource.namespaced && name !== undefined) throw notFoundPath();
  if (namespaced && !resource.namespaced) throw notFoundPath();
  if (subresource !== undefined && !resource.subresources.includes(subresource as Subresource))
    throw notFoundPath();
  const target: Target = {
    resource,
    ...(namespaced ? { namespace: rest[1] as string } : {}),
    ...(name === undefined ? {} : { name }),
    ...(subresource === undefined ? {} : { subresource: subresource as Subresource }),
  };
  return { type: 'resource', target };
};
