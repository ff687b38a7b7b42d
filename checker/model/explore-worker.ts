/**
 * The worker thread of `kd explore --workers N`: one shard of the search over the world
 * model of the config it is given, with the real catalogue (spec/explore/shard-worker.ts).
 * `exploreWorker(config)` says how to start one.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { CATALOGUE } from '../../properties/catalogue.js';
import { SHARD_ROLE, type WorkerSpec } from '../../spec/explore/parallel.js';
import { type ShardSetup, serveShard } from '../../spec/explore/shard-worker.js';
import type { Model } from '../../spec/model.js';
import type { Config } from '../../spec/types/index.js';
import { createWorldModel } from '../../spec/world.js';

/** tsx's API, from the package the `kd` launcher runs: a worker then loads this file as is. */
const TSX_API = new URL('../../node_modules/tsx/dist/esm/api/index.mjs', import.meta.url);

export function exploreWorker(config: Config): WorkerSpec {
  return { url: new URL(import.meta.url), data: config, register: TSX_API };
}

// Test runners load modules in worker threads of their own: only a shard's data starts one.
const data = workerData as { role?: string; setup: ShardSetup; model: Config } | null;
if (!isMainThread && parentPort !== null && data?.role === SHARD_ROLE) {
  serveShard(createWorldModel(data.model) as Model<unknown>, CATALOGUE, data.setup, parentPort);
}
