/**
 * The entry point of a stage process, forked by the supervisor (../cluster/) with the tsx
 * loader: reads its plan, runs its stages until the supervisor stops it (SIGTERM) or goes
 * away, or it is killed.
 */
import { processChannel } from './channel.js';
import { PLAN_VARIABLE, parsePlan } from './plan.js';
import { runStageProcess } from './stage-process.js';

try {
  const running = await runStageProcess(parsePlan(process.env[PLAN_VARIABLE]), processChannel());
  process.once('SIGTERM', () => {
    running.stop().finally(() => process.exit(0));
  });
} catch (error) {
  process.stderr.write(
    `kd stage process: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(78);
}
