/**
 * An input file `kd` cannot use: a malformed counterexample, a result that is not a shard
 * of the campaign. Its message names the file and the field; `kd` prints it as one line and
 * exits 2, as for a usage error, rather than 1, which would read as a violation found.
 */
export class BadFileError extends Error {}
