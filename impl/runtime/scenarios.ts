/**
 * Named scenarios of `kd run`: a topology and a timed list of environment actions (load
 * changes, faults, writes by other actors) that the sim runtime's default policy interleaves
 * with the cluster's own events. A scenario says what happens, never how the cluster reacts.
 *
 * Times are virtual milliseconds from the end of a warm-up (`WARM_UP_MS`): the controllers
 * have started, synced their informers and connected their links before the load rises, as
 * in a cluster that runs before a burst arrives. The load rises at +1 ms; "mid burst" is
 * +5 ms, when pods are in flight between every pair of stages (a direct hop takes 0.5 ms,
 * an API call 2 ms, a sandbox start 100 ms).
 */
import type { Config } from '../../spec/types/config.js';
import { objectKey, type StageId } from '../../spec/types/ids.js';
import {
  FALLBACK_BINDING_LABEL,
  FALLBACK_SCALING_LABEL,
  knativeTemplate,
  MANAGED_LABEL,
  templateHash,
} from '../k8s/index.js';
import type { TimedAction } from './sim/policy.js';
import type { Topology, UserWrite } from './sim/types.js';

export interface ScenarioParams {
  /** Pods per function at the peak of the burst. */
  readonly pods: number;
  readonly nodes: number;
  readonly functions: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly topology: Topology;
  readonly actions: readonly TimedAction[];
  /** The load per function the run must converge to. */
  readonly finalLoad: number;
  /** Pods the run creates at least: the peak load times the functions. */
  readonly peakPods: number;
}

const DEFAULT_PARAMS: ScenarioParams = { pods: 100, nodes: 10, functions: 1 };

/** Start-up of the cluster: informer lists, handshakes and their notReady retries. */
export const WARM_UP_MS = 2000;
const MID_BURST_MS = 5;
/** Long enough for a 100-pod burst to be Ready (sandbox start 100 ms). */
const AFTER_BURST_MS = 400;
const RESTART_AFTER_MS = 20;
const OUTAGE_MS = 200;

type Build = (p: ScenarioParams, t: Topology) => { actions: TimedAction[]; finalLoad: number };

const deployments = (t: Topology): string[] =>
  t.functions.map((fn) => objectKey(fn.namespace, fn.name));

const loadAll = (t: Topology, atMs: number, load: number): TimedAction[] =>
  deployments(t).map((deployment) => ({ atMs, action: { type: 'load', deployment, load } }));

const writeAll = (t: Topology, atMs: number, write: (key: string) => UserWrite): TimedAction[] =>
  deployments(t).map((key) => ({ atMs, action: { type: 'write', write: write(key) } }));

/** The seeded ReplicaSet of every function (named after its template's hash). */
const replicaSetKeys = (t: Topology): string[] =>
  t.functions.map(
    (fn) =>
      `${fn.namespace}/${fn.name}-${templateHash(knativeTemplate({ namespace: fn.namespace, name: fn.name }))}`,
  );

const flipLabel = (t: Topology, label: string, atMs: number, on: boolean): TimedAction[] =>
  replicaSetKeys(t).map((key) => ({
    atMs,
    action: { type: 'write', write: { op: 'setLabel', kind: 'ReplicaSet', key, label, on } },
  }));

const flipManaged = (t: Topology, atMs: number, on: boolean): TimedAction[] =>
  flipLabel(t, MANAGED_LABEL, atMs, on);

const burst: Build = (p, t) => ({ actions: loadAll(t, 1, p.pods), finalLoad: p.pods });

/** A stage crashes mid burst and restarts 20 ms later. */
const crash =
  (stage: StageId): Build =>
  (p, t) => ({
    actions: [
      ...loadAll(t, 1, p.pods),
      { atMs: MID_BURST_MS, action: { type: 'crash', stage } },
      { atMs: MID_BURST_MS + RESTART_AFTER_MS, action: { type: 'restart', stage } },
    ],
    finalLoad: p.pods,
  });

const BUILDS: Readonly<Record<string, readonly [string, Build]>> = {
  burst: ['every function scales from 0 to --pods at once', burst],
  'scale-down': [
    'a burst, then down to half while pods are still in flight',
    (p, t) => ({
      actions: [...loadAll(t, 1, p.pods), ...loadAll(t, MID_BURST_MS, Math.floor(p.pods / 2))],
      finalLoad: Math.floor(p.pods / 2),
    }),
  ],
  'crash-autoscaler': ['the autoscaler crashes mid burst', crash('autoscaler')],
  'crash-deployment': ['the Deployment controller crashes mid burst', crash('deployment')],
  'crash-replicaset': ['the ReplicaSet controller crashes mid burst', crash('replicaset')],
  'crash-scheduler': ['the scheduler crashes mid burst', crash('scheduler')],
  'crash-kubelet': ['the kubelet of n1 crashes mid burst', crash('kubelet/n1')],
  'api-outage': [
    'the API Server is down for 200 ms from mid burst',
    (p, t) => ({
      actions: [
        ...loadAll(t, 1, p.pods),
        { atMs: MID_BURST_MS, action: { type: 'apiOutage', on: true } },
        { atMs: MID_BURST_MS + OUTAGE_MS, action: { type: 'apiOutage', on: false } },
      ],
      finalLoad: p.pods,
    }),
  ],
  'node-loss': [
    'node n1 is lost mid burst; its pods are replaced elsewhere',
    (p, t) => ({
      actions: [
        ...loadAll(t, 1, p.pods),
        { atMs: MID_BURST_MS, action: { type: 'nodeLoss', node: 'n1' } },
      ],
      finalLoad: p.pods,
    }),
  ],
  'label-flip': [
    "mid burst, every ReplicaSet's kubedirect/managed label is removed (the API path takes over) and put back 10 ms later",
    (p, t) => ({
      actions: [
        ...loadAll(t, 1, p.pods),
        ...flipManaged(t, MID_BURST_MS, false),
        ...flipManaged(t, MID_BURST_MS + 10, true),
      ],
      finalLoad: p.pods,
    }),
  ],
  'fallback-binding': [
    "every template Pod carries kubedirect/fallback-binding, then a burst: the scheduler's hop goes through the API",
    (p, t) => ({
      actions: [
        ...replicaSetKeys(t).map((rs) => ({
          atMs: 0,
          action: {
            type: 'write' as const,
            write: {
              op: 'setLabel' as const,
              kind: 'Pod' as const,
              key: `${rs}-template`,
              label: FALLBACK_BINDING_LABEL,
              on: true,
            },
          },
        })),
        ...loadAll(t, 1, p.pods),
      ],
      finalLoad: p.pods,
    }),
  ],
  'fallback-scaling': [
    'every ReplicaSet carries kubedirect/fallback-scaling, then a burst: the count still goes directly, the pods are created through the API; mid burst the label is removed and put back 10 ms later',
    (p, t) => ({
      actions: [
        ...flipLabel(t, FALLBACK_SCALING_LABEL, 0, true),
        ...loadAll(t, 1, p.pods),
        ...flipLabel(t, FALLBACK_SCALING_LABEL, MID_BURST_MS, false),
        ...flipLabel(t, FALLBACK_SCALING_LABEL, MID_BURST_MS + 10, true),
      ],
      finalLoad: p.pods,
    }),
  ],
  'template-change': [
    'after the burst, every function gets a new pod template (a new ReplicaSet)',
    (p, t) => ({
      actions: [
        ...loadAll(t, 1, p.pods),
        ...writeAll(t, AFTER_BURST_MS, (key) => ({ op: 'changeTemplate', key })),
      ],
      finalLoad: p.pods,
    }),
  ],
  'delete-deployment': [
    'after the burst, every function is deleted (garbage collection removes its pods)',
    (p, t) => ({
      actions: [
        ...loadAll(t, 1, p.pods),
        ...writeAll(t, AFTER_BURST_MS, (key) => ({ op: 'deleteDeployment', key })),
      ],
      finalLoad: 0,
    }),
  ],
};

export const SCENARIO_NAMES: readonly string[] = Object.keys(BUILDS);

/** The topology: `functions` tenants `fn-<i>` in namespace `default`, nodes with room to spare. */
export const topologyFor = (p: ScenarioParams): Topology => ({
  functions: Array.from({ length: p.functions }, (_, i) => ({
    namespace: 'default',
    name: `fn-${i + 1}`,
  })),
  nodes: Array.from({ length: p.nodes }, (_, i) => `n${i + 1}`),
  // Room for every pod even after a node loss, so convergence never waits for capacity.
  slotsPerNode: Math.ceil((p.pods * p.functions) / Math.max(1, p.nodes - 1)) + 1,
});

/** The scenario of that name; throws a clear error for an unknown name or bad parameters. */
export const makeScenario = (name: string, params: ScenarioParams = DEFAULT_PARAMS): Scenario => {
  const found = BUILDS[name];
  if (!found) throw new Error(`unknown scenario '${name}' (known: ${SCENARIO_NAMES.join(', ')})`);
  for (const [field, value] of Object.entries(params)) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`--${field} must be a positive whole number (got ${value})`);
  }
  if (name === 'node-loss' && params.nodes < 2)
    throw new Error('scenario node-loss needs at least 2 nodes (--nodes)');
  const [description, build] = found;
  const topology = topologyFor(params);
  const { actions, finalLoad } = build(params, topology);
  const shifted = actions.map((a) => ({ ...a, atMs: a.atMs + WARM_UP_MS }));
  const peakPods = params.pods * params.functions;
  return { name, description, topology, actions: shifted, finalLoad, peakPods };
};

/**
 * The config a scenario runs under: the switches of `base`, and no initial load, since a
 * scenario's load comes from its own actions.
 */
export const scenarioConfig = (base: Config): Config => ({
  ...base,
  preset: { ...base.preset, initialLoad: 0 },
});
