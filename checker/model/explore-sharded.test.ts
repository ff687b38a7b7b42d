import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../properties/catalogue.js';
import { exploreParallel } from '../../spec/explore/parallel.js';
import { type ExploreResult, explore } from '../../spec/explore.js';
import type { Model } from '../../spec/model.js';
import { exploreSharded } from '../../spec/test-support/shards.js';
import { makeConfigs } from '../../spec/types/mutants.js';
import { createWorldModel } from '../../spec/world.js';
import { exploreWorker } from './explore-worker.js';

/**
 * The sharded search (`spec/explore/shard.ts`, run by `--workers` on threads) against the
 * one-thread explorer, on real worlds small enough for the unit suite: the same states,
 * transitions, depth and verdicts whatever the number of shards.
 */
const modelOf = (preset: string, mutant: string | null = null): Model<unknown> => {
  const [config] = makeConfigs(preset, 'hardened', mutant);
  if (config === undefined) throw new Error(`no config for ${preset}`);
  return createWorldModel(config) as Model<unknown>;
};

const outline = (result: ExploreResult) => ({
  states: result.states,
  transitions: result.transitions,
  depth: result.depth,
  levels: result.levels,
  complete: result.complete,
  stopReason: result.stopReason,
  properties: result.properties,
  violated: result.violations.map((v) => [v.property, v.liveness ?? 'safety']),
});

describe('the sharded search agrees with the one-thread explorer', () => {
  const model = modelOf('retries');
  const reference = explore(model, CATALOGUE, { stopAtFirstViolation: false });

  it.each([1, 2, 3])('retries, hardened, %i shard(s): same states, edges and verdicts', (n) => {
    expect(reference.complete).toBe(true);
    expect(outline(exploreSharded(model, CATALOGUE, n, { stopAtFirstViolation: false }))).toEqual(
      outline(reference),
    );
  });

  it('finds the liveness violation of a mutant with a trace that replays', () => {
    const mutant = modelOf('retries', 'opaque-epochs');
    const one = explore(mutant, CATALOGUE, { stopAtFirstViolation: false });
    const sharded = exploreSharded(mutant, CATALOGUE, 3, { stopAtFirstViolation: false });
    expect(outline(sharded)).toEqual(outline(one));
    expect(sharded.violations.map((v) => v.property)).toContain('sessions-connect');
    // Each trace was replayed from the initial state, fingerprint by fingerprint.
    for (const v of sharded.violations) expect(v.summaries).toHaveLength(v.steps.length + 1);
  });

  it('stops within its share of --max-states, incomplete', () => {
    const result = exploreSharded(model, CATALOGUE, 2, { maxStates: 300 });
    expect(result.states).toBeLessThanOrEqual(300);
    // A full shard stops expanding: a few transitions more than the one-thread search's
    // (the rest of the state it was expanding), not the rest of the level.
    const one = exploreSharded(model, CATALOGUE, 1, { maxStates: 300 });
    const alone = explore(model, CATALOGUE, { maxStates: 300 });
    expect(one.transitions - alone.transitions).toBeLessThan(20);
    expect(result).toMatchObject({ complete: false, stopReason: 'maxStates' });
    expect(result.properties.filter((p) => p.status === 'holds' && p.kind !== 'sometimes')).toEqual(
      [],
    );
  });
});

describe('kd explore --workers: the shards on worker threads', () => {
  it('explores retries on two threads to the same result as one', async () => {
    const [config] = makeConfigs('retries', 'hardened', null);
    if (config === undefined) throw new Error('no retries config');
    const model = createWorldModel(config) as Model<unknown>;
    const one = explore(model, CATALOGUE, { stopAtFirstViolation: false });
    const two = await exploreParallel(model, CATALOGUE, {
      workers: 2,
      worker: exploreWorker(config),
      stopAtFirstViolation: false,
    });
    expect(outline(two)).toEqual(outline(one));
  }, 60_000);

  it('stops at --max-depth on two threads where one thread does', async () => {
    const [config] = makeConfigs('up', 'hardened', null);
    if (config === undefined) throw new Error('no up config');
    const model = createWorldModel(config) as Model<unknown>;
    const options = { stopAtFirstViolation: false, maxDepth: 6 };
    const one = explore(model, CATALOGUE, options);
    const two = await exploreParallel(model, CATALOGUE, {
      ...options,
      workers: 2,
      worker: exploreWorker(config),
    });
    expect(one).toMatchObject({ depth: 6, complete: false, stopReason: 'maxDepth' });
    expect(outline(two)).toEqual(outline(one));
  }, 60_000);

  it('does not depend on message timing: the same traces as the shards stepped in turn', async () => {
    // Which shard holds a state, and so which parent a trace goes through, follows from the
    // claims and moves alone, answered in shard order: threads must reproduce the in-turn run.
    const [config] = makeConfigs('retries', 'hardened', 'opaque-epochs');
    if (config === undefined) throw new Error('no retries config');
    const model = createWorldModel(config) as Model<unknown>;
    const inTurn = exploreSharded(model, CATALOGUE, 2, { stopAtFirstViolation: false });
    const threads = await exploreParallel(model, CATALOGUE, {
      workers: 2,
      worker: exploreWorker(config),
      stopAtFirstViolation: false,
    });
    expect(threads.violations.length).toBeGreaterThan(0);
    expect(threads.violations).toEqual(inTurn.violations);
    // Which shard expanded which state shows in what crossed between them.
    expect(threads.sharding?.moved).toBeGreaterThan(0);
    expect(threads.sharding).toEqual(inTurn.sharding);
  }, 60_000);
});

describe('kd explore --workers when a worker fails', () => {
  it('rejects with the worker error instead of waiting for it forever', async () => {
    const [config] = makeConfigs('retries', 'hardened', null);
    if (config === undefined) throw new Error('no retries config');
    const broken = {
      ...exploreWorker(config),
      url: new URL('./no-such-worker.ts', import.meta.url),
    };
    await expect(
      exploreParallel(createWorldModel(config) as Model<unknown>, CATALOGUE, {
        workers: 2,
        worker: broken,
      }),
    ).rejects.toThrow(/no-such-worker/);
  }, 60_000);
});
