/**
 * The switches a counterexample replays under. The file records every switch in force; the
 * replay runs its profile with the switches the file sets otherwise
 * (`hardened:autoscalerLink=direct`, as `kd check --profile` takes it), so a file saved
 * under such a profile replays under it, and an edited switch is run as written rather than
 * silently ignored. A switch its schema does not know, or a value the switch does not take,
 * is refused by the schema; a switch set against the file's mutant is refused here.
 */
import { findMutant, makeConfig } from '../../spec/types/mutants.js';
import type { Counterexample } from './schema.js';

/** The profile text a replay of `cx` runs under; throws naming a contradicting switch. */
export function replayProfile(cx: Counterexample): string {
  const { switches } = makeConfig(cx.preset.name, cx.profile, cx.mutant);
  const flip: Record<string, unknown> = (cx.mutant && findMutant(cx.mutant)?.flip) || {};
  const differing = Object.entries(cx.switches).filter(
    ([name, value]) => (switches as unknown as Record<string, unknown>)[name] !== value,
  );
  for (const [name, value] of differing)
    if (Object.hasOwn(flip, name))
      throw new Error(
        `switches.${name}: ${String(value)}, but mutant ${cx.mutant} sets it ${String(flip[name])}`,
      );
  return differing.length === 0
    ? cx.profile
    : `${cx.profile}:${differing.map(([name, value]) => `${name}=${String(value)}`).join(',')}`;
}

/** The switches a replay of `cx` runs with: the file's, and the profile's for any it lacks. */
export const switchesOf = (cx: Counterexample): Counterexample['switches'] => ({
  ...makeConfig(cx.preset.name, replayProfile(cx), cx.mutant).switches,
});
