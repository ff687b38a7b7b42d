/**
 * Exploring a suite: its presets one after another, reported as one run.
 *
 * A suite is a union of small worlds, not a bigger world: each part is explored exhaustively
 * on its own, and the suite's verdict is the union of theirs. A safety or liveness property
 * holds only if it holds in every part; it is violated if any part violates it; a
 * reachability property is exercised if any part exercises it. States, transitions and
 * seconds add up, and so do the parts' fingerprint-collision probabilities (a union bound);
 * `maxStates` bounds each part (a larger world is cut, a smaller one is not).
 */

import {
  type ExploreOptions,
  type ExploreResult,
  explore,
  type PropertyResult,
  type PropertyStatus,
  type ShardTraffic,
  type Violation,
} from '../explore.js';
import type { Model } from '../model.js';
import type { Catalogue, Config, PropertyName } from '../types/index.js';

export interface SuitePart {
  readonly config: Config;
  readonly result: ExploreResult;
}

/** A violation and the part (config) whose model reproduces it. */
export interface Finding {
  readonly config: Config;
  readonly violation: Violation;
}

export interface SuiteResult {
  /** The parts explored, in order; a violation (when stopping at the first) skips the rest. */
  readonly parts: readonly SuitePart[];
  readonly total: ExploreResult;
  /** The first violation of each property over all parts, with its part. */
  readonly findings: readonly Finding[];
}

interface SuiteOptions extends ExploreOptions {
  /** Called before each part is explored. */
  readonly onPart?: (config: Config, index: number) => void;
}

export function exploreSuite(
  configs: readonly Config[],
  build: (config: Config) => Model<unknown>,
  catalogue: Catalogue,
  options: SuiteOptions = {},
): SuiteResult {
  const run = new SuiteRun(configs, options);
  for (const config of configs) {
    if (!run.add(config, explore(build(config), catalogue, run.next(config)))) break;
  }
  return run.result();
}

/** The same on a part explorer that answers later: `kd explore --workers` (parallel.ts). */
export async function exploreSuiteAsync(
  configs: readonly Config[],
  explorePart: (config: Config, options: ExploreOptions) => Promise<ExploreResult>,
  options: SuiteOptions = {},
): Promise<SuiteResult> {
  const run = new SuiteRun(configs, options);
  for (const config of configs) {
    if (!run.add(config, await explorePart(config, run.next(config)))) break;
  }
  return run.result();
}

/** The parts explored so far, and the options of the next one. */
class SuiteRun {
  private readonly parts: SuitePart[] = [];
  private states = 0;
  private transitions = 0;

  constructor(
    private readonly configs: readonly Config[],
    private readonly options: SuiteOptions,
  ) {}

  next(config: Config): ExploreOptions {
    this.options.onPart?.(config, this.parts.length);
    return partOptions(this.options, this.states, this.transitions);
  }

  /** Records a part; false when the run ends here. */
  add(config: Config, result: ExploreResult): boolean {
    this.parts.push({ config, result });
    this.states += result.states;
    this.transitions += result.transitions;
    // A violation ends the run when asked to stop at the first one, and so does Ctrl-C; a
    // part cut by the state bound does not stop the others, which may be small enough to finish.
    return result.stopReason !== 'violation' && result.stopReason !== 'interrupted';
  }

  result(): SuiteResult {
    const { parts } = this;
    const findings = firstPerProperty(parts);
    return {
      parts,
      findings,
      total: total(parts, parts.length === this.configs.length, findings),
    };
  }
}

/** The part's options, with progress counted suite-wide. */
function partOptions(
  options: SuiteOptions,
  statesBefore: number,
  transitionsBefore: number,
): ExploreOptions {
  const { onProgress } = options;
  return {
    ...(options.stopAtFirstViolation === undefined
      ? {}
      : { stopAtFirstViolation: options.stopAtFirstViolation }),
    ...(options.progressIntervalMs === undefined
      ? {}
      : { progressIntervalMs: options.progressIntervalMs }),
    ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(onProgress === undefined
      ? {}
      : {
          onProgress: (p) =>
            onProgress({
              ...p,
              states: p.states + statesBefore,
              transitions: p.transitions + transitionsBefore,
            }),
        }),
  };
}

function firstPerProperty(parts: readonly SuitePart[]): Finding[] {
  const seen = new Set<PropertyName>();
  const findings: Finding[] = [];
  for (const { config, result } of parts) {
    for (const violation of result.violations) {
      if (seen.has(violation.property)) continue;
      seen.add(violation.property);
      findings.push({ config, violation });
    }
  }
  return findings;
}

function total(
  parts: readonly SuitePart[],
  allRan: boolean,
  findings: readonly Finding[],
): ExploreResult {
  const results = parts.map((p) => p.result);
  const sum = (field: 'states' | 'transitions' | 'seconds') =>
    results.reduce((acc, r) => acc + r[field], 0);
  const seconds = sum('seconds');
  // A violation that ended the run says more than a part cut by the state bound.
  const stopped =
    results.find((r) => r.stopReason === 'interrupted') ??
    results.find((r) => r.stopReason === 'violation') ??
    results.find((r) => r.stopReason !== 'done');
  return {
    states: sum('states'),
    transitions: sum('transitions'),
    depth: Math.max(0, ...results.map((r) => r.depth)),
    levels: sumLevels(results),
    seconds,
    statesPerSecond: seconds > 0 ? sum('states') / seconds : 0,
    complete: allRan && results.every((r) => r.complete),
    // Each part has its own visited set: the chance of a merge anywhere is at most the sum.
    collisionProbability: results.reduce((acc, r) => acc + r.collisionProbability, 0),
    stopReason: stopped?.stopReason ?? 'done',
    properties: mergeStatuses(results, allRan),
    violations: findings.map((f) => f.violation),
    ...shardingOf(results),
  };
}

/** The parts' states at each depth, added up (each part starts at its own depth 0). */
function sumLevels(results: readonly ExploreResult[]): number[] {
  const levels: number[] = [];
  for (const r of results) {
    for (const [depth, n] of r.levels.entries()) levels[depth] = (levels[depth] ?? 0) + n;
  }
  return levels;
}

/** The parts' traffic summed, when they ran on shards. */
function shardingOf(results: readonly ExploreResult[]): { sharding?: ShardTraffic } {
  const sharded = results.flatMap((r) => (r.sharding === undefined ? [] : [r.sharding]));
  if (sharded.length === 0) return {};
  const sum = (field: keyof ShardTraffic) => sharded.reduce((acc, t) => acc + t[field], 0);
  return { sharding: { claims: sum('claims'), granted: sum('granted'), moved: sum('moved') } };
}

/** The suite's status of each property from its parts' (see the header). */
function mergeStatuses(results: readonly ExploreResult[], allRan: boolean): PropertyResult[] {
  const first = results[0]?.properties ?? [];
  return first.map(({ name, kind }) => {
    const statuses = results.map(
      (r) => r.properties.find((p) => p.name === name)?.status ?? 'unknown',
    );
    return { name, kind, status: mergeStatus(kind === 'sometimes', statuses, allRan) };
  });
}

function mergeStatus(
  reachability: boolean,
  statuses: readonly PropertyStatus[],
  allRan: boolean,
): PropertyStatus {
  if (statuses.includes('violated')) return 'violated';
  if (reachability) return statuses.includes('holds') ? 'holds' : 'unexercised';
  return allRan && statuses.every((s) => s === 'holds') ? 'holds' : 'unknown';
}
