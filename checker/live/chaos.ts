/**
 * The live chaos run: a cluster of stage processes against the embedded API endpoint,
 * driven through rounds. Each round sets a new load (a burst up or down), kills one stage's
 * process with SIGKILL while the burst is under way (the stages in turn, kubelets
 * included; with etcd, the API Server's process too, which comes back with what etcd
 * holds, and the observer then reads the API over HTTP: api-source.ts), and waits for the cluster to converge again within a bound, judging the
 * property catalogue on consistent cuts all along (judge.ts says which properties and
 * when). The loads and the moments of the kills come from the seed; what the processes do
 * in between is real time and not replayable, so a failure is reported with the round, the
 * property and its message, and the cuts before it.
 */
import { basename } from 'node:path';
import { kubeConfigFromFile } from '../../impl/k8s/client.js';
import { snapshotReader } from '../../impl/k8s/snapshot.js';
import { apiOverHttp, inProcessApi } from '../../impl/runtime/live/check/api-source.js';
import { LiveObserver } from '../../impl/runtime/live/check/observer.js';
import {
  API_PROCESS,
  type KillTarget,
  LiveCluster,
} from '../../impl/runtime/live/cluster/cluster.js';
import { makeTempFolder } from '../../impl/runtime/live/cluster/temp-folder.js';
import { prng } from '../../impl/runtime/sim/prng.js';
import type { Violation } from '../../properties/catalogue.js';
import type { StageId } from '../../spec/types/ids.js';
import type { Observation } from '../../spec/types/observation.js';
import { FencingJudge } from './fencing.js';
import { judgeCut, judgeQuiescent } from './judge.js';

export interface ChaosOptions {
  /** Kills of each stage's process (every stage kind and every kubelet). */
  readonly killsPerStage: number;
  readonly nodes: number;
  readonly slotsPerNode: number;
  /** The load of a round is drawn in [0, podsMax]. */
  readonly podsMax: number;
  readonly seed: number;
  /** A round that has not converged this long after its kill fails `convergence`. */
  readonly convergeWithinMs: number;
  /** Pause between two cuts while a round converges. */
  readonly cutEveryMs: number;
  readonly profile: string;
  /** etcd's client URL: the API Server runs as its own process on it, and is killed too. */
  readonly etcd?: string;
  /** A further fault right after each kill (a test's: etcd losing its data). */
  readonly afterKill?: (killed: KillTarget) => Promise<void>;
  readonly log?: (line: string) => void;
}

export interface ChaosRound {
  readonly round: number;
  readonly killed: KillTarget;
  readonly load: number;
  readonly killAfterMs: number;
  /** From the kill to the first quiescent cut. */
  readonly convergedMs: number | null;
  readonly cuts: number;
}

export interface ChaosResult {
  readonly rounds: readonly ChaosRound[];
  readonly kills: Readonly<Record<string, number>>;
  readonly cuts: number;
  /** Cuts that found the API unreadable (its process down or restarting): not judged. */
  readonly blindCuts: number;
  /** Admitted data messages judged for `epoch-fencing` as they arrived. */
  readonly admissions: number;
  /** Pods created over the run (distinct keys the API ever stored). */
  readonly pods: number;
  /** At every quiescence: pods above the desired count, below it, and orphaned. */
  readonly duplicated: number;
  readonly lost: number;
  readonly orphaned: number;
  readonly violations: readonly (Violation & { readonly round: number })[];
}

const FUNCTION = 'kd/fn-1';

/** Stops the run at the first violation: what follows it would be judged on a broken state. */
class Stop extends Error {}

export const runChaos = async (options: ChaosOptions): Promise<ChaosResult> => {
  const log = options.log ?? (() => undefined);
  const random = prng(options.seed);
  // A Ctrl-C that ends the process stops the cluster before removing its folder.
  const folder = makeTempFolder('kd-chaos', () => cluster.killAll());
  const dir = folder.dir;
  const nodes = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
  const cluster = new LiveCluster({
    dir,
    nodes,
    slotsPerNode: options.slotsPerNode,
    functions: [{ namespace: 'kd', name: 'fn-1' }],
    profile: options.profile,
    mode: 'direct',
    // A prefix of its own: a run never restores another's objects from a shared etcd.
    ...(options.etcd ? { etcd: options.etcd, etcdPrefix: `/kd/chaos/${basename(dir)}/` } : {}),
    recorder: {
      applied: (stage, event, incarnation) => {
        observer?.applied(stage, event);
        fencing.applied(stage, event, incarnation);
      },
      handshake: (link, epoch) => observer?.handshake(link, epoch),
      reply: (link, epoch, incarnation) => fencing.reply(link, epoch, incarnation),
    },
    onEvent: (event) => {
      if (event.type === 'fault') log(`fault in ${event.stage}: ${event.message}`);
    },
  });
  let observer: LiveObserver | undefined;
  const fencing = new FencingJudge();
  const targets: KillTarget[] = [
    'autoscaler',
    'deployment',
    'replicaset',
    'scheduler',
    ...nodes.map((n): StageId => `kubelet/${n}`),
    ...(options.etcd ? [API_PROCESS] : []),
  ];
  const kills: Record<string, number> = {};
  const rounds: ChaosRound[] = [];
  const violations: (Violation & { round: number })[] = [];
  const seen = new Set<string>();
  const tally = { duplicated: 0, lost: 0, orphaned: 0 };
  let cuts = 0;
  let blindCuts = 0;
  let previous: Observation | null = null;

  const cut = async (round: number): Promise<Observation | null> => {
    if (!observer) throw new Error('no observer');
    const obs = await observer.observe();
    if (!obs) {
      blindCuts += 1;
      return null;
    }
    cuts += 1;
    for (const key of Object.keys(obs.api.pods)) seen.add(key);
    const failures = [...judgeCut(previous, obs), ...fencing.violations.splice(0)];
    previous = obs;
    if (failures.length > 0) {
      violations.push(...failures.map((f) => ({ ...f, round })));
      throw new Stop();
    }
    return obs;
  };

  try {
    await cluster.start();
    await cluster.whenServing();
    const api = cluster.api?.api;
    observer = new LiveObserver(
      cluster,
      api ? inProcessApi(api) : apiOverHttp(snapshotReader(kubeConfigFromFile(cluster.kubeconfig))),
    );
    let load = 0;
    for (let round = 1; round <= options.killsPerStage * targets.length; round += 1) {
      const killed = targets[(round - 1) % targets.length] as KillTarget;
      load = nextLoad(random, load, options.podsMax);
      const killAfterMs = random.int(400);
      cluster.setLoad(FUNCTION, load);
      await sleep(killAfterMs);
      cluster.kill(killed);
      await options.afterKill?.(killed);
      kills[killed] = (kills[killed] ?? 0) + 1;
      const killedAt = performance.now();
      let roundCuts = 0;
      let convergedMs: number | null = null;
      while (performance.now() - killedAt < options.convergeWithinMs) {
        await sleep(options.cutEveryMs);
        const obs = await cut(round);
        if (!obs) continue;
        roundCuts += 1;
        const quiescent = obs.stages.every((s) => s.up) && judgeQuiescent(obs).length === 0;
        if (quiescent) {
          convergedMs = Math.round(performance.now() - killedAt);
          countFigures(obs, tally);
          break;
        }
      }
      if (convergedMs === null) {
        const obs = await cut(round);
        const failures = obs ? judgeQuiescent(obs) : [];
        violations.push({
          round,
          name: 'convergence',
          message: `not converged within ${options.convergeWithinMs} ms of killing ${killed}: ${failures.map((f) => `${f.name}: ${f.message}`).join('; ') || (obs ? 'a stage is down' : 'the API cannot be read')}`,
        });
        throw new Stop();
      }
      rounds.push({ round, killed, load, killAfterMs, convergedMs, cuts: roundCuts });
      log(
        `round ${round}: load ${load}, killed ${killed} after ${killAfterMs} ms, converged ${convergedMs} ms later (${roundCuts} cuts)`,
      );
    }
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  } finally {
    observer?.close();
    await cluster.stop();
    folder.remove();
  }
  return {
    rounds,
    kills,
    cuts,
    blindCuts,
    admissions: fencing.admissions,
    pods: seen.size,
    ...tally,
    violations,
  };
};

/** A new load, at least a quarter of the range away from the last: a burst up or down. */
const nextLoad = (random: ReturnType<typeof prng>, last: number, max: number): number => {
  for (;;) {
    const load = random.int(max + 1);
    if (Math.abs(load - last) >= max / 4) return load;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The run's own count, from the API and the nodes at a quiescent cut, beside the
 * properties: live pods above the load (duplicated) and Ready pods short of it (lost), pods
 * whose ReplicaSet is gone and sandboxes whose pod is gone (orphaned).
 */
const countFigures = (
  obs: Observation,
  tally: { duplicated: number; lost: number; orphaned: number },
) => {
  const pods = Object.values(obs.api.pods);
  const live = pods.filter((p) => !p.deleting);
  const ready = live.filter((p) => p.ready).length;
  const desired = obs.desired[FUNCTION] ?? 0;
  tally.duplicated += Math.max(0, live.length - desired);
  tally.lost += Math.max(0, desired - ready);
  tally.orphaned += pods.filter((p) => obs.api.replicaSets[p.ownerKey]?.uid !== p.ownerUid).length;
  for (const kubelet of obs.kubelets)
    tally.orphaned += kubelet.sandboxes.filter((s) => obs.api.pods[s.pod] === undefined).length;
};
