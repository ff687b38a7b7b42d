/**
 * Regenerates `table.generated.json`: the footprint table of the `hardened` profile, and
 * what the `artifact` profile and every mutant add to it, each derived from the model
 * (derive.ts). About two minutes per configuration, one process per core.
 *
 *   npx tsx properties/conformance/generate.ts              every table, one process per core
 *   npx tsx properties/conformance/generate.ts hardened "mutant no-fence"   only these
 *   npx tsx properties/conformance/generate.ts --jobs 1     in this process only
 *
 * The staleness test (`table.test.ts`) re-derives a sample of the model and fails, naming
 * this command, when the model produces a pair the committed table lacks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../spec/types/config.js';
import { MUTANTS, makeConfig } from '../../spec/types/mutants.js';
import { DEFAULT_WORLDS, deriveTable, type FootprintTable, type World } from './derive.js';
import { type GeneratedTables, TABLE_FILE, tableKey } from './table.js';

const COMMAND = 'npx tsx properties/conformance/generate.ts';

/** Every configuration a campaign runs: both profiles and every mutant. */
export const configurations = (): Config[] => [
  makeConfig('up', 'hardened', null),
  makeConfig('up', 'artifact', null),
  makeConfig('up', 'hardened:autoscalerLink=direct', null),
  ...MUTANTS.map((m) => makeConfig('up', 'hardened', m.name)),
];

/** What `table` adds to `base`, class by class (empty classes left out). */
export const additions = (base: FootprintTable, table: FootprintTable): FootprintTable => {
  const out: Record<string, readonly string[]> = {};
  for (const [cls, atoms] of Object.entries(table)) {
    const known = new Set(base[cls] ?? []);
    const added = atoms.filter((a) => !known.has(a));
    if (added.length > 0) out[cls] = added;
  }
  return out;
};

const describeWorlds = (): string[] =>
  DEFAULT_WORLDS.map((w) => {
    const p = w.preset;
    const shape = `${p.functions.length} function(s), ${p.nodes.length} node(s) x ${p.nodeAllocatable}, loads 0..${p.desiredMax}`;
    const how =
      w.maxStates !== undefined
        ? `breadth-first, ${w.maxStates} states`
        : `${w.walks?.count} seeded walks of ${w.walks?.length} steps (hardened: ${(w.walks?.count ?? 0) * 3})`;
    return `${w.name}: ${shape}; ${how}`;
  });

type Entry = GeneratedTables['tables'][string];

/**
 * `hardened` is the table every other one extends and the one `kd check` runs by default:
 * three times the walks (the first thousand are the other tables' walks).
 */
export const worldsFor = (key: string): readonly World[] =>
  key !== 'hardened'
    ? DEFAULT_WORLDS
    : DEFAULT_WORLDS.map((w) =>
        w.walks ? { ...w, walks: { ...w.walks, count: w.walks.count * 3 } } : w,
      );

/** Derives the full table of every configuration in `keys`, in this process. */
const deriveAll = (keys: readonly string[]): Record<string, Entry> => {
  const out: Record<string, Entry> = {};
  for (const config of configurations()) {
    const key = tableKey(config);
    if (!keys.includes(key)) continue;
    const { table, stats } = deriveTable(config, worldsFor(key));
    out[key] = { switches: config.switches, table };
    const pairs = Object.values(table).reduce((n, atoms) => n + atoms.length, 0);
    console.log(
      `${key}: ${pairs} pairs from ${stats.states} states, ${stats.transitions} transitions, ${stats.seconds.toFixed(0)} s`,
    );
  }
  return out;
};

/** Derives one configuration's table in a child process (fresh memory for each). */
const deriveInChild = (key: string): Promise<Record<string, Entry>> =>
  new Promise((done, fail) => {
    const out = join(tmpdir(), `conformance-table-${process.pid}-${key.replace(/\W/g, '-')}.json`);
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, [...process.execArgv, self, '--out', out, key], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) =>
      code === 0
        ? done(JSON.parse(readFileSync(out, 'utf8')) as Record<string, Entry>)
        : fail(new Error(`deriving '${key}' exited with ${code}`)),
    );
  });

/**
 * Derives every key's table, `jobs` child processes at a time, one per configuration: the
 * model's key interning is process-wide and only grows, so a long-lived process slows down.
 */
const deriveInParallel = async (
  keys: readonly string[],
  jobs: number,
): Promise<Record<string, Entry>> => {
  const queue = [...keys];
  const results: Record<string, Entry> = {};
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift())
      Object.assign(results, await deriveInChild(key));
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return results;
};

const main = async (args: readonly string[]): Promise<void> => {
  const outAt = args.indexOf('--out');
  if (outAt >= 0) {
    const keys = args.filter((_, i) => i !== outAt && i !== outAt + 1);
    writeFileSync(args[outAt + 1] as string, JSON.stringify(deriveAll(keys)));
    return;
  }
  const jobsAt = args.indexOf('--jobs');
  const jobs = jobsAt >= 0 ? Number(args[jobsAt + 1]) : Math.max(1, availableParallelism());
  const only = args.filter((_, i) => jobsAt < 0 || (i !== jobsAt && i !== jobsAt + 1));
  const path = fileURLToPath(TABLE_FILE);
  const previous: GeneratedTables | null = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as GeneratedTables)
    : null;
  const all = configurations().map(tableKey);
  const keys = only.length === 0 ? all : all.filter((k) => only.includes(k));
  const fresh = await deriveInParallel(keys, Math.min(jobs, keys.length));
  // Stored tables: hardened whole, every other one as its additions to hardened.
  const base = fresh.hardened?.table ?? previous?.tables.hardened?.table;
  if (!base) throw new Error('no hardened table: generate it too');
  const tables: Record<string, Entry> = { ...previous?.tables };
  for (const [key, entry] of Object.entries(fresh))
    tables[key] = key === 'hardened' ? entry : { ...entry, table: additions(base, entry.table) };
  const file: GeneratedTables = {
    format: 1,
    generatedBy: COMMAND,
    worlds: describeWorlds(),
    tables: Object.fromEntries(
      Object.keys(tables)
        .sort()
        .map((k) => [k, tables[k] as Entry]),
    ),
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  // In the repository's format, so that `biome check` leaves the committed file alone.
  spawnSync('npx', ['biome', 'format', '--write', path], { stdio: 'inherit' });
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  await main(process.argv.slice(2));
