// `ms` 2.1 ships no types (and @types/ms is not a dependency): the one call `kd` makes of it.
declare module 'ms' {
  /** `60s`, `2m`, `1.5h`, `500ms`, `2 days` → milliseconds; undefined when it is not one. */
  function ms(value: string): number | undefined;
  export = ms;
}
