/**
 * Regenerates `table.generated.json` and `guards.generated.json`: the footprint table and
 * the guard table (guards.ts) of the `hardened` profile, and what the `artifact` profile
 * and every mutant add to them, each derived from the model in one exploration (derive.ts).
 * About two minutes per configuration, one process per core.
 *
 *   npx tsx checker/conformance/generate.ts              every table, one process per core
 *   npx tsx checker/conformance/generate.ts hardened "mutant no-fence"   only these
 *   npx tsx checker/conformance/generate.ts --jobs 1     in this process only
 *
 * The staleness tests (`table.deep.test.ts`, `guard-table.test.ts`) re-derive a sample of the
 * model and fail, naming this command, when the model produces a pair or a guard the
 * committed tables lack.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../spec/types/config.js';
import { MUTANTS, makeConfig } from '../../spec/types/mutants.js';
import { DEFAULT_WORLDS, deriveTable, type FootprintTable, type World } from './derive.js';
import { type GeneratedGuards, GUARD_FILE } from './guard-table.js';
import type { GuardTable } from './guards.js';
import { type GeneratedTables, TABLE_FILE, tableKey } from './table.js';

const COMMAND = 'npx tsx checker/conformance/generate.ts';

/** Every configuration a campaign runs: both profiles and every mutant. */
export const configurations = (): Config[] => [
  makeConfig('up', 'hardened', null),
  makeConfig('up', 'artifact', null),
  makeConfig('up', 'hardened:autoscalerLink=direct', null),
  ...MUTANTS.map((m) => makeConfig('up', 'hardened', m.name)),
];

/** What `table` adds to `base`, class by class (empty classes left out). */
const additions = (
  base: FootprintTable | GuardTable,
  table: FootprintTable | GuardTable,
): FootprintTable => {
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

type TableEntry = GeneratedTables['tables'][string];
type GuardEntry = GeneratedGuards['tables'][string];
/** One configuration's derivation: both tables. */
type Entry = TableEntry & { readonly guards: GuardTable };

/**
 * `hardened` is the table every other one extends and the one `kd check` runs by default:
 * three times the walks (the first thousand are the other tables' walks).
 */
const worldsFor = (key: string): readonly World[] =>
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
    const { table, guards, stats } = deriveTable(config, worldsFor(key));
    out[key] = { switches: config.switches, table, guards };
    const pairs = Object.values(table).reduce((n, atoms) => n + atoms.length, 0);
    const guarded = Object.values(guards).reduce((n, list) => n + list.length, 0);
    console.log(
      `${key}: ${pairs} pairs and ${guarded} class guards from ${stats.states} states, ${stats.transitions} transitions, ${stats.seconds.toFixed(0)} s`,
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

const sortedKeys = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k] as T]),
  );

const readJson = <T>(url: URL): T | null => {
  const path = fileURLToPath(url);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
};

/** Writes `value` as JSON in the repository's format, so that `biome check` leaves it alone. */
const writeFormatted = (url: URL, value: unknown): void => {
  const path = fileURLToPath(url);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  spawnSync('npx', ['biome', 'format', '--write', path], { stdio: 'inherit' });
};

/** Footprint tables: hardened whole, every other one as its additions to hardened. */
const writeTables = (fresh: Record<string, Entry>): void => {
  const previous = readJson<GeneratedTables>(TABLE_FILE);
  const base = fresh.hardened?.table ?? previous?.tables.hardened?.table;
  if (!base) throw new Error('no hardened table: generate it too');
  const tables: Record<string, TableEntry> = { ...previous?.tables };
  for (const [key, { switches, table }] of Object.entries(fresh))
    tables[key] = { switches, table: key === 'hardened' ? table : additions(base, table) };
  const file: GeneratedTables = {
    format: 1,
    generatedBy: COMMAND,
    worlds: describeWorlds(),
    tables: sortedKeys(tables),
  };
  writeFormatted(TABLE_FILE, file);
};

/** Guard tables, stored the same way (guard-table.ts). */
const writeGuards = (fresh: Record<string, Entry>): void => {
  const previous = readJson<GeneratedGuards>(GUARD_FILE);
  const base = fresh.hardened?.guards ?? previous?.tables.hardened?.guards;
  if (!base) throw new Error('no hardened guard table: generate it too');
  const tables: Record<string, GuardEntry> = { ...previous?.tables };
  for (const [key, { switches, guards }] of Object.entries(fresh))
    tables[key] = { switches, guards: key === 'hardened' ? guards : additions(base, guards) };
  const file: GeneratedGuards = { format: 1, generatedBy: COMMAND, tables: sortedKeys(tables) };
  writeFormatted(GUARD_FILE, file);
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
  const all = configurations().map(tableKey);
  const keys = only.length === 0 ? all : all.filter((k) => only.includes(k));
  const fresh = await deriveInParallel(keys, Math.min(jobs, keys.length));
  writeTables(fresh);
  writeGuards(fresh);
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  await main(process.argv.slice(2));
