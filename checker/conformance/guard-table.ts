/**
 * The committed guard tables (`guards.generated.json`, written by `generate.ts` beside the
 * footprint tables, from the same exploration): per configuration, the guards of the acting
 * stage in which each model class was enabled (guards.ts). Stored and read as the footprint
 * tables are (table.ts): `hardened` whole, every other configuration as what its own
 * exploration adds, read as the union of both (a union can only loosen the check).
 *
 * Unlike a footprint table, a guard table may be missing for a configuration: the
 * enabledness check is then off for it (the footprint check is not), until the generator
 * has been run for it. Only `hardened`'s is required (table.deep.test.ts's sibling,
 * guard-table.test.ts, says so).
 */
import { readFileSync } from 'node:fs';
import type { Config, Switches } from '../../spec/types/config.js';
import type { GuardTable } from './guards.js';
import { sameSwitches, tableKey, unionOf } from './table.js';

export interface GeneratedGuards {
  readonly format: 1;
  /** How to regenerate, for the reader of the file. */
  readonly generatedBy: string;
  readonly tables: Readonly<
    Record<string, { readonly switches: Switches; readonly guards: GuardTable }>
  >;
}

export const GUARD_FILE = new URL('./guards.generated.json', import.meta.url);

let loaded: GeneratedGuards | null = null;

export const generatedGuards = (): GeneratedGuards => {
  loaded ??= JSON.parse(readFileSync(GUARD_FILE, 'utf8')) as GeneratedGuards;
  return loaded;
};

const resolved = new Map<string, GuardTable>();

/**
 * The committed guard table for `config`'s switches, or null when there is none for its
 * configuration (or it was derived under other switches): no enabledness check then.
 */
export const committedGuards = (config: Config): GuardTable | null => {
  const key = tableKey(config);
  const tables = generatedGuards().tables;
  const entry = tables[key];
  const base = tables.hardened;
  if (!entry || !base || !sameSwitches(entry.switches, config.switches)) return null;
  let table = resolved.get(key);
  if (!table) {
    table = key === 'hardened' ? entry.guards : unionOf(base.guards, entry.guards);
    resolved.set(key, table);
  }
  return table;
};
