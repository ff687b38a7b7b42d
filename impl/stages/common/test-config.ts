/** Test helpers: a `StageInput` under the hardened profile with some switches flipped. */
import type { Config, Switches } from '../../../spec/types/config.js';
import { HARDENED, PRESETS } from '../../../spec/types/config.js';
import type { StageId } from '../../../spec/types/ids.js';
import type { Mode, StageInput } from '../io.js';

export const configWith = (flips: Partial<Switches> = {}): Config => ({
  preset: PRESETS.up,
  profile: 'hardened',
  switches: { ...HARDENED, ...flips },
  mutant: null,
});

export const inputFor = (
  id: StageId,
  flips: Partial<Switches> = {},
  options: { mode?: Mode; incarnation?: number; downstream?: readonly StageId[] } = {},
): StageInput => ({
  id,
  config: configWith(flips),
  mode: options.mode ?? 'direct',
  incarnation: options.incarnation ?? 1,
  downstream: options.downstream ?? [],
});
