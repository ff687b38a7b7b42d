/**
 * Which properties of the catalogue a live run judges, and when. A live cut is consistent
 * (cluster.ts `cut`), but the runtime cannot see requests and messages in flight, which
 * some properties need:
 *
 * - on every cut, during faults: the state properties that read only the API, the nodes'
 *   sandboxes, the stages' caches and the handshake epochs on the wire (`PER_CUT`), and
 *   `no-resurrection` between consecutive cuts (a pod deleted before the earlier cut must
 *   not be back at the later one);
 * - at quiescence (every stage serving, nothing left to converge): every state property,
 *   `bounded-overshoot` included (its allowance for pods in flight is then exactly the
 *   desired count), and every liveness property;
 * - as each admission arrives, `epoch-fencing` (fencing.ts: a server's replies and
 *   admissions come in order over its process's channel);
 * - not judged live: the other step properties, which compare one step's events with the
 *   state just before it (`snapshot-complete`, `api-precedence`, `no-orphan-exposure`,
 *   `deletes-only-surplus`): many steps happen between two cuts. `kd check` judges them on
 *   the same stage code in the sim, step by step.
 */
import { CATALOGUE, livenessFailures, type Violation } from '../../properties/catalogue.js';
import { noResurrection } from '../../properties/safety/persistence.js';
import type { Observation } from '../../spec/types/observation.js';
import type { AlwaysProperty } from '../../spec/types/property.js';

const STATE_PROPERTIES = CATALOGUE.safety.filter((p): p is AlwaysProperty => p.kind === 'always');

/** State properties judged on every cut: none of them needs what is in flight. */
export const PER_CUT: readonly AlwaysProperty[] = STATE_PROPERTIES.filter(
  (p) => p.name !== 'bounded-overshoot',
);

const failuresOf = (properties: readonly AlwaysProperty[], obs: Observation): Violation[] =>
  properties.flatMap((p) => {
    const verdict = p.check(obs);
    return verdict.ok ? [] : [{ name: p.name, message: verdict.message }];
  });

/** What a cut taken while faults happen violates. */
export const judgeCut = (before: Observation | null, after: Observation): Violation[] => {
  const failures = failuresOf(PER_CUT, after);
  if (before !== null) {
    const verdict = noResurrection.check(before, after);
    if (!verdict.ok) failures.push({ name: noResurrection.name, message: verdict.message });
  }
  return failures;
};

/** What a quiescent cut violates: every state property and every liveness property. */
export const judgeQuiescent = (obs: Observation): Violation[] => [
  ...failuresOf(STATE_PROPERTIES, obs),
  ...livenessFailures(obs),
];
