/**
 * Named mutants: each flips one design switch from `hardened` and names the hazard of
 * protocol.md §10 it reopens and the property that must catch it. The model and the
 * implementation honour the same names, so a mutant the explorer catches is a mutant the
 * fuzzer must catch too.
 */
import {
  type Config,
  HARDENED,
  isPresetName,
  isSuiteName,
  PRESETS,
  type PresetName,
  type ProfileName,
  SUITES,
  type Switches,
} from './config.js';
import { parseProfile } from './profile-spec.js';
import type { PropertyName } from './property-names.js';

export interface Mutant {
  readonly name: string;
  /** The hazard of protocol.md §10 this mutant reopens, in one sentence. */
  readonly hazard: string;
  readonly property: PropertyName;
  readonly flip: Partial<Switches>;
  /**
   * The part of the `tiny` suite in which the hazard shows (default `up`). Exploring the suite
   * with this mutant starts there, so a mutant is caught without exploring the other parts.
   */
  readonly preset?: PresetName;
  /**
   * Why the model cannot show this hazard, for a mutant only the implementation can (the
   * model abstracts away what makes it possible). Its catch is the fuzzer's
   * (`checker/fuzz/mutants.test.ts`), and the explorer is not asked for one.
   */
  readonly beyondModel?: string;
}

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'no-kubelet-tombstones',
    hazard:
      'a delayed duplicate bind re-creates a pod after the kubelet evicted its entry and the pod was deleted',
    property: 'no-resurrection',
    flip: { kubeletTombstones: false },
    preset: 'down',
  },
  {
    name: 'reuse-lost-identity',
    hazard:
      'round 2 re-sends an identity that was persisted and then deleted, which the upstream cannot tell from never persisted',
    property: 'no-resurrection',
    flip: { lostIdentity: 'reuse' },
    preset: 'down',
  },
  {
    name: 'expose-without-template',
    hazard: 'a bind beats its template to the kubelet, which materialises the pod without it',
    property: 'spec-fidelity',
    flip: { exposeRequiresTemplate: false },
  },
  {
    name: 'keep-orphaned-entries',
    hazard: 'zombie in-memory entries stay behind after their template is deleted',
    property: 'caches-drain',
    flip: { dropOrphanedEntries: false },
  },
  {
    name: 'name-only-cache-key',
    hazard: 'pods with the same name in two namespaces collide under a name-only cache key',
    property: 'bounded-overshoot',
    flip: { cacheKey: 'name' },
    preset: 'tenants',
  },
  {
    name: 'count-schedule-pods',
    hazard: 'a duplicated count-based schedulePods over-provisions',
    property: 'bounded-overshoot',
    flip: { schedulePodsPayload: 'count' },
  },
  {
    name: 'no-inflight-accounting',
    hazard:
      'the scheduler over-commits a node by not counting pods it assumed but not yet saw persisted',
    property: 'capacity',
    flip: { schedulerCountsInflight: false },
    preset: 'spread',
  },
  {
    name: 'top-down-recovery',
    hazard:
      'a restarted scheduler answers the ReplicaSet controller before recovering from its kubelets, so its empty snapshot makes the controller replace pods that are in fact bound',
    property: 'bounded-overshoot',
    flip: { recovery: 'topDown' },
  },
  {
    name: 'no-fence',
    hazard:
      'a data message admitted under the old epoch lands after the handshake snapshot was taken',
    property: 'snapshot-complete',
    flip: { fence: 'none' },
  },
  {
    name: 'no-epoch-check',
    hazard: 'a server applies a data message from an old epoch',
    property: 'epoch-fencing',
    flip: { serverEpochCheck: false },
  },
  {
    name: 'opaque-epochs',
    hazard:
      'a delayed handshake installs an older epoch after the client connected on a newer one, and the session stays split until the client has data to send',
    property: 'sessions-connect',
    flip: { monotoneEpochs: false },
    preset: 'retries',
  },
  {
    name: 'no-round2',
    hazard:
      'the link connects after round 1, so a client neither re-sends what its downstream lost (a dropped count is never delivered: the first thing the explorer finds, now that retries are the client own) nor adopts what its downstream holds (a restarted client creates pods already in flight)',
    property: 'replicas-converge',
    flip: { round2: 'none' },
  },
  {
    name: 'expose-unchecked-owner',
    hazard:
      'a kubelet exposes a pod although its own informer already shows the owner ReplicaSet deleted',
    property: 'no-orphan-exposure',
    flip: { exposeChecksOwner: false },
  },
  {
    name: 'ready-update-from-memory',
    hazard:
      'the kubelet writes its whole in-memory pod to mark it Ready, overwriting a newer persisted copy',
    property: 'api-precedence',
    flip: { statusPatchOnly: false },
  },
  {
    name: 'never-ready',
    hazard: 'injected defect: the kubelet runs the sandbox but never marks the pod Ready',
    property: 'replicas-converge',
    flip: { markReady: false },
  },
  {
    name: 'no-status-updates',
    hazard: 'injected defect: the ReplicaSet controller never updates the ReplicaSet status',
    property: 'status-converges',
    flip: { writeStatus: false },
  },
  {
    name: 'remove-before-stop',
    hazard:
      "injected defect: the kubelet removes a deleted pod's object but leaves its sandbox running, unknown to anyone until a sweep finds it",
    property: 'no-leaked-sandbox',
    flip: { stopBeforeRemove: false },
  },
  {
    name: 'no-adopted-revalidation',
    hazard:
      'a client takes the entries it adopted from a handshake snapshot as checked, but the snapshot was stale: they were persisted and deleted since, and stay held for good (the kd check seed-9 find)',
    property: 'caches-drain',
    flip: { revalidateAdopted: false },
    preset: 'revalidate',
  },
  {
    name: 'release-slot-on-owner-delete',
    hazard:
      "the scheduler frees the slots of pods it assumed on a node as soon as their owner is deleted, while the node's kubelet still holds them, and places other pods there (kd check's capacity-3 find)",
    property: 'capacity',
    flip: { holdSlotUntilFreed: false },
    preset: 'slots',
  },
  {
    name: 'unconditional-write-back',
    hazard:
      "a ReplicaSet controller's write-back of an older count, still on the wire when it crashed, lands after its restarted incarnation wrote a newer one",
    property: 'api-precedence',
    flip: { writeBackPrecondition: false },
    beyondModel:
      "the model's API request is part of its stage's step, so no write outlives a crash of its writer",
  },
  {
    name: 'incarnation-only-fence',
    hazard:
      "the server compares only the incarnation of a data message's epoch, so a message sent before a re-handshake of the same client incarnation is admitted after it",
    property: 'epoch-fencing',
    flip: { fenceWholeEpoch: false },
  },
  {
    name: 'snapshot-skips-exposing',
    hazard:
      'the kubelet leaves the pods it is still exposing out of its handshake snapshot, so its client believes them lost',
    property: 'snapshot-complete',
    flip: { snapshotExposing: false },
  },
  {
    name: 'epoch-counter-resets',
    hazard:
      'a client starts its epoch counter again when a link reconnects, so a new handshake reuses an epoch whose delayed messages the server would admit',
    property: 'handshake-epochs-increase',
    flip: { epochCounterPerIncarnation: false },
  },
  {
    name: 'scale-down-before-upstream-sync',
    hazard:
      'a restarted ReplicaSet controller scales down to the persisted count before the Deployment controller re-sent the newer count its crash lost, and deletes a Ready pod the function still wants',
    property: 'deletes-only-surplus',
    flip: { scaleDownAfterUpstreamSync: false },
  },
  {
    name: 'sync-only-held-counts',
    hazard:
      "the Deployment and ReplicaSet controllers both crash after a count was admitted and before its write-back; the restarted Deployment controller's sync carries only the counts it holds (none), so the restarted ReplicaSet controller scales down to the stale persisted count and deletes a Ready pod",
    property: 'deletes-only-surplus',
    flip: { syncCarriesTargets: false },
    preset: 'surplus',
  },
  {
    name: 'delete-for-in-flight-surplus',
    hazard:
      "the load drops while the pods of a scale-up are still in flight: the ReplicaSet controller deletes a persisted Ready pod towards a surplus made of pods that are not running yet (kd check's deletes-only-surplus find)",
    property: 'deletes-only-surplus',
    flip: { surplusWaitsForInFlight: false },
    preset: 'rescale',
  },
  {
    name: 'delete-on-stale-readiness',
    hazard:
      "the ReplicaSet controller's informer still shows a pod not Ready when it ranks the victims of a scale-down; the pod became Ready meanwhile and is deleted, while the one left is not Ready",
    property: 'deletes-only-surplus',
    flip: { scaleDownPrecondition: false },
    preset: 'rescale',
  },
  {
    name: 'no-deployment-status',
    hazard: 'injected defect: the Deployment controller never updates the Deployment status',
    property: 'status-converges',
    flip: { writeDeploymentStatus: false },
  },
];

export const findMutant = (name: string): Mutant | undefined =>
  MUTANTS.find((m) => m.name === name);

/** The part of `tiny` where a mutant's hazard shows. */
export const mutantPreset = (mutant: Mutant): PresetName => mutant.preset ?? 'up';

const knownPresets = (): string => [...Object.keys(SUITES), ...Object.keys(PRESETS)].join(', ');

/**
 * The configurations a `--preset` name stands for: one for a preset, one per part for a
 * suite. Under a mutant, the suite's part where its hazard shows comes first.
 */
export const makeConfigs = (
  preset: string,
  profile: ProfileName | string,
  mutant: string | null,
): Config[] => {
  if (!isSuiteName(preset)) return [makeConfig(preset, profile, mutant)];
  const found = mutant === null ? undefined : findMutant(mutant);
  const first = found === undefined ? undefined : mutantPreset(found);
  const parts = SUITES[preset];
  const ordered =
    first !== undefined && parts.includes(first)
      ? [first, ...parts.filter((p) => p !== first)]
      : parts;
  return ordered.map((part) => makeConfig(part, profile, mutant));
};

/** Resolves preset, profile and mutant names into a `Config`; throws a clear error on bad names. */
export const makeConfig = (
  preset: PresetName | string,
  profile: ProfileName | string,
  mutant: string | null,
): Config => {
  if (!isPresetName(preset))
    throw new Error(
      isSuiteName(preset)
        ? `'${preset}' is a suite of presets (${SUITES[preset].join(', ')}), not one preset`
        : `unknown preset '${preset}' (known: ${knownPresets()})`,
    );
  const presetValue = PRESETS[preset];
  // `hardened:autoscalerLink=direct`: a profile with switches set otherwise (profile-spec.ts).
  const spec = parseProfile(profile);
  if (mutant === null)
    return { preset: presetValue, profile: spec.name, switches: spec.switches, mutant: null };
  const found = findMutant(mutant);
  if (!found) throw new Error(`unknown mutant '${mutant}' (see kd explore --list-mutants)`);
  if (spec.name !== 'hardened')
    throw new Error('a mutant flips one switch from the hardened profile; use --profile hardened');
  return {
    preset: presetValue,
    profile: 'hardened',
    switches: { ...HARDENED, ...spec.overrides, ...found.flip },
    mutant: found.name,
  };
};
