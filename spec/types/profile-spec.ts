/**
 * A profile as the CLI names it: a profile name, optionally followed by switches set to
 * other values, `hardened:autoscalerLink=direct` or `hardened:fence=none,round2=none`. It is
 * how a run is checked under a switch that no profile or mutant sets (the direct autoscaler
 * link), through every command that takes `--profile`, and how a saved run names it again.
 */
import { PROFILES, type ProfileName, type Switches } from './config.js';

/** Every value each switch may take: the parser's whitelist. */
export const SWITCH_VALUES: { readonly [K in keyof Switches]: readonly Switches[K][] } = {
  schedulePodsPayload: ['names', 'count'],
  cacheKey: ['namespacedName', 'name'],
  round2: ['resend', 'none'],
  lostIdentity: ['recreate', 'reuse'],
  round2Read: ['quorum', 'informer'],
  recovery: ['bottomUp', 'topDown'],
  fence: ['exclusive', 'none'],
  serverEpochCheck: [true, false],
  clientReplyCheck: [true, false],
  monotoneEpochs: [true, false],
  autoscalerLink: ['direct', 'api'],
  exposeRequiresTemplate: [true, false],
  exposeChecksOwner: [true, false],
  evictOnPersist: [true, false],
  kubeletTombstones: [true, false],
  dropOrphanedEntries: [true, false],
  schedulerCountsInflight: [true, false],
  statusPatchOnly: [true, false],
  markReady: [true, false],
  writeStatus: [true, false],
  stopBeforeRemove: [true, false],
  revalidateAdopted: [true, false],
  holdSlotUntilFreed: [true, false],
  writeBackPrecondition: [true, false],
  fenceWholeEpoch: [true, false],
  snapshotExposing: [true, false],
  epochCounterPerIncarnation: [true, false],
  scaleDownAfterUpstreamSync: [true, false],
  syncCarriesTargets: [true, false],
  surplusWaitsForInFlight: [true, false],
  scaleDownPrecondition: [true, false],
  writeDeploymentStatus: [true, false],
};

interface ProfileSpec {
  readonly name: ProfileName;
  readonly switches: Switches;
  /** The switches set to other values than the profile's, in the order given. */
  readonly overrides: Partial<Switches>;
}

const isSwitch = (name: string): name is keyof Switches => Object.hasOwn(SWITCH_VALUES, name);

/** Parses `name[:switch=value,...]`; throws a clear error for anything unknown. */
export const parseProfile = (text: string): ProfileSpec => {
  const [name = '', list] = text.split(/:(.*)/s, 2);
  const base = PROFILES[name as ProfileName];
  if (!base)
    throw new Error(`unknown profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  const overrides: Record<string, unknown> = {};
  for (const item of list === undefined ? [] : list.split(',')) {
    const [key = '', raw] = item.split('=', 2).map((s) => s.trim());
    if (!isSwitch(key))
      throw new Error(
        `unknown switch '${key}' in profile '${text}' (known: ${Object.keys(SWITCH_VALUES).join(', ')})`,
      );
    const allowed = SWITCH_VALUES[key] as readonly unknown[];
    const value = allowed.find((v) => String(v) === raw);
    if (raw === undefined || value === undefined)
      throw new Error(`switch ${key} takes ${allowed.join(' | ')} (got '${raw ?? ''}')`);
    overrides[key] = value;
  }
  return {
    name: name as ProfileName,
    switches: { ...base, ...overrides },
    overrides: overrides as Partial<Switches>,
  };
};

/** The text that names a profile with its overrides again: `hardened:autoscalerLink=direct`. */
export const profileText = (config: {
  readonly profile: ProfileName;
  readonly switches: Switches;
}) => {
  const base = PROFILES[config.profile];
  const changed = (Object.keys(SWITCH_VALUES) as (keyof Switches)[]).filter(
    (k) => config.switches[k] !== base[k],
  );
  return changed.length === 0
    ? config.profile
    : `${config.profile}:${changed.map((k) => `${k}=${String(config.switches[k])}`).join(',')}`;
};
