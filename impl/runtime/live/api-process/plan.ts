/**
 * What the API Server's own process is told when it is started (`KD_API_PLAN`, JSON): the
 * port to serve on (the same after every restart, so the kubeconfig stays true), the etcd
 * that holds its objects and where in it, how often its garbage collector sweeps.
 */
import { z } from 'zod';

export const API_PLAN_VARIABLE = 'KD_API_PLAN';

const ApiPlanSchema = z.strictObject({
  port: z.int().min(1).max(65_535),
  etcd: z.url({ protocol: /^https?$/ }),
  prefix: z.string().startsWith('/').endsWith('/'),
  gcEveryMs: z.int().min(1),
});

export type ApiPlan = z.infer<typeof ApiPlanSchema>;

export const parseApiPlan = (text: string | undefined): ApiPlan => {
  if (text === undefined)
    throw new Error(`${API_PLAN_VARIABLE} is not set: the API process is started by kd up`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${API_PLAN_VARIABLE} is not JSON`);
  }
  const parsed = ApiPlanSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${API_PLAN_VARIABLE}: ${issue?.path.join('.') || 'plan'}: ${issue?.message}`);
  }
  return parsed.data;
};

/** What the API process tells its supervisor. */
export type FromApiProcess = {
  readonly type: 'ready';
  readonly url: string;
  /** Objects restored from etcd, and the resourceVersion they were read at. */
  readonly objects: number;
  readonly resourceVersion: number;
};
