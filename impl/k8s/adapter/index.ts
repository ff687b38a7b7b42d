/**
 * The client-node adapter: a stage's API effects and informers over
 * `@kubernetes/client-node`, against any cluster a kubeconfig names (adapter.ts).
 */
export {
  type ApiEffect,
  createKubeAdapter,
  type InformerRun,
  type KubeAdapter,
  type KubeAdapterOptions,
} from './adapter.js';
export type { InformerCounts } from './informer.js';
