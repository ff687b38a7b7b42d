/** Order statistics for the benchmark's figures (nearest rank). */

export const percentile = (sorted: readonly number[], p: number): number | null => {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
};

export const sortedOf = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b);

/** The median of the present values (null when none). */
export const median = (values: readonly (number | null)[]): number | null => {
  const present = sortedOf(values.filter((v): v is number => v !== null));
  if (present.length === 0) return null;
  const mid = Math.floor(present.length / 2);
  return present.length % 2
    ? (present[mid] as number)
    : ((present[mid - 1] as number) + (present[mid] as number)) / 2;
};

/** Rounds for output: whole numbers above 100, one decimal above 1, else two. */
export const round = (value: number): number =>
  Math.abs(value) >= 100
    ? Math.round(value)
    : Math.abs(value) >= 1
      ? Math.round(value * 10) / 10
      : Math.round(value * 100) / 100;
