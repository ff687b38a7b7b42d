/**
 * The discovery documents clients read before they call a resource: `/api` (the core
 * versions), `/apis` (the groups), `/apis/<group>`, `/api/v1` and `/apis/<group>/<version>`
 * (the resources, their verbs and subresources), and `/version`. Only the unaggregated
 * form: a client that asks for aggregated discovery (kubectl does first) gets this and
 * falls back, as it does against an older server.
 */
import {
  GROUP_VERSIONS,
  type GroupVersion,
  groupVersionOf,
  type Resource,
  resourcesOf,
  type Subresource,
} from './routes.js';
import { notFoundPath, type Reply } from './status.js';

const OBJECT_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

const SUBRESOURCE_VERBS: Readonly<Record<Subresource, readonly string[]>> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  binding: ['create'],
};

const SUBRESOURCE_KIND: Readonly<Record<Subresource, (r: Resource) => string>> = {
  status: (r) => r.kind,
  scale: () => 'Scale',
  binding: () => 'Binding',
};

const apiResourcesOf = (resource: Resource) => [
  {
    name: resource.plural,
    singularName: resource.singular,
    namespaced: resource.namespaced,
    kind: resource.kind,
    verbs: OBJECT_VERBS,
    ...(resource.shortNames.length > 0 ? { shortNames: resource.shortNames } : {}),
  },
  ...resource.subresources.map((sub) => ({
    name: `${resource.plural}/${sub}`,
    singularName: '',
    namespaced: resource.namespaced,
    kind: SUBRESOURCE_KIND[sub](resource),
    ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
    verbs: SUBRESOURCE_VERBS[sub],
  })),
];

const apiResourceList = (gv: GroupVersion) => ({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: groupVersionOf(gv.group, gv.version),
  resources: resourcesOf(gv).flatMap(apiResourcesOf),
});

const apiGroup = (group: string) => {
  const versions = GROUP_VERSIONS.filter((gv) => gv.group === group).map((gv) => ({
    groupVersion: groupVersionOf(gv.group, gv.version),
    version: gv.version,
  }));
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions,
    preferredVersion: versions[0],
  };
};

const NAMED_GROUPS = [...new Set(GROUP_VERSIONS.map((gv) => gv.group))].filter((g) => g !== '');

/** Where the client came from, as the API Server reports its own address. */
const apiVersions = (serverAddress: string) => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
});

const VERSION_INFO = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-kubedirect-verify',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '1970-01-01T00:00:00Z',
  goVersion: 'none',
  compiler: 'none',
  platform: 'node/embedded',
};

const ok = (body: unknown): Reply => ({ code: 200, body });

/** The discovery document at `segments`, or a 404. */
export const discovery = (segments: readonly string[], serverAddress: string): Reply => {
  const [root, a, b, ...rest] = segments;
  if (rest.length > 0) throw notFoundPath();
  if (root === 'version' && a === undefined) return ok(VERSION_INFO);
  if (root === 'api' && a === undefined) return ok(apiVersions(serverAddress));
  if (root === 'api' && b === undefined && a === 'v1')
    return ok(apiResourceList({ group: '', version: 'v1' }));
  if (root === 'apis' && a === undefined) {
    return ok({ kind: 'APIGroupList', apiVersion: 'v1', groups: NAMED_GROUPS.map(apiGroup) });
  }
  if (root === 'apis' && a !== undefined && NAMED_GROUPS.includes(a)) {
    if (b === undefined) return ok(apiGroup(a));
    const gv = GROUP_VERSIONS.find((g) => g.group === a && g.version === b);
    if (gv) return ok(apiResourceList(gv));
  }
  throw notFoundPath();
};
