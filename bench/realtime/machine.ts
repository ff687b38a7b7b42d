/** The machine a run was made on, for the report. */
import { cpus, freemem, loadavg, type as osType, release, totalmem } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly freeMemoryGb: number;
  readonly os: string;
  readonly node: string;
  /** 1, 5 and 15 minute load averages. */
  readonly load: readonly number[];
}

const GB = 1024 ** 3;

export const machine = (): Machine => ({
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round((totalmem() / GB) * 10) / 10,
  freeMemoryGb: Math.round((freemem() / GB) * 10) / 10,
  os: `${osType()} ${release()}`,
  node: process.version,
  load: loadavg().map((x) => Math.round(x * 100) / 100),
});
