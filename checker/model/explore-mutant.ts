/**
 * Child-process entry of checker/model/mutants.deep.test.ts: explores one preset under one mutant and
 * prints what the test judges, as one JSON line. Run as
 * `node --import tsx checker/model/explore-mutant.ts <preset> <mutant>`.
 */
import { explorePreset } from './explore-preset.js';

export interface MutantExploration {
  /** The properties violated, with the length of each one's shortest trace. */
  readonly violations: readonly { readonly property: string; readonly steps: number }[];
  /** Each property's verdict. */
  readonly status: Readonly<Record<string, string>>;
}

const [preset, mutant] = process.argv.slice(2);
if (preset === undefined || mutant === undefined) {
  process.stderr.write('usage: explore-mutant.ts <preset> <mutant>\n');
  process.exit(2);
}
const { total } = explorePreset(preset, 'hardened', mutant);
const result: MutantExploration = {
  violations: total.violations.map((v) => ({ property: v.property, steps: v.steps.length })),
  status: Object.fromEntries(total.properties.map((p) => [p.name, p.status])),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
