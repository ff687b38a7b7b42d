/**
 * The committed footprint tables (`table.generated.json`, written by `generate.ts`): one per
 * configuration of switches that a campaign runs (the `hardened` and `artifact` profiles and
 * every mutant). `hardened` is stored whole; every other table as what its own exploration
 * adds to `hardened`, and is read as the union of both (see docs/design/conformance.md:
 * walks of a mutant's model diverge from hardened's, so its own table alone would miss
 * pairs by chance, and a union can only make the check looser, never raise a false alarm).
 */
import { readFileSync } from 'node:fs';
import type { Config, Switches } from '../../spec/types/config.js';
import { profileText } from '../../spec/types/profile-spec.js';
import type { FootprintTable } from './derive.js';

export interface GeneratedTables {
  readonly format: 1;
  /** How to regenerate, for the reader of the file. */
  readonly generatedBy: string;
  /** The worlds explored, in one line each. */
  readonly worlds: readonly string[];
  readonly tables: Readonly<
    Record<string, { readonly switches: Switches; readonly table: FootprintTable }>
  >;
}

export const TABLE_FILE = new URL('./table.generated.json', import.meta.url);

/**
 * The key of a configuration's table: `hardened`, `artifact`, `mutant <name>`, or a profile
 * with switches set otherwise (`hardened:autoscalerLink=direct`, spec/types/profile-spec.ts).
 */
export const tableKey = (config: Pick<Config, 'profile' | 'mutant' | 'switches'>): string =>
  config.mutant === null ? profileText(config) : `mutant ${config.mutant}`;

let loaded: GeneratedTables | null = null;

export const generatedTables = (): GeneratedTables => {
  loaded ??= JSON.parse(readFileSync(TABLE_FILE, 'utf8')) as GeneratedTables;
  return loaded;
};

export const sameSwitches = (a: Switches, b: Switches): boolean =>
  (Object.keys(a) as (keyof Switches)[]).every((k) => a[k] === b[k]) &&
  Object.keys(a).length === Object.keys(b).length;

/** Union of two tables, class by class. */
export const unionOf = (a: FootprintTable, b: FootprintTable): FootprintTable => {
  const out: Record<string, readonly string[]> = { ...a };
  for (const [cls, atoms] of Object.entries(b))
    out[cls] = [...new Set([...(out[cls] ?? []), ...atoms])].sort();
  return out;
};

const resolved = new Map<string, FootprintTable>();

/**
 * The committed table for `config`'s switches. Throws when there is none, or when the
 * switches differ from the ones it was derived under (a config built by hand): derive one
 * with `deriveTable` and pass it to `createConformance` instead.
 */
export const committedTable = (config: Config): FootprintTable => {
  const key = tableKey(config);
  const tables = generatedTables().tables;
  const entry = tables[key];
  const base = tables.hardened;
  // A profile with switches set otherwise has a table only if generate.ts lists it.
  if (!entry && base && key.includes(':'))
    throw new Error(
      `no committed conformance table for '${key}'; derive one for this config with deriveTable(config) and pass it as options.table, or list it in checker/conformance/generate.ts`,
    );
  if (!entry || !base)
    throw new Error(
      `no committed conformance table for '${key}': run npx tsx checker/conformance/generate.ts`,
    );
  if (!sameSwitches(entry.switches, config.switches))
    throw new Error(
      `the conformance table for '${key}' was derived under other switches; derive one for this config with deriveTable(config) and pass it as options.table`,
    );
  const found = resolved.get(key);
  if (found) return found;
  const table = key === 'hardened' ? entry.table : unionOf(base.table, entry.table);
  resolved.set(key, table);
  return table;
};
