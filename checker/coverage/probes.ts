/**
 * Probes: short scripted runs that reach, every time, transitions that need a fault to
 * meet a moment a millisecond or so wide: a crash of the server while its client is in
 * round 1 or round 2 of a handshake, a lost round-2 message, a refusal of an old epoch
 * arriving during round 2, an API outage while a write is on its way. Random schedules
 * reach them only now and then; a probe plays the meeting on purpose: it runs the default
 * policy until the moment comes, then applies the fault or takes the one pending event it
 * names.
 *
 * Each probe names the transitions it exists for (`reaches`), so a test can tell when a
 * change to the machines leaves a probe reaching nothing; a probe whose moment never comes
 * throws rather than pass quietly.
 */
import {
  makeScenario,
  type ScenarioParams,
  scenarioConfig,
  WARM_UP_MS,
} from '../../impl/runtime/scenarios.js';
import { SimCluster } from '../../impl/runtime/sim/cluster.js';
import { runDefault } from '../../impl/runtime/sim/policy.js';
import type { Pending, SimAction, SimOptions } from '../../impl/runtime/sim/types.js';
import type { Mode } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import type { StageId } from '../../spec/types/ids.js';
import { makeConfig } from '../../spec/types/mutants.js';
import type { LinkPhase } from '../../spec/types/observation.js';

/** One client link of the narrow waist and the data message its client sends on it. */
interface LinkUnderTest {
  readonly client: 'autoscaler' | 'deployment' | 'replicaset';
  readonly server: StageId;
  /** The data message type the client sends (`replicaset.scale`, `scheduler.schedulePods`). */
  readonly data: string;
  /** The profile under which the link exists (the autoscaler's only with its switch). */
  readonly profile: string;
}

const LINKS: readonly LinkUnderTest[] = [
  { client: 'deployment', server: 'replicaset', data: 'replicaset.scale', profile: 'hardened' },
  {
    client: 'replicaset',
    server: 'scheduler',
    data: 'scheduler.schedulePods',
    profile: 'hardened',
  },
  {
    client: 'autoscaler',
    server: 'deployment',
    data: 'deployment.scale',
    profile: 'hardened:autoscalerLink=direct',
  },
];

const PARAMS: ScenarioParams = { pods: 3, nodes: 2, functions: 1 };
const STEP_MAX = 20_000;
/** Long enough for the 500 ms handshake retry and the 2 s dirty re-check to fire. */
const SETTLE_MS = 4000;

export interface Probe {
  readonly name: string;
  /** What it plays, in one sentence. */
  readonly description: string;
  /** The transition ids it exists for. */
  readonly reaches: readonly string[];
  readonly play: (onTransition: NonNullable<SimOptions['onTransition']>) => void;
}

/** A warmed-up cluster (hardened, or `profile`) with the moves of a probe. */
class Driver {
  readonly cluster: SimCluster;

  constructor(
    onTransition: NonNullable<SimOptions['onTransition']>,
    mode: Mode = 'direct',
    profile = 'hardened',
  ) {
    const scenario = makeScenario('burst', PARAMS);
    this.cluster = new SimCluster({
      config: scenarioConfig(makeConfig('up', profile, null)),
      mode,
      registry: STAGES,
      topology: scenario.topology,
      seed: 1,
      onTransition,
    });
    runDefault(this.cluster, { stepMax: STEP_MAX, untilMs: WARM_UP_MS });
  }

  /** The phase of a client stage's link (`down` while the stage is crashed). */
  phase(client: StageId): LinkPhase | 'down' {
    const snapshot = this.cluster.snapshotOf(client) as {
      context: { link: { phase: LinkPhase } };
    } | null;
    return snapshot?.context.link.phase ?? 'down';
  }

  /** The lifecycle state of a stage's machine (`down` while the stage is crashed). */
  stateOf(stage: StageId): string {
    const snapshot = this.cluster.snapshotOf(stage) as { value: string } | null;
    return snapshot?.value ?? 'down';
  }

  /** Default policy, one step at a time, until `done` holds; throws if it never does. */
  runUntil(what: string, done: () => boolean): void {
    for (let steps = 0; !done(); steps += 1) {
      const next = this.cluster.next();
      if (!next || steps >= STEP_MAX) throw new Error(`probe: never ${what}`);
      this.cluster.step(next.id);
    }
  }

  /** Default policy for `ms` of virtual time. */
  runFor(ms: number): void {
    runDefault(this.cluster, { stepMax: STEP_MAX, untilMs: this.cluster.nowMs + ms });
  }

  settle(): void {
    this.runFor(SETTLE_MS);
  }

  apply(action: SimAction): void {
    this.cluster.apply(action);
  }

  /** The first pending event that `match` picks; throws if there is none. */
  find(what: string, match: (p: Pending) => boolean): Pending {
    const found = this.cluster.pending().find(match);
    if (!found) throw new Error(`probe: no pending ${what}`);
    return found;
  }

  /** A message in flight from `source` of `type`. */
  message(source: string, type: string): Pending {
    return this.find(`${type} from ${source}`, (p) => {
      return p.kind === 'message' && p.message.source === source && p.message.type === type;
    });
  }

  /** The one event `act` puts on the agenda; throws unless exactly one. */
  added(act: () => void): Pending {
    const before = new Set(this.cluster.pending().map((p) => p.id));
    act();
    const added = this.cluster.pending().filter((p) => !before.has(p.id));
    if (added.length !== 1) throw new Error(`probe: ${added.length} events added, not 1`);
    return added[0] as Pending;
  }

  /** Delays a pending event far beyond the probe, so only an explicit take delivers it. */
  holdBack(id: string): void {
    this.apply({ type: 'delay', id, ms: 600_000 });
  }

  crashAndRestart(stage: StageId): void {
    this.apply({ type: 'crash', stage });
    this.apply({ type: 'restart', stage });
  }

  /** Load on the one function, so the stages have work to do. */
  load(pods: number): void {
    this.apply({ type: 'load', deployment: 'default/fn-1', load: pods });
  }
}

const probesFor = (link: LinkUnderTest): Probe[] => {
  const { client, server } = link;
  const start = (onTransition: NonNullable<SimOptions['onTransition']>) =>
    new Driver(onTransition, 'direct', link.profile);
  return [
    {
      name: `${client}: ${server} crashes during round 1`,
      description: `${server} crashes and restarts, and crashes again while ${client} is still handshaking with it`,
      reaches: [`${client}: (root) --link.down[linkIs(handshaking)]--> (targetless)`],
      play: (onTransition) => {
        const d = start(onTransition);
        d.crashAndRestart(server);
        if (d.phase(client) !== 'handshaking') throw new Error('probe: not handshaking');
        d.crashAndRestart(server);
        d.settle();
      },
    },
    {
      name: `${client}: ${server} crashes during round 2`,
      description: `${server} restarts; once ${client} is in round 2 with it, ${server} crashes again`,
      reaches: [`${client}: (root) --link.down[linkIs(syncing)]--> (targetless)`],
      play: (onTransition) => {
        const d = start(onTransition);
        d.crashAndRestart(server);
        d.runUntil(`${client} syncing`, () => d.phase(client) === 'syncing');
        d.crashAndRestart(server);
        d.settle();
      },
    },
    {
      name: `${client}: round 2 lost`,
      description: `${client}'s sync to a restarted ${server} is dropped, so its retry timer fires in round 2 and it handshakes again`,
      reaches: [`${client}: (root) --timer[retryTimer(syncing)]--> (targetless)`],
      play: (onTransition) => {
        const d = start(onTransition);
        d.crashAndRestart(server);
        d.runUntil(`${client} syncing`, () => d.phase(client) === 'syncing');
        d.apply({ type: 'drop', id: d.message(client, `${server}.sync`).id });
        d.settle();
      },
    },
    {
      name: `${client}: an old epoch refused during round 2`,
      description: `${client}'s ${link.data} is held back until its dirty re-check has started a new handshake; the server refuses the old epoch while ${client} is in round 2, and again once it is connected`,
      reaches: [
        `${client}: (root) --message[gets(syncing,epochMismatch)]--> (targetless)`,
        `${client}: (root) --message[gets(connected,epochMismatch)]--> (targetless)`,
      ],
      play: (onTransition) => {
        const d = start(onTransition);
        d.load(PARAMS.pods);
        d.runUntil(`${link.data} sent`, () =>
          d.cluster.pending().some((p) => p.kind === 'message' && p.message.type === link.data),
        );
        // Two copies of the message, both held back until taken below.
        const old = d.message(client, link.data);
        const copy = d.added(() => d.apply({ type: 'duplicate', id: old.id }));
        d.holdBack(old.id);
        d.holdBack(copy.id);
        d.runUntil(`${client} syncing again`, () => d.phase(client) === 'syncing');
        d.apply({ type: 'take', id: old.id });
        d.apply({ type: 'take', id: d.message(server, `${client}.epochMismatch`).id });
        const refusal = d.added(() => d.apply({ type: 'take', id: copy.id }));
        d.holdBack(refusal.id);
        d.runUntil(`${client} connected again`, () => d.phase(client) === 'connected');
        d.apply({ type: 'take', id: refusal.id });
        d.settle();
      },
    },
  ];
};

/**
 * The autoscaler and the Deployment controller retry a failed write on a timer. Their writes
 * come right after a load change and take a few milliseconds, so an outage must be on at
 * that moment: the autoscaler's write fails during one outage, and the Deployment
 * controller's write (the API path's `scaleReplicaSet`) during a second one.
 */
const OUTAGE_PROBE: Probe = {
  name: 'an API outage over the upstream writes',
  description:
    "on the API path, the autoscaler's scale write and then the Deployment controller's ReplicaSet write each fail in an API outage, so both retry on their timers",
  reaches: [
    'autoscaler: serving --timer[scaleTimer]--> (targetless)',
    'deployment: lifecycle.serving --timer[resyncTimer]--> (targetless)',
  ],
  play: (onTransition) => {
    const d = new Driver(onTransition, 'api');
    d.apply({ type: 'apiOutage', on: true });
    d.load(PARAMS.pods);
    d.runFor(1500);
    d.apply({ type: 'apiOutage', on: false });
    d.runUntil('a Deployment controller write', () =>
      d.cluster.pending().some((p) => p.kind === 'api' && p.stage === 'deployment'),
    );
    d.apply({ type: 'apiOutage', on: true });
    d.runFor(1500);
    d.apply({ type: 'apiOutage', on: false });
    d.settle();
  },
};

/**
 * A leased stage that restarts during an API outage cannot read its Lease and retries on
 * its lease timer. Restarts at a random moment rarely fall in an outage, so this one does:
 * on the direct autoscaler link (the autoscaler leases only there), the three upstream
 * stages crash and restart while the API Server is down.
 */
const LEASE_PROBE: Probe = {
  name: 'a restart during an API outage',
  description:
    'the autoscaler, the Deployment controller and the ReplicaSet controller restart while the API Server is down, so each retries its Lease on its timer',
  reaches: [
    'autoscaler: (root) --timer[leaseTimer]--> (targetless)',
    'deployment: (root) --timer[leaseTimer]--> (targetless)',
    'replicaset: (root) --timer[leaseTimer]--> (targetless)',
  ],
  play: (onTransition) => {
    const d = new Driver(onTransition, 'direct', 'hardened:autoscalerLink=direct');
    d.apply({ type: 'apiOutage', on: true });
    for (const stage of ['autoscaler', 'deployment', 'replicaset'] as const)
      d.crashAndRestart(stage);
    d.runFor(1500);
    d.apply({ type: 'apiOutage', on: false });
    d.settle();
  },
};

/**
 * A restarted scheduler leaves `syncing` once its informers have synced and it holds its
 * Lease, a couple of milliseconds after the restart. Its informers' progress moves only with
 * streamed events and watch bookmarks (not with the initial list), and bookmarks come every
 * 10 ms, so unless something is written in those milliseconds, progress reaches a syncing
 * scheduler only when its Lease is late: here its Lease read is held back until a bookmark
 * round has told it.
 */
const SCHEDULER_PROGRESS_PROBE: Probe = {
  name: 'scheduler: informer progress before the Lease',
  description:
    "the scheduler restarts and its Lease read is held back, so a watch bookmark's progress reaches it while it is still syncing",
  reaches: ['scheduler: syncing --informer.progress--> (targetless)'],
  play: (onTransition) => {
    const d = new Driver(onTransition);
    d.crashAndRestart('scheduler');
    const read = d.find('scheduler Lease read', (p) => {
      return p.kind === 'api' && p.stage === 'scheduler' && p.intent.op === 'getLease';
    });
    d.holdBack(read.id);
    d.runFor(50);
    if (d.stateOf('scheduler') !== 'syncing') throw new Error('probe: scheduler not syncing');
    d.apply({ type: 'take', id: read.id });
    d.settle();
  },
};

/**
 * A kubelet's crash resets its connection to the scheduler at once (`link.down`), whatever
 * the scheduler is doing. The scheduler spends only milliseconds in `syncing` and
 * `recovering` after a restart, so the kubelet crashes in each on purpose.
 */
const SCHEDULER_LINK_DOWN_PROBE: Probe = {
  name: 'scheduler: a kubelet crashes while the scheduler syncs, then while it recovers',
  description:
    'the scheduler restarts; a kubelet crashes and restarts while the scheduler is still syncing, and again once it is recovering (handshaking its kubelets)',
  reaches: [
    'scheduler: syncing --link.down--> (targetless)',
    'scheduler: recovering --link.down--> (targetless)',
  ],
  play: (onTransition) => {
    const d = new Driver(onTransition);
    d.crashAndRestart('scheduler');
    d.crashAndRestart('kubelet/n1');
    d.runUntil('scheduler recovering', () => d.stateOf('scheduler') === 'recovering');
    d.crashAndRestart('kubelet/n1');
    d.settle();
  },
};

/**
 * The container runtime tells whichever kubelet incarnation is up that a sandbox started
 * (`startSandbox` in take.ts). A start takes 100 ms and a restarted kubelet syncs in a few,
 * so the report reaches a syncing kubelet only when taken at once: the kubelet crashes and
 * restarts after asking for a sandbox, and the start is taken before its informers deliver.
 */
const KUBELET_SANDBOX_PROBE: Probe = {
  name: 'kubelet: a sandbox starts while the kubelet syncs',
  description:
    'a kubelet asks for a sandbox, crashes and restarts; the runtime reports the sandbox started to the new incarnation while it is still syncing',
  reaches: ['kubelet: syncing --sandbox.started--> (targetless)'],
  play: (onTransition) => {
    const d = new Driver(onTransition);
    d.load(PARAMS.pods);
    d.runUntil('a sandbox start', () => d.cluster.pending().some((p) => p.kind === 'sandboxStart'));
    const start = d.find('sandbox start', (p) => p.kind === 'sandboxStart');
    const kubelet = start.actor as StageId;
    d.crashAndRestart(kubelet);
    if (d.stateOf(kubelet) !== 'syncing') throw new Error('probe: kubelet not syncing');
    d.apply({ type: 'take', id: start.id });
    d.settle();
  },
};

export const PROBES: readonly Probe[] = [
  ...LINKS.flatMap(probesFor),
  OUTAGE_PROBE,
  LEASE_PROBE,
  SCHEDULER_PROGRESS_PROBE,
  SCHEDULER_LINK_DOWN_PROBE,
  KUBELET_SANDBOX_PROBE,
];
