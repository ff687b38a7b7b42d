/**
 * Autoscaler: turns load into a desired replica count per function and writes it to
 * `Deployment.spec.replicas` (the artifact keeps this hop on the API). The load itself is
 * the environment's choice (`WorldState.load`); the autoscaler is level-triggered: it writes
 * whenever its informer shows a different count and this incarnation has not yet written
 * the current one.
 *
 *   load changes ──► informer shows replicas ≠ load ──► UPDATE Deployment.spec.replicas
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
    const seen = a.view.objects.deployments[key];
    if (!seen || seen.deleting || seen.replicas === desired || a.written[key] === desired) continue;
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
      deployment.rv = nextRv(ctx);
      return 'ok';
    },
  );
  if (outcome === 'ok' || outcome === 'notFound') ctx.w.autoscaler.written[key] = replicas;
};
