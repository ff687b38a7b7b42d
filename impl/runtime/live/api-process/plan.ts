/**
 * What the API Server's own process is told when it is started (`KD_API_PLAN`, JSON): the
 * port to serve on (the same after every restart, so the kubeconfig stays true), the etcd
 * that holds its objects and where in it, how often its garbage collector sweeps.
 */
import { z } from 'zod';
import { parseVariable } from '../process/plan.js';

export const API_PLAN_VARIABLE = 'KD_API_PLAN';

const ApiPlanSchema = z.strictObject({
  port: z.int().min(1).max(65_535),
  etcd: z.url({ protocol: /^https?$/ }),
  prefix: z.string().startsWith('/').endsWith('/'),
  gcEveryMs: z.int().min(1),
});

export type ApiPlan = z.infer<typeof ApiPlanSchema>;

export const parseApiPlan = (text: string | undefined): ApiPlan =>
  parseVariable(API_PLAN_VARIABLE, text, ApiPlanSchema);

/** What the API process tells its supervisor. */
export type FromApiProcess = {
  readonly type: 'ready';
  readonly url: string;
  /** Objects restored from etcd, and the resourceVersion they were read at. */
  readonly objects: number;
  readonly resourceVersion: number;
};
