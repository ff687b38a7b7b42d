import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import type { StageId } from '../../../spec/types/ids.js';
import { makeConfig } from '../../../spec/types/mutants.js';
import type { StageInput } from '../../stages/io.js';
import { STAGES } from '../../stages/registry.js';
import { initialOf } from './dispatch.js';

const config = makeConfig('small', 'hardened', null);

const inputs: [keyof typeof STAGES, StageInput][] = (
  [
    ['autoscaler', 'autoscaler', ['deployment']],
    ['deployment', 'deployment', ['replicaset']],
    ['replicaset', 'replicaset', ['scheduler']],
    ['scheduler', 'scheduler', ['kubelet/n1', 'kubelet/n2']],
    ['kubelet', 'kubelet/n1', []],
  ] as const
).map(([kind, id, downstream]) => [
  kind,
  { id: id as StageId, config, mode: 'direct', downstream: [...downstream] as StageId[] },
]);

describe('initialOf (one inert scope per machine)', () => {
  it.each(inputs)(
    'starts the %s machine as xstate’s initialTransition does, every time',
    (kind, input) => {
      const { machine } = STAGES[kind];
      // Each mode twice, in turn: no start may see anything of the one before (the scope is
      // shared). The machines have no entry actions today; the comparison keeps it so.
      for (const mode of ['direct', 'api', 'direct', 'api'] as const) {
        const [expected, expectedActions] = initialTransition(machine, { ...input, mode });
        const { snapshot, actions } = initialOf(machine)({ ...input, mode });
        expect(snapshot.value).toEqual(expected.value);
        expect(snapshot.context).toEqual(expected.context);
        expect(snapshot.status).toBe(expected.status);
        expect(actions).toEqual(expectedActions);
      }
    },
  );
});
