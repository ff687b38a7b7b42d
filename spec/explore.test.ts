import { describe, expect, it } from 'vitest';
import { type ExploreOptions, type ExploreResult, explore, type Progress } from './explore.js';
import type { Action, Model, Transition } from './model.js';
import { exploreSharded } from './test-support/shards.js';
import type {
  AlwaysProperty,
  Catalogue,
  Config,
  EventuallyProperty,
  Observation,
  SometimesProperty,
  StepProperty,
} from './types/index.js';
import { fail, OK } from './types/index.js';

// Toy models: a state is a number; its observation carries just that number.
interface ToyObservation {
  readonly n: number;
}

const nOf = (obs: Observation): number => (obs as unknown as ToyObservation).n;

type Edges = (n: number) => readonly (readonly [label: string, next: number, fault?: boolean])[];

function toyModel(edges: Edges, convergenceBound = 100, initial = 0): Model<number> {
  return {
    config: { preset: { convergenceBound } } as unknown as Config,
    initial: () => initial,
    transitions: (n): Transition<number>[] =>
      edges(n).map(([label, next, fault]) => ({
        action: { actor: 'toy', label, fault: fault ?? false } satisfies Action,
        next,
      })),
    observe: (n) => ({ n }) as unknown as Observation,
    key: (n) => `n=${n}`,
    summary: (n) => `n=${n}`,
  };
}

const always = (name: string, ok: (n: number) => boolean): AlwaysProperty => ({
  name: name as never,
  statement: name,
  kind: 'always',
  check: (obs) => (ok(nOf(obs)) ? OK : fail(`${name} broken at n=${nOf(obs)}`)),
});

const step = (name: string, ok: (from: number, to: number) => boolean): StepProperty => ({
  name: name as never,
  statement: name,
  kind: 'step',
  check: (before, after) =>
    ok(nOf(before), nOf(after)) ? OK : fail(`${name}: ${nOf(before)} -> ${nOf(after)}`),
});

const eventually = (name: string, ok: (n: number) => boolean): EventuallyProperty => ({
  name: name as never,
  statement: name,
  kind: 'eventually',
  check: (obs) => (ok(nOf(obs)) ? OK : fail(`${name} not yet at n=${nOf(obs)}`)),
});

const sometimes = (
  name: string,
  hit: (from: number, to: number) => boolean,
): SometimesProperty => ({
  name: name as never,
  statement: name,
  kind: 'sometimes',
  hit: (before, after) => hit(nOf(before), nOf(after)),
});

const catalogue = (parts: Partial<Catalogue>): Catalogue => ({
  safety: [],
  liveness: [],
  reachability: [],
  ...parts,
});

/** 0 → 1 → 2 → 3 by `inc`; a `reset` fault back to 0 from anywhere. Converged at 3. */
const counter = (bound = 100) =>
  toyModel(
    (n) => [...(n < 3 ? [['inc', n + 1] as const] : []), ['reset', 0, true] as const],
    bound,
  );

/** `a` adds 1, `b` adds 2, up to 8 or 9. */
const oneOrTwo = () =>
  toyModel((n) =>
    n < 8
      ? [
          ['a', n + 1],
          ['b', n + 2],
        ]
      : [],
  );

const labels = (steps: readonly Action[]) => steps.map((a) => a.label);

type Explorer = <S>(model: Model<S>, c: Catalogue, o?: ExploreOptions) => ExploreResult;

/**
 * Every case but the last three runs on the one-thread explorer and on the sharded search
 * behind `--workers` (three shards stepped on one thread): both must give the same answers.
 */
const EXPLORERS: [string, Explorer][] = [
  ['one thread', explore],
  ['3 shards', (model, c, options) => exploreSharded(model, c, 3, options)],
];

describe.each(EXPLORERS)('explore (%s)', (_, explore) => {
  it('visits every state of a counter with a fault and reports every property', () => {
    const result = explore(
      counter(),
      catalogue({
        safety: [always('capacity', (n) => n <= 3), step('epoch-fencing', (a, b) => b <= a + 1)],
        liveness: [eventually('replicas-converge', (n) => n === 3)],
        reachability: [
          sometimes('round2-resends', (_, b) => b === 3),
          sometimes('stale-epoch-refused', () => false),
        ],
      }),
    );
    expect(result).toMatchObject({ states: 4, transitions: 7, depth: 3, complete: true });
    expect(result.stopReason).toBe('done');
    expect(result.violations).toEqual([]);
    expect(result.properties).toEqual([
      { name: 'capacity', kind: 'always', status: 'holds' },
      { name: 'epoch-fencing', kind: 'step', status: 'holds' },
      { name: 'replicas-converge', kind: 'eventually', status: 'holds' },
      { name: 'round2-resends', kind: 'sometimes', status: 'holds' },
      { name: 'stale-epoch-refused', kind: 'sometimes', status: 'unexercised' },
    ]);
  });

  it('finds the shortest trace to a safety bug at depth 3', () => {
    // `a` is listed first: only b,b,b reaches 6 in three steps.
    const model = oneOrTwo();
    const result = explore(model, catalogue({ safety: [always('capacity', (n) => n !== 6)] }));
    expect(result.violations).toHaveLength(1);
    const [violation] = result.violations;
    expect(violation).toMatchObject({ property: 'capacity', kind: 'always', failingStep: 3 });
    expect(violation?.message).toBe('capacity broken at n=6');
    expect(labels(violation?.steps ?? [])).toEqual(['b', 'b', 'b']);
    expect(violation?.summaries).toEqual(['n=0', 'n=2', 'n=4', 'n=6']);
    expect(result.complete).toBe(false);
    expect(result.stopReason).toBe('violation');
    expect(result.properties[0]?.status).toBe('violated');
  });

  it('checks every state and transition within maxDepth steps and expands nothing beyond', () => {
    // 6 is three steps away (b,b,b), and so is the step 4 -> 6.
    const model = oneOrTwo();
    const bugs = catalogue({
      safety: [
        always('capacity', (n) => n !== 6),
        step('epoch-fencing', (from, to) => !(from === 4 && to === 6)),
      ],
    });
    const two = explore(model, bugs, { maxDepth: 2, stopAtFirstViolation: false });
    expect(two).toMatchObject({ states: 5, transitions: 6, depth: 2, levels: [1, 2, 2] });
    expect(two).toMatchObject({ complete: false, stopReason: 'maxDepth', violations: [] });
    expect(two.properties.map((p) => p.status)).toEqual(['unknown', 'unknown']);
    // One step further both are met: the state on arrival, the step from a depth-2 state.
    const three = explore(model, bugs, { maxDepth: 3, stopAtFirstViolation: false });
    expect(three.violations.map((v) => [v.property, v.steps.length])).toEqual([
      ['epoch-fencing', 3],
      ['capacity', 3],
    ]);
    expect(three.stopReason).toBe('maxDepth');
  });

  it('completes a search that ends before maxDepth', () => {
    const result = explore(counter(), catalogue({ safety: [always('capacity', () => true)] }), {
      maxDepth: 10,
    });
    expect(result).toMatchObject({ states: 4, complete: true, stopReason: 'done' });
    expect(result.properties[0]?.status).toBe('holds');
  });

  it('stopping at the first violation, reports the one met first, whoever met it', () => {
    // 0 -x-> 1, where `capacity` fails; 0 -y-> 2, a transition `epoch-fencing` forbids.
    // The search meets x's target first: only capacity is reported, as violated.
    const model = toyModel((n) =>
      n === 0
        ? [
            ['x', 1],
            ['y', 2],
          ]
        : [],
    );
    const result = explore(
      model,
      catalogue({
        safety: [
          always('capacity', (n) => n !== 1),
          step('epoch-fencing', (a, b) => b !== 2 || a !== 0),
        ],
      }),
    );
    expect(result.violations.map((v) => v.property)).toEqual(['capacity']);
    expect(result.properties.map((p) => p.status)).toEqual(['violated', 'unknown']);
  });

  it('reports a violation in the initial state at step 0', () => {
    const result = explore(counter(), catalogue({ safety: [always('capacity', (n) => n > 0)] }));
    expect(result.violations[0]).toMatchObject({ failingStep: 0, steps: [], summaries: ['n=0'] });
  });

  it('checks step properties on transitions into states already visited', () => {
    // A diamond: 0 -a-> 1 -b-> 3 and 0 -b-> 2 -a-> 3; only 2 -a-> 3 is bad, and 3 is
    // already known when it is taken.
    const diamond: Edges = (n) =>
      n === 0
        ? [
            ['a', 1],
            ['b', 2],
          ]
        : n === 1
          ? [['b', 3]]
          : n === 2
            ? [['a', 3]]
            : [];
    const result = explore(
      toyModel(diamond),
      catalogue({ safety: [step('epoch-fencing', (from, to) => !(from === 2 && to === 3))] }),
    );
    expect(result.violations).toHaveLength(1);
    expect(labels(result.violations[0]?.steps ?? [])).toEqual(['b', 'a']);
    expect(result.violations[0]?.failingStep).toBe(2);
  });

  it('merges two paths to one state and counts both transitions', () => {
    const diamond: Edges = (n) =>
      n === 0
        ? [
            ['a', 1],
            ['b', 2],
          ]
        : n === 1
          ? [['b', 3]]
          : n === 2
            ? [['a', 3]]
            : [];
    let afterCalls = 0;
    const result = explore(
      toyModel(diamond),
      catalogue({
        safety: [
          step('epoch-fencing', () => {
            afterCalls += 1;
            return true;
          }),
        ],
      }),
    );
    expect(result).toMatchObject({ states: 4, transitions: 4, depth: 2, complete: true });
    expect(result.levels).toEqual([1, 2, 1]);
    expect(afterCalls).toBe(4);
  });

  it('keeps states apart whose keys differ only slightly', () => {
    const model: Model<string> = {
      config: { preset: { convergenceBound: 10 } } as unknown as Config,
      initial: () => '',
      transitions: (s) =>
        s.length < 3
          ? ['a', 'b'].map((c) => ({ action: { actor: 't', label: c, fault: false }, next: s + c }))
          : [],
      observe: () => ({ n: 0 }) as unknown as Observation,
      key: (s) => s,
      summary: (s) => s,
    };
    expect(explore(model, catalogue({})).states).toBe(1 + 2 + 4 + 8);
  });

  it('records the first violation of each property when told not to stop', () => {
    const model = toyModel((n) =>
      n < 8
        ? [
            ['a', n + 1],
            ['b', n + 2],
          ]
        : [],
    );
    const result = explore(
      model,
      catalogue({
        safety: [always('capacity', (n) => n < 4), always('no-resurrection', (n) => n !== 7)],
      }),
      { stopAtFirstViolation: false },
    );
    expect(result.complete).toBe(true);
    expect(result.violations.map((v) => [v.property, v.failingStep])).toEqual([
      ['capacity', 2],
      ['no-resurrection', 4],
    ]);
  });

  it('reports a deadlock: an unconverged state with no fault-free action', () => {
    // From 2 only a fault leads on; faults do not count as progress.
    const model = toyModel((n) => (n < 2 ? [['inc', n + 1]] : n === 2 ? [['crash', 3, true]] : []));
    const result = explore(
      model,
      catalogue({
        liveness: [
          eventually('replicas-converge', (n) => n === 3),
          eventually('caches-drain', () => true),
        ],
      }),
    );
    expect(result.violations).toHaveLength(1);
    const [violation] = result.violations;
    expect(violation).toMatchObject({
      property: 'replicas-converge',
      kind: 'eventually',
      liveness: 'deadlock',
      failingStep: 2,
    });
    expect(violation?.message).toMatch(/^deadlock: .*replicas-converge not yet at n=2$/);
    expect(labels(violation?.steps ?? [])).toEqual(['inc', 'inc']);
    expect(result.properties.map((p) => p.status)).toEqual(['violated', 'unknown']);
  });

  it('takes a self-loop for a stutter: a state that only loops to itself is a deadlock', () => {
    const model = toyModel((n) => (n < 2 ? [['inc', n + 1]] : [['retry', n]]));
    const result = explore(
      model,
      catalogue({ liveness: [eventually('replicas-converge', (n) => n === 3)] }),
    );
    expect(result.violations[0]).toMatchObject({ liveness: 'deadlock', failingStep: 2 });
  });

  it('reports the shallowest violation of a property when told not to stop', () => {
    // Broken from k on along a chain: whichever shard owns k, step k is reported, not a later
    // one met first by another shard. Several k, so that some k is not the first shard's.
    const model = toyModel((n) => (n < 30 ? [['inc', n + 1]] : []));
    for (const k of [2, 3, 4, 5, 6, 7]) {
      const broken = catalogue({ safety: [always('capacity', (n) => n < k)] });
      const result = explore(model, broken, { stopAtFirstViolation: false });
      expect(result.violations.map((v) => v.failingStep)).toEqual([k]);
    }
  });

  it('reports a livelock as a lasso starting at the cycle state nearest the start', () => {
    // 0 -inc-> 1 -flip-> 2 -flop-> 1: never reaches 9, where it would converge.
    const model = toyModel((n) =>
      n === 0
        ? [['inc', 1]]
        : n === 1
          ? [
              ['flip', 2],
              ['reset', 0, true],
            ]
          : [['flop', 1]],
    );
    const result = explore(
      model,
      catalogue({ liveness: [eventually('sessions-connect', (n) => n === 9)] }),
    );
    const [violation] = result.violations;
    expect(violation).toMatchObject({ liveness: 'livelock', failingStep: 1, cycleStart: 1 });
    expect(labels(violation?.steps ?? [])).toEqual(['inc', 'flip', 'flop']);
    expect(violation?.summaries).toEqual(['n=0', 'n=1', 'n=2', 'n=1']);
  });

  it('finds no livelock when the only cycle goes through a fault', () => {
    const result = explore(
      counter(),
      catalogue({ liveness: [eventually('caches-drain', (n) => n === 3)] }),
    );
    expect(result.violations).toEqual([]);
  });

  it('reports a path longer than the convergence bound at its deadline', () => {
    const result = explore(
      counter(2),
      catalogue({ liveness: [eventually('caches-drain', (n) => n === 3)] }),
    );
    const [violation] = result.violations;
    expect(violation).toMatchObject({ liveness: 'slow', failingStep: 2 });
    expect(violation?.cycleStart).toBeUndefined();
    expect(labels(violation?.steps ?? [])).toEqual(['inc', 'inc', 'inc']);
    expect(violation?.message).toBe(
      'not converged within 2 fault-free steps (the longest path takes 3): caches-drain not yet at n=2',
    );
  });

  it('takes the longest of several fault-free paths to convergence', () => {
    // 0 can jump straight to 5 or crawl there by +1 steps: the crawl decides.
    const model = toyModel(
      (n) =>
        n === 0
          ? [
              ['jump', 5],
              ['crawl', 1],
            ]
          : n < 5
            ? [['crawl', n + 1]]
            : [],
      4,
    );
    const result = explore(
      model,
      catalogue({ liveness: [eventually('caches-drain', (n) => n === 5)] }),
    );
    expect(labels(result.violations[0]?.steps ?? [])).toEqual(Array(5).fill('crawl'));
  });
});

describe('explore (one thread)', () => {
  it('stops at maxStates and leaves unproven properties unknown', () => {
    const result = explore(
      counter(),
      catalogue({
        safety: [always('capacity', () => true)],
        liveness: [eventually('caches-drain', () => false)],
      }),
      { maxStates: 2 },
    );
    expect(result).toMatchObject({ states: 2, complete: false, stopReason: 'maxStates' });
    expect(result.violations).toEqual([]);
    expect(result.properties.map((p) => p.status)).toEqual(['unknown', 'unknown']);
  });

  it('reports progress with states, rate, depth and frontier', () => {
    const seen: Progress[] = [];
    explore(counter(), catalogue({}), { onProgress: (p) => seen.push(p), progressIntervalMs: 0 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ states: 4, depth: 3, frontier: 0 });
  });

  it('analyses a long chain without recursion', () => {
    const length = 200_000;
    const model = toyModel((n) => (n < length ? [['inc', n + 1]] : []), length);
    const result = explore(
      model,
      catalogue({ liveness: [eventually('caches-drain', (n) => n === length)] }),
    );
    expect(result).toMatchObject({ states: length + 1, complete: true, violations: [] });
  });
});
