/**
 * The entry point of the API Server's process, forked by the supervisor (../cluster/) when
 * the cluster keeps its objects in etcd: serves until stopped (SIGTERM), its supervisor
 * goes away, or a write cannot be made durable, which ends it (exit 75) so that it is
 * started again from what etcd holds.
 */
import { API_PLAN_VARIABLE, parseApiPlan } from './plan.js';
import { serveDurableApi } from './serve.js';

const fail = (what: string, error: unknown, code: number): never => {
  process.stderr.write(
    `kd api: ${what}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(code);
};

// Ctrl-C reaches the whole process group; the supervisor stops the API last (SIGTERM).
process.on('SIGINT', () => undefined);
process.on('disconnect', () => process.exit(0));

try {
  const served = await serveDurableApi(parseApiPlan(process.env[API_PLAN_VARIABLE]), (error) =>
    fail('a write was not made durable', error, 75),
  );
  process.send?.(served.ready);
  process.once('SIGTERM', () => {
    served.close().finally(() => process.exit(0));
  });
} catch (error) {
  fail('cannot start', error, 78);
}
