/**
 * Autoscaler: turns load into a desired replica count per function and writes it to
 * `Deployment.spec.replicas` (the artifact keeps this hop on the API). The load itself is
 * the environment's choice (`WorldState.load`). The autoscaler writes whenever this
 * incarnation has not yet written the current count; a restarted one rewrites it (an update
 * to the same value is a no-op), so it needs no informer.
 *
 *   load changes ──► UPDATE Deployment.spec.replicas
 *
 * No direct link in the model: `autoscalerLink: 'direct'` is refused by the world (not modelled).
 */
import type { ObjectKey } from '../types/ids.js';
import { nextRv, request } from '../world/api.js';
import type { Ctx, WorldState } from '../world/state.js';
import { isServing, type Step, step } from './common.js';

export const autoscalerSteps = (state: WorldState): Step[] => {
  const a = state.autoscaler;
  if (!isServing(a)) return [];
  const steps: Step[] = [];
  for (const [key, desired] of Object.entries(state.load)) {
    if (a.written[key] === desired) continue;
    steps.push(
      step('autoscaler', `scale ${key} ${desired}`, (ctx) => writeScale(ctx, key, desired)),
    );
  }
  return steps;
};

const writeScale = (ctx: Ctx, key: ObjectKey, replicas: number): void => {
  const outcome = request(
    ctx,
    { actor: 'autoscaler', verb: 'update', resource: 'deployment', key },
    () => {
      const deployment = ctx.w.api.deployments[key];
      if (!deployment) return 'notFound';
      deployment.replicas = replicas;
      deployment.generation += 1;
      deployment.rv = nextRv(ctx);
      return 'ok';
    },
  );
  if (outcome === 'ok' || outcome === 'notFound') ctx.w.autoscaler.written[key] = replicas;
};
