/**
 * What the property catalogue and the Observations cost the explorer per state, measured by
 * leaving them out, not by timers inside the loop (a pair of clock reads costs about as much
 * as a property check). The same search runs three ways, in turn, each round starting with
 * another:
 *
 * - `as it runs`: the world model and the whole catalogue;
 * - `no properties`: every property replaced by a bare call (safety and liveness hold, no
 *   guard is hit; the explorer's own bookkeeping, liveness edges included, unchanged);
 * - `no observations`: that, and every state observed as the initial state is.
 *
 * The differences are what the properties and the Observations cost per state. Their sum
 * bounds the rate of any explorer that judges this catalogue on Observations built like
 * these: it could go no faster even if the model's step, its key and the explorer's own work
 * cost nothing (docs/design/flat-state.md, "Decision").
 */
import { CATALOGUE } from '../properties/catalogue.js';
import { exploreSuite } from '../spec/explore/suite.js';
import type { Model } from '../spec/model.js';
import type { Catalogue, Config } from '../spec/types/index.js';
import { OK } from '../spec/types/property.js';
import { createWorldModel } from '../spec/world.js';
import { figureLine } from './compare/figures.js';
import { median } from './realtime/stats.js';

/**
 * The catalogue with the same names, kinds and count, each property a bare call: safety and
 * liveness hold at once, no guard is ever hit.
 */
const HOLDING: Catalogue = {
  safety: CATALOGUE.safety.map((p) => ({ ...p, check: () => OK })),
  liveness: CATALOGUE.liveness.map((p) => ({ ...p, check: () => OK })),
  reachability: CATALOGUE.reachability.map((p) => ({ ...p, hit: () => false })),
};

/** The world model whose every state is observed as its initial state. */
const unobserved = (config: Config): Model<unknown> => {
  const model = createWorldModel(config) as Model<unknown>;
  const fixed = model.observe(model.initial());
  return { ...model, observe: () => fixed };
};

const world = (config: Config) => createWorldModel(config) as Model<unknown>;

const VARIANTS = [
  { name: 'as it runs', build: world, catalogue: CATALOGUE },
  { name: 'no properties', build: world, catalogue: HOLDING },
  { name: 'no observations', build: unobserved, catalogue: HOLDING },
] as const;

type VariantName = (typeof VARIANTS)[number]['name'];

/** Microseconds per distinct state of one run; throws if a variant met other states. */
function runVariant(
  variant: (typeof VARIANTS)[number],
  configs: readonly Config[],
  maxStates: number | undefined,
): { readonly micros: number; readonly states: number } {
  const start = performance.now();
  const result = exploreSuite(configs, variant.build, variant.catalogue, {
    stopAtFirstViolation: false,
    ...(maxStates === undefined ? {} : { maxStates }),
  }).total;
  return { micros: ((performance.now() - start) * 1000) / result.states, states: result.states };
}

/** Runs one warm-up round and `rounds` measured ones; prints each run and the figures. */
export function measureCeiling(
  label: string,
  configs: readonly Config[],
  maxStates: number | undefined,
  rounds: number,
): void {
  const micros = new Map<VariantName, number[]>(VARIANTS.map((v) => [v.name, []]));
  let states: number | null = null;
  for (let round = 0; round <= rounds; round++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const variant = VARIANTS[(i + round) % VARIANTS.length] as (typeof VARIANTS)[number];
      const run = runVariant(variant, configs, maxStates);
      // The stand-ins must not change the search: the same states, or the costs compare
      // different work.
      if (states !== null && run.states !== states)
        throw new Error(`${variant.name} met ${run.states} states, not ${states}`);
      states = run.states;
      const which = round === 0 ? 'warm-up' : `round ${round}`;
      console.log(
        `${which.padEnd(8)} ${variant.name.padEnd(16)} ${run.states} states  ${run.micros.toFixed(1)} µs/state`,
      );
      if (round > 0) micros.get(variant.name)?.push(run.micros);
    }
  }
  const of = (name: VariantName) => median(micros.get(name) ?? []) ?? 0;
  const whole = of('as it runs');
  const properties = whole - of('no properties');
  const observations = of('no properties') - of('no observations');
  console.log(figureLine(`explore ${label} per state`, whole, 'µs'));
  console.log(figureLine(`explore ${label} properties per state`, properties, 'µs'));
  console.log(figureLine(`explore ${label} observations per state`, observations, 'µs'));
  console.log(
    figureLine(
      `explore ${label} ceiling with this catalogue and these observations`,
      1e6 / Math.max(properties + observations, 1e-9),
      'states/s',
    ),
  );
}
