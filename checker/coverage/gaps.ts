/**
 * A report judged against the unreachable list: what is missing without a reason, what the
 * list names that does not exist, and what the list calls unreachable but a run reached.
 */
import type { CoverageReport } from './report.js';
import { UNREACHABLE, type Unreachable } from './unreachable.js';

export interface Gaps {
  /** Neither visited nor listed as unreachable. */
  readonly uncovered: readonly string[];
  /** Listed as unreachable, but no such state or transition exists. */
  readonly stale: readonly string[];
  /** Listed as unreachable, yet visited: the reason is wrong. */
  readonly contradicted: readonly string[];
}

export const gaps = (
  report: CoverageReport,
  unreachable: readonly Unreachable[] = UNREACHABLE,
): Gaps => {
  const listed = new Set(unreachable.map((u) => u.id));
  const missing = Object.values(report.machines).flatMap((m) => [
    ...m.states.missing,
    ...m.transitions.missing,
  ]);
  const visited = new Set(
    Object.values(report.visited).flatMap((v) => [...v.states, ...v.transitions]),
  );
  const known = new Set([...missing, ...visited]);
  return {
    uncovered: missing.filter((id) => !listed.has(id)),
    stale: [...listed].filter((id) => !known.has(id)),
    contradicted: [...listed].filter((id) => visited.has(id)),
  };
};
