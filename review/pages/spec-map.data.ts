/**
 * The spec map's rows: a protocol.md section, the model's handler(s) and the
 * implementation's, the properties that check it and the design switches it turns on. The
 * handlers are `file#symbol` references that `kd docs` resolves in the source (a renamed or
 * moved handler makes `kd docs` and its staleness test fail, so the map cannot drift);
 * the counterexamples of each row are found from the committed files.
 */
export interface SpecRow {
  readonly section: string;
  readonly model: readonly string[];
  readonly impl: readonly string[];
  readonly properties: readonly string[];
  readonly switches: readonly string[];
}

export const SPEC_MAP: readonly SpecRow[] = [
  {
    section: '§2 Autoscaler → Deployment: desired count',
    model: [
      'spec/stages/autoscaler.ts#writeScale',
      'spec/stages/autoscaler.ts#sendScale',
      'spec/stages/deployment.ts#withScales',
    ],
    impl: [
      'impl/stages/autoscaler/machine.ts#onLoad',
      'impl/stages/autoscaler/machine.ts#write',
      'impl/stages/autoscaler/machine.ts#send',
      'impl/stages/deployment/scale-server.ts#acceptScale',
    ],
    properties: ['replicas-converge'],
    switches: ['autoscalerLink'],
  },
  {
    section: '§2–3 Deployment → ReplicaSet: absolute count, newest version wins',
    model: ['spec/stages/deployment.ts#scaleDirect', 'spec/stages/replicaset.ts#withCounts'],
    impl: [
      'impl/stages/replicaset/handlers.ts#acceptCount',
      'impl/stages/controller/counts.ts#planCountRound2',
    ],
    properties: ['bounded-overshoot', 'caches-drain'],
    switches: [],
  },
  {
    section: '§3 ReplicaSet → scheduler: schedulePods carries pod names',
    model: ['spec/stages/replicaset.ts#freshPods', 'spec/stages/scheduler.ts#onSchedulePods'],
    impl: [
      'impl/stages/replicaset/direct.ts#mintPods',
      'impl/stages/scheduler/machine.ts#onSchedulePods',
    ],
    properties: ['bounded-overshoot'],
    switches: ['schedulePodsPayload'],
  },
  {
    section: '§2 In-memory caches keyed by namespace/name',
    model: ['spec/stages/common.ts#cacheKey'],
    impl: ['impl/stages/controller/informer.ts#cacheKey'],
    properties: ['bounded-overshoot'],
    switches: ['cacheKey'],
  },
  {
    section: '§2 Scheduler → kubelet: bind, node capacity counts assumed pods',
    model: [
      'spec/stages/scheduler.ts#chooseNode',
      'spec/stages/scheduler.ts#used',
      'spec/stages/scheduler.ts#bind',
    ],
    impl: [
      'impl/stages/scheduler/context.ts#usage',
      'impl/stages/scheduler/context.ts#bindPending',
    ],
    properties: ['capacity', 'unique-placement'],
    switches: ['schedulerCountsInflight'],
  },
  {
    section: '§4 Epochs: admission under the current epoch only',
    model: ['spec/world/session.ts#onData', 'spec/world/session.ts#applyAdmitted'],
    impl: ['impl/stages/link/server.ts#admit', 'impl/stages/link/server.ts#admitThenApply'],
    properties: ['epoch-fencing'],
    switches: ['serverEpochCheck'],
  },
  {
    section: '§4 The handshake is a fence (exclusive per source)',
    model: ['spec/world/session.ts#onHandshake'],
    impl: ['impl/stages/link/server.ts#onHandshake', 'impl/stages/link/server.ts#takeQueued'],
    properties: ['snapshot-complete'],
    switches: ['fence'],
  },
  {
    section: '§4 Epochs of one client are ordered (deterministic, monotone)',
    model: ['spec/world/session.ts#onHandshake', 'spec/world/session.ts#startHandshake'],
    impl: ['impl/stages/link/server.ts#onHandshake', 'impl/stages/link/client.ts#startHandshake'],
    properties: ['sessions-connect'],
    switches: ['monotoneEpochs'],
  },
  {
    section: '§5 Round 1: fence and report; the client checks the reply epoch',
    model: ['spec/world/session.ts#startHandshake', 'spec/world/session.ts#onHandshakeReply'],
    impl: ['impl/stages/link/client.ts#startHandshake', 'impl/stages/link/client.ts#acceptReply'],
    properties: ['snapshot-complete', 'sessions-connect'],
    switches: ['clientReplyCheck'],
  },
  {
    section: '§5 Round 2: adopt, re-send or replace, discard',
    model: [
      'spec/stages/replicaset.ts#replicaSetClient',
      'spec/stages/replicaset.ts#replaceLost',
      'spec/stages/scheduler.ts#schedulerClient',
    ],
    impl: [
      'impl/stages/link/round2.ts#planPodRound2',
      'impl/stages/replicaset/handlers.ts#replaceLost',
      'impl/stages/scheduler/round2.ts#onHandshakeReply',
    ],
    properties: ['bounded-overshoot', 'no-resurrection', 'round2-resends', 'adopted-from-snapshot'],
    switches: ['round2', 'lostIdentity', 'round2Read'],
  },
  {
    section: '§5 Bottom-up recovery',
    model: ['spec/stages/common.ts#answersHandshakes'],
    impl: ['impl/stages/link/server.ts#answersHandshakes', 'impl/stages/link/server.ts#notReady'],
    properties: ['bounded-overshoot'],
    switches: ['recovery'],
  },
  {
    section: '§6 Write-back: entries held until the informer shows them persisted',
    model: ['spec/stages/replicaset.ts#writeBack', 'spec/world/informer.ts#projectApi'],
    impl: [
      'impl/stages/replicaset/direct.ts#writeBack',
      'impl/stages/kubelet/machine.ts#onInformer',
    ],
    properties: ['caches-drain', 'api-reflects-truth', 'api-precedence'],
    switches: ['evictOnPersist', 'writeBackPrecondition'],
  },
  {
    section: '§6 Expose: materialise from the template, create after a best-effort owner check',
    model: ['spec/stages/kubelet.ts#materialise', 'spec/stages/kubelet.ts#expose'],
    impl: ['impl/stages/kubelet/machine.ts#onBindPod', 'impl/stages/kubelet/work.ts#reconcile'],
    properties: [
      'spec-fidelity',
      'no-orphan-exposure',
      'bind-races-template',
      'expose-retried-after-outage',
    ],
    switches: ['exposeRequiresTemplate', 'exposeChecksOwner'],
  },
  {
    section: '§6 API precedence: Ready is a status patch',
    model: ['spec/stages/kubelet.ts#markReady'],
    impl: ['impl/stages/kubelet/work.ts#reconcile'],
    properties: ['api-precedence', 'replicas-converge'],
    switches: ['statusPatchOnly', 'markReady'],
  },
  {
    section: '§6 Kubelet tombstones: a late duplicate bind cannot re-create a pod',
    model: ['spec/stages/kubelet.ts#withBound'],
    impl: ['impl/stages/kubelet/machine.ts#onBindPod'],
    properties: ['no-resurrection'],
    switches: ['kubeletTombstones'],
  },
  {
    section: '§6 Zombie entries dropped when the template is deleted',
    model: ['spec/stages/kubelet.ts#orphaned'],
    impl: [
      'impl/stages/kubelet/machine.ts#onInformer',
      'impl/stages/controller/informer.ts#ownerKnownGone',
    ],
    properties: ['caches-drain', 'deletion-completes'],
    switches: ['dropOrphanedEntries'],
  },
  {
    section: '§6 Deletion through the API; the kubelet stops the sandbox, then removes the pod',
    model: ['spec/stages/kubelet.ts#terminate', 'spec/world/api.ts#collectGarbage'],
    impl: ['impl/stages/replicaset/direct.ts#scaleDown', 'impl/stages/kubelet/work.ts#reconcile'],
    properties: ['no-resurrection', 'no-leaked-sandbox', 'deletion-completes'],
    switches: ['stopBeforeRemove'],
  },
  {
    section: '§6 ReplicaSet status',
    model: ['spec/stages/replicaset.ts#writeStatus'],
    impl: ['impl/stages/replicaset/direct.ts#writeStatus'],
    properties: ['status-converges'],
    switches: ['writeStatus'],
  },
  {
    section: '§7–8 Faults and writes by other actors',
    model: ['spec/world/faults.ts#faultSteps', 'spec/world/faults.ts#crash'],
    impl: ['impl/stages/link/client.ts#onServerDown', 'impl/stages/link/client.ts#onEpochMismatch'],
    properties: ['replicas-converge', 'caches-drain', 'sessions-connect', 'stale-epoch-refused'],
    switches: [],
  },
];
