import { describe, expect, it } from 'vitest';
import { objectKey } from '../../../spec/types/ids.js';
import { makeConfig } from '../../../spec/types/mutants.js';
import type { KeySet, LinkObservation, Observation } from '../../../spec/types/observation.js';
import { toApiObjects } from '../../k8s/index.js';
import { STAGES } from '../../stages/registry.js';
import { WARM_UP_MS } from '../scenarios.js';
import { SimCluster } from './cluster.js';
import { type RunOptions, runDefault } from './policy.js';
import type { SimAction } from './types.js';

// The Observation reuses what did not change since the last step: the API views while the
// resourceVersion stands (and the API part while its availability stands too), each stage's
// report while its snapshot is the same object, each link's observation while its client's
// phase and epoch, its server's epoch and its messages stand, the ghost's templates while
// they did not grow, the desired counts while the load stands; its deleted pods are one
// growing set, seen as it stood at each step. Each reuse rests on an invariant of the runtime (every write
// takes a resourceVersion; xstate replaces snapshots and contexts); this compares every
// step's Observation with views and reports built afresh from the store and the snapshots,
// and its deleted pods with the pods seen to leave the store, at that step and at the end.

/**
 * A cluster on `seed` that compares every step's Observation with one built afresh,
 * keeping the API's availability and the load as the test set them.
 * `onCompared` sees each Observation once it matched.
 */
const watchedCluster = (seed: number, onCompared: (obs: Observation) => void = () => {}) => {
  const config = makeConfig('small', 'hardened', null);
  const cluster = new SimCluster({
    config,
    mode: 'direct',
    registry: STAGES,
    seed,
    observeEachStep: true,
  });
  let compared = 0;
  let apiUp = true;
  const load = new Map(
    config.preset.functions.map((fn) => [
      objectKey(fn.namespace, fn.name),
      config.preset.initialLoad,
    ]),
  );
  const everStored = new Set<string>();
  const gone = new Set<string>();
  const kept: { deletedPods: KeySet; gone: ReadonlySet<string> }[] = [];
  const compare = () => {
    const obs = cluster.observe();
    const { up, rv, ...api } = obs.api;
    expect(api).toEqual(toApiObjects(cluster.api.stored()));
    expect([up, rv]).toEqual([apiUp, cluster.api.resourceVersion]);
    for (const key of Object.keys(api.pods)) everStored.add(key);
    for (const key of everStored) if (api.pods[key] === undefined) gone.add(key);
    const deleted = [...everStored].filter((key) => obs.ghost.deletedPods.has(key));
    expect(deleted.sort()).toEqual([...gone].sort());
    kept.push({ deletedPods: obs.ghost.deletedPods, gone: new Set(gone) });
    expect(obs.desired).toEqual(Object.fromEntries(load));
    for (const stage of obs.stages) {
      const snapshot = cluster.snapshotOf(stage.id);
      if (snapshot === null) {
        expect([stage.up, stage.phase]).toEqual([false, 'down']);
        continue;
      }
      const fresh = STAGES[stage.kind].report(snapshot as never);
      expect([stage.up, stage.phase, stage.dirty, stage.informerRv]).toEqual([
        true,
        fresh.phase,
        fresh.dirty,
        fresh.informerRv,
      ]);
    }
    const freshReport = (id: string) => {
      const snapshot = cluster.snapshotOf(id as never);
      const kind = obs.stages.find((stage) => stage.id === id)?.kind;
      return snapshot && kind ? STAGES[kind].report(snapshot as never) : undefined;
    };
    for (const link of obs.links) {
      const end = freshReport(link.client)?.clients.find((c) => c.server === link.server);
      const onWire = cluster.pending().filter((p) => p.kind === 'message' && p.link === link.id);
      expect([link.clientPhase, link.clientEpoch, link.serverEpoch, link.inFlight]).toEqual([
        end?.phase ?? 'disconnected',
        end?.epoch ?? null,
        freshReport(link.server)?.serverEpochs[link.client] ?? null,
        onWire.length,
      ]);
    }
    compared += 1;
    onCompared(obs);
  };
  const run = (options: Pick<RunOptions, 'untilMs' | 'stopWhen'>) =>
    runDefault(cluster, { stepMax: 5_000, ...options, onStep: compare });
  const settle = (ms: number) => run({ untilMs: cluster.nowMs + ms });
  const act = (action: SimAction) => {
    cluster.apply(action);
    if (action.type === 'load') load.set(action.deployment, action.load);
    if (action.type === 'apiOutage') apiUp = !action.on;
    compare();
  };
  const functions = config.preset.functions.map((fn) => objectKey(fn.namespace, fn.name));
  return {
    cluster,
    functions,
    run,
    settle,
    act,
    compared: () => compared,
    gone,
    /** An earlier step's Observation still shows what was deleted by then, no more. */
    expectDeletedAsThen: () => {
      for (const { deletedPods, gone: goneThen } of kept)
        for (const key of everStored) expect(deletedPods.has(key)).toBe(goneThen.has(key));
    },
  };
};

/** Only the client's phase moved: the link's memo must look at the phase to see it. */
const onlyPhaseMoved = (before: LinkObservation, after: LinkObservation): boolean =>
  before.clientPhase !== after.clientPhase &&
  before.clientEpoch === after.clientEpoch &&
  before.serverEpoch === after.serverEpoch &&
  before.inFlight === after.inFlight;

describe('the Observation of each step', () => {
  it('equals what is built afresh, through crashes and an API outage', () => {
    const { settle, act, functions, compared, gone, expectDeletedAsThen } = watchedCluster(4);
    const [a, b] = functions;
    settle(WARM_UP_MS);
    act({ type: 'load', deployment: a as string, load: 2 });
    settle(150);
    act({ type: 'crash', stage: 'replicaset' });
    act({ type: 'load', deployment: b as string, load: 2 });
    settle(200);
    act({ type: 'restart', stage: 'replicaset' });
    act({ type: 'apiOutage', on: true });
    settle(100);
    act({ type: 'apiOutage', on: false });
    act({ type: 'load', deployment: a as string, load: 0 });
    settle(600);
    expect(compared()).toBeGreaterThan(200);
    expect(gone.size).toBeGreaterThan(0);
    expectDeletedAsThen();
  });

  // A link whose client phase moves while its epochs and its messages on the wire stay the
  // same: the restarted Deployment controller's sync is slow (delayed), the load changes
  // meanwhile, and the controller, still syncing, holds the new count back; the step that
  // delivers the syncAck connects the link and sends that count on it, so one message left
  // the wire and one came on (syncing → connected, in flight 1 → 1). A link memo that did
  // not look at the phase would keep showing `syncing` there; the run above never has it.
  it('equals what is built afresh when only a link client phase moves', () => {
    let last: readonly LinkObservation[] = [];
    let phaseOnlySteps = 0;
    const { cluster, run, settle, act, functions } = watchedCluster(4, (obs) => {
      for (const link of obs.links) {
        const before = last.find((l) => l.id === link.id);
        if (before && onlyPhaseMoved(before, link)) phaseOnlySteps += 1;
      }
      last = obs.links;
    });
    const link = 'deployment->replicaset';
    settle(WARM_UP_MS);
    act({ type: 'crash', stage: 'deployment' });
    act({ type: 'restart', stage: 'deployment' });
    run({
      stopWhen: (c) => c.observe().links.find((l) => l.id === link)?.clientPhase === 'syncing',
    });
    const sync = cluster.pending().find((p) => p.kind === 'message' && p.link === link);
    if (!sync) throw new Error(`no sync on ${link}`);
    act({ type: 'delay', id: sync.id, ms: 10 });
    act({ type: 'load', deployment: functions[0] as string, load: 2 });
    settle(300);
    expect(phaseOnlySteps).toBeGreaterThan(0);
  });
});
