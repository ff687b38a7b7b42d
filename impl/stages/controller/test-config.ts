/** Test helpers: a `StageInput` under the hardened profile with some switches flipped. */
import type { Config, Switches } from '../../../spec/types/config.js';
import { HARDENED, PRESETS } from '../../../spec/types/config.js';
import { leaseKey, type StageId } from '../../../spec/types/ids.js';
import type { Mode, StageEvent, StageInput } from '../io.js';

const configWith = (flips: Partial<Switches> = {}): Config => ({
  preset: PRESETS.up,
  profile: 'hardened',
  switches: { ...HARDENED, ...flips },
  mutant: null,
});

export const inputFor = (
  id: StageId,
  flips: Partial<Switches> = {},
  options: { mode?: Mode; downstream?: readonly StageId[] } = {},
): StageInput => ({
  id,
  config: configWith(flips),
  mode: options.mode ?? 'direct',
  downstream: options.downstream ?? [],
});

/**
 * The answers a starting leased stage gets to its lease requests (controller/lease.ts), taking
 * its Lease as incarnation `incarnation`: send them right after `start`.
 */
export const leaseTaken = (id: StageId, incarnation = 1): StageEvent[] => {
  const key = leaseKey(id);
  const get = { op: 'getLease', key } as const;
  const take = {
    op: 'takeLease',
    key,
    holder: id,
    transitions: incarnation,
    resourceVersion: 7,
  } as const;
  const lease = (transitions: number) => ({ key, holder: id, transitions, rv: 7 });
  return [
    { type: 'api.done', id: -1, intent: get, outcome: 'ok', lease: lease(incarnation - 1) },
    { type: 'api.done', id: -2, intent: take, outcome: 'ok', lease: lease(incarnation) },
  ];
};
