/**
 * The entry point of a stage process, forked by the supervisor (../cluster/) with the tsx
 * loader: reads its plan, runs its stages until the supervisor stops it (SIGTERM) or goes
 * away, or it is killed.
 */
import { processChannel } from './channel.js';
import { PLAN_VARIABLE, parsePlan, START_VARIABLE } from './plan.js';
import { runStageProcess } from './stage-process.js';

// Ctrl-C in a terminal signals the whole process group, the stages with their supervisor:
// the supervisor (kd up) stops them in order (SIGTERM), and a stage whose supervisor is gone
// exits when the IPC channel closes (channel.ts), so a stage itself ignores SIGINT.
process.on('SIGINT', () => undefined);

try {
  const running = await runStageProcess(
    parsePlan(process.env[PLAN_VARIABLE]),
    processChannel(),
    Number(process.env[START_VARIABLE] ?? 1),
  );
  process.once('SIGTERM', () => {
    running.stop().finally(() => process.exit(0));
  });
} catch (error) {
  process.stderr.write(
    `kd stage process: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(78);
}
