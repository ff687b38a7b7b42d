import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { HARDENED, PRESETS, type Preset } from '../../spec/types/config.js';
import { tempDir } from '../../test-support/temp-dir.js';
import { changedFieldsView, traceRows } from './changes.js';
import { formatTrace } from './format.js';
import {
  loadAllCounterexamples,
  loadCounterexample,
  loadIndex,
  parseCounterexample,
} from './load.js';
import { counterexampleFileName, saveCounterexample } from './save.js';
import { type Counterexample, PresetSchema } from './schema.js';

const sample = (overrides: Partial<Counterexample> = {}): Counterexample => ({
  format: 1,
  kind: 'safety',
  tool: 'explore',
  profile: 'hardened',
  mutant: 'no-kubelet-tombstones',
  switches: { ...HARDENED, kubeletTombstones: false },
  preset: PRESETS.down,
  property: 'no-resurrection',
  message: 'pod a/fn-1 came back',
  failingStep: 2,
  cycleStart: null,
  steps: [
    { actor: 'replicaset', label: 'send schedulePods a/fn' },
    { actor: 'kubelet/n1', label: 'bind a/fn-1' },
  ],
  trace: ['(lines)'],
  expected: 'expected-failure',
  source: { command: 'kd explore --mutant no-kubelet-tombstones' },
  createdBy: 'kd explore 0.1.0',
  ...overrides,
});

let dir: string;
beforeEach(() => {
  dir = tempDir('kd-trace-test');
});

const errorOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('counterexample files', () => {
  it('round-trips through save and load', () => {
    const path = saveCounterexample(sample(), dir);
    expect(path).toBe(
      join(dir, 'explore-down-hardened-no-kubelet-tombstones-no-resurrection.json'),
    );
    expect(loadCounterexample(path)).toEqual(sample());
  });

  it('writes stable bytes: schema key order, sorted switches, trailing newline', () => {
    const shuffled = Object.fromEntries(Object.entries(sample()).reverse()) as Counterexample;
    const path = saveCounterexample(shuffled, dir);
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(Object.keys(sample()));
    const switches = Object.keys(JSON.parse(text).switches);
    expect(switches).toEqual([...switches].sort());
    saveCounterexample(sample(), dir);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('keeps a sorted index, replacing the entry of an overwritten file', () => {
    saveCounterexample(sample({ property: 'spec-fidelity', mutant: null, expected: 'open' }), dir);
    saveCounterexample(sample(), dir);
    saveCounterexample(sample({ expected: 'fixed' }), dir);
    expect(loadIndex(dir)).toEqual([
      {
        file: 'explore-down-hardened-no-kubelet-tombstones-no-resurrection.json',
        property: 'no-resurrection',
        profile: 'hardened',
        mutant: 'no-kubelet-tombstones',
        expected: 'fixed',
      },
      {
        file: 'explore-down-hardened-spec-fidelity.json',
        property: 'spec-fidelity',
        profile: 'hardened',
        mutant: null,
        expected: 'open',
      },
    ]);
    expect(loadAllCounterexamples(dir).map((entry) => entry.file)).toEqual([
      'explore-down-hardened-no-kubelet-tombstones-no-resurrection.json',
      'explore-down-hardened-spec-fidelity.json',
    ]);
  });

  it('never overwrites a fixed file: the new find is written beside it', () => {
    saveCounterexample(sample({ expected: 'fixed' }), dir);
    const path = saveCounterexample(sample(), dir);
    expect(path).toBe(
      join(dir, 'explore-down-hardened-no-kubelet-tombstones-no-resurrection-2.json'),
    );
    expect(loadIndex(dir).map((e) => [e.file.endsWith('-2.json'), e.expected])).toEqual([
      [true, 'expected-failure'],
      [false, 'fixed'],
    ]);
  });

  it('overwrites an open checker find only with the same case; a mutant find always', () => {
    const impl = (seed: number) => ({
      preset: 'small',
      mode: 'direct' as const,
      pods: 1,
      nodes: 1,
      functions: 1,
      tenants: false,
      seed,
      livenessStepMax: 10,
      schedule: [],
    });
    const check = (seed: number) =>
      sample({ tool: 'check', mutant: null, expected: 'open', impl: impl(seed) });
    const first = saveCounterexample(check(1), dir);
    expect(saveCounterexample(check(2), dir)).toBe(first.replace(/\.json$/, '-2.json'));
    expect(saveCounterexample(check(1), dir)).toBe(first);
    expect(readdirSync(dir).sort()).toEqual([
      'check-small-hardened-no-resurrection-2.json',
      'check-small-hardened-no-resurrection.json',
      'index.json',
    ]);
    const mutant = (seed: number) =>
      sample({ tool: 'check', expected: 'expected-failure', impl: impl(seed) });
    const kept = saveCounterexample(mutant(1), dir);
    expect(saveCounterexample(mutant(2), dir)).toBe(kept);
  });

  it('never deletes files it did not write', () => {
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    saveCounterexample(sample(), dir);
    expect(readdirSync(dir).sort()).toEqual([
      'explore-down-hardened-no-kubelet-tombstones-no-resurrection.json',
      'index.json',
      'notes.txt',
    ]);
  });

  it('makes file names portable whatever the mutant is called', () => {
    expect(counterexampleFileName({ ...sample(), mutant: 'a b/c' })).toBe(
      'explore-down-hardened-a_b_c-no-resurrection.json',
    );
  });

  it('refuses to save an invalid counterexample', () => {
    expect(() => saveCounterexample(sample({ failingStep: 7 }), dir)).toThrow(/failingStep/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names a missing field', () => {
    const { message: _, ...rest } = sample();
    expect(errorOf(() => parseCounterexample(JSON.stringify(rest), 'cx.json'))).toBe(
      'cx.json: message: missing (expected string)',
    );
  });

  it('names a field of the wrong type with its full path', () => {
    const bad = { ...sample(), steps: [{ actor: 'api', label: 3 }] };
    expect(errorOf(() => parseCounterexample(JSON.stringify(bad), 'cx.json'))).toMatch(
      /^cx\.json: steps\[0\]\.label: .*expected string, received number/,
    );
  });

  it('names an unknown property, a misspelt field and a step beyond the trace', () => {
    const bad = { ...sample(), property: 'no-such', failingSteps: 1, cycleStart: 5 };
    const message = errorOf(() => parseCounterexample(JSON.stringify(bad), 'cx.json'));
    expect(message).toContain('property: ');
    expect(message).toContain('failingSteps');
  });

  it('reports bad JSON with the file name and no stack', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "format": 1,');
    const message = errorOf(() => loadCounterexample(path));
    expect(message).toMatch(new RegExp(`^${path}: not valid JSON: `));
    expect(message).not.toContain('\n    at ');
  });

  it('reports a missing file with its name', () => {
    expect(errorOf(() => loadCounterexample(join(dir, 'nope.json')))).toMatch(
      /nope\.json: cannot read/,
    );
  });

  it('describes every preset of the code, field for field', () => {
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    const same: Same<z.infer<typeof PresetSchema>, Preset> = true;
    expect(same).toBe(true);
    for (const preset of Object.values(PRESETS)) expect(PresetSchema.parse(preset)).toEqual(preset);
  });
});

describe('formatTrace', () => {
  it('pads columns and marks the failing step', () => {
    const lines = formatTrace({
      steps: [
        { actor: 'replicaset', label: 'send schedulePods a/fn' },
        { actor: 'api', label: 'outage' },
      ],
      summaries: ['init', 'rs sent 1', 'api down'],
      failingStep: 2,
    });
    expect(lines).toEqual([
      '  step | actor      | action                 | state after',
      '     0 |            | (initial)              | init',
      '     1 | replicaset | send schedulePods a/fn | rs sent 1',
      '>    2 | api        | outage                 | api down',
      '> the property fails after step 2',
    ]);
  });

  it('marks the start of a cycle', () => {
    const lines = formatTrace({
      steps: [
        { actor: 'a', label: 'x' },
        { actor: 'a', label: 'y' },
        { actor: 'a', label: 'z' },
      ],
      summaries: ['s0', 's1', 's2', 's1'],
      failingStep: 1,
      cycleStart: 1,
    });
    expect(lines[2]).toBe('>@    1 | a     | x         | s1');
    expect(lines.at(-1)).toBe('> the property fails after step 1; @ steps 2..3 repeat forever');
  });
});

describe('changedFieldsView', () => {
  const stored = formatTrace({
    steps: [
      { actor: 'environment', label: 'load a/fn=1' },
      { actor: 'fault', label: 'crash replicaset' },
      { actor: 'net', label: 'deliver replicaset.scale' },
    ],
    summaries: [
      'load a/fn=0 | api [] | held -',
      'load a/fn=1 | api [] | held -',
      'load a/fn=1 | api [] | held replicaset:down',
      'load a/fn=1 | api [] | held replicaset:down',
    ],
    failingStep: 3,
  });

  it('prints the first state in full, then each step with only the fields it changed', () => {
    expect(changedFieldsView(stored)).toEqual([
      '  0  initial state',
      '        load a/fn=0',
      '        api []',
      '        held -',
      '  1  environment: load a/fn=1',
      '        load a/fn=1',
      '  2  fault: crash replicaset',
      '        held replicaset:down',
      '> 3  net: deliver replicaset.scale',
      '> the property fails after step 3',
    ]);
  });

  it('prints a state in full after steps left out, and reads back what the table stored', () => {
    const gap = formatTrace({
      steps: [
        { actor: 'policy', label: '(9 steps of the liveness phase left out)' },
        { actor: 'a', label: 'x' },
      ],
      summaries: ['s 0 | t 0', '…', 's 1 | t 0'],
      failingStep: 2,
    });
    expect(changedFieldsView(gap).slice(3)).toEqual([
      '  1  policy: (9 steps of the liveness phase left out)',
      '        …',
      '> 2  a: x',
      '        s 1',
      '        t 0',
      '> the property fails after step 2',
    ]);
    expect(traceRows(gap).map((row) => row.state)).toEqual(['s 0 | t 0', '…', 's 1 | t 0']);
  });
});
