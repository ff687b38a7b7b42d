/**
 * What the implementation does that the model leaves out on purpose (docs/model.md §7.9),
 * written by hand because no exploration of the model can produce it. Each entry is a class
 * of its own (never merged into a model class), names the feature that makes it reachable,
 * and says why it is outside the model. An entry is in force only while its feature is:
 *
 * - `always`: Deployment status, which the model does not have at all;
 * - `apiPath`: the vanilla path, in mode `api`, or once a run has a Deployment or
 *   ReplicaSet off the direct path (the `kubedirect/managed` label removed, or
 *   `kubedirect/fallback-scaling` set): pods created by the ReplicaSet controller and bound
 *   by the scheduler through the API, counts written by the Deployment controller;
 * - `fallbackBinding`: once a run has a template Pod labelled `kubedirect/fallback-binding`,
 *   whose pods the scheduler creates bound through the API;
 * - `replicaSetEdited`: once a user has edited a ReplicaSet's replicas (kubectl scale), which
 *   the Deployment controller puts back through the API;
 * - `nodeLost`: once a run has lost a node, whose kubelet's requests already sent still land.
 *
 * The atoms are Kubernetes semantics, not the model's: they are an allowance, not a
 * refinement. A step of these classes while its feature is off is a mismatch.
 */
import type { Switches } from '../../spec/types/config.js';
import type { Observation } from '../../spec/types/observation.js';

export type Feature = 'always' | 'apiPath' | 'fallbackBinding' | 'replicaSetEdited' | 'nodeLost';

interface Extension {
  readonly feature: Feature;
  /** Only under these switches (always when absent). */
  readonly when?: (switches: Switches) => boolean;
  /** The class, as `REQUEST_CLASS` and `LOCAL_WORK` (classes.ts) name it. */
  readonly modelClass: string;
  readonly atoms: readonly string[];
  readonly why: string;
}

const outcomes = (prefix: string, ...list: string[]): string[] => list.map((o) => `${prefix} ${o}`);

export const EXTENSIONS: readonly Extension[] = [
  {
    feature: 'always',
    modelClass: 'deployment: status',
    atoms: outcomes('ev api deployment write deployment', 'ok', 'outage', 'notFound', 'conflict'),
    why: 'the model has no Deployment status (docs/model.md §7.9)',
  },
  {
    feature: 'apiPath',
    modelClass: 'replicaset: create pod (API path)',
    atoms: [
      'api.pod + unbound',
      'api.pod + unbound orphan',
      'stage[replicaset] dirty -requested',
      ...outcomes(
        'ev api replicaset create pod',
        'ok',
        'outage',
        'alreadyExists',
        'notFound',
        'conflict',
      ),
    ],
    why: 'the vanilla ReplicaSet controller creates unbound pods, and, as vanilla Kubernetes, may create one for a ReplicaSet garbage collection just deleted (docs/design/implementation.md, decision 9); its answer ends the creation it reported as a requested pod',
  },
  {
    feature: 'apiPath',
    modelClass: 'replicaset: sync (API path)',
    atoms: [
      'stage[replicaset] dirty +count',
      'stage[replicaset] dirty -count',
      'stage[replicaset] dirty count replicas changed',
      'stage[replicaset] dirty count version changed',
      'stage[replicaset] dirty +requested',
      'stage[replicaset] dirty -requested',
      'stage[replicaset] dirty owner changed',
    ],
    why: "the vanilla ReplicaSet controller reports the count of a slow-start sync in progress and its unanswered creations (docs/design/implementation.md, decision 4); a creation's owner uid is looked up in its informer when reported, so it reads '' once the ReplicaSet is gone",
  },
  {
    feature: 'apiPath',
    modelClass: 'replicaset: delete pod (API path)',
    atoms: ['api.pod - (unbound)'],
    why: 'a graceful delete of a pod no kubelet runs removes it at once (Kubernetes semantics); the model has no unbound pod',
  },
  {
    feature: 'apiPath',
    modelClass: 'user deletes pod (API path)',
    atoms: ['api.pod - (unbound)'],
    why: 'as for the ReplicaSet controller: an unbound pod is removed at once',
  },
  {
    feature: 'apiPath',
    modelClass: 'gc (API path)',
    atoms: ['api.pod - (unbound)'],
    why: 'as for the ReplicaSet controller: an unbound pod is removed at once',
  },
  {
    feature: 'apiPath',
    modelClass: 'scheduler: bind (API path)',
    atoms: [
      'api.pod bound',
      ...outcomes('ev api scheduler update pod', 'ok', 'outage', 'notFound', 'conflict'),
    ],
    why: "the vanilla scheduler's Binding",
  },
  {
    feature: 'apiPath',
    modelClass: 'deployment: update replicaset',
    atoms: [
      'api.replicaset replicas changed',
      'api.replicaset replicasVersion changed',
      ...outcomes('ev api deployment write replicaset', 'ok', 'outage', 'notFound', 'conflict'),
    ],
    why: 'the Deployment controller writes the replicas of a ReplicaSet off the direct path (a model class the model never reaches, docs/model.md §4)',
  },
  {
    feature: 'replicaSetEdited',
    modelClass: 'deployment: update replicaset',
    atoms: [
      'api.replicaset replicas changed',
      ...outcomes('ev api deployment write replicaset', 'ok', 'outage', 'notFound', 'conflict'),
    ],
    why: "a user's edit of a ReplicaSet's replicas is not modelled (docs/model.md §7.9); the Deployment controller corrects it through the API, since the ReplicaSet already shows the direct count's version",
  },
  {
    feature: 'fallbackBinding',
    modelClass: 'scheduler: expose (fallback binding)',
    atoms: [
      'api.pod +',
      'stage[scheduler] dirty assumed→pending',
      'stage[scheduler] dirty node cleared',
      'stage[scheduler] dirty -assumed',
      ...outcomes(
        'ev api scheduler create pod',
        'ok',
        'outage',
        'alreadyExists',
        'precondition',
        'notFound',
      ),
    ],
    why: 'with kubedirect/fallback-binding the scheduler creates the bound pod itself (docs/design/implementation.md, decision 12), and puts it back to pending after an outage or drops it when its owner is gone; labels are not modelled',
  },
  {
    feature: 'fallbackBinding',
    when: () => true,
    modelClass: 'scheduler: expose (fallback binding)',
    atoms: ['api.pod + orphan'],
    why: "Kubernetes does not check owner references on create, and the owner check before it reads an informer that may lag, so the scheduler's create may make an orphan, as the kubelet's expose does in the model",
  },
  {
    feature: 'nodeLost',
    modelClass: 'kubelet: ready (request of a lost node)',
    atoms: ['api.pod ready false→true (no sandbox)'],
    why: "a kubelet's Ready patch sent while its sandbox ran lands after its node was lost (the sandbox with it): a request outlives its sender, which the model's atomic requests cannot show (docs/model.md §7.1); garbage collection removes the pod with its node",
  },
];

/** The features a step's `before` shows in use (the caller keeps them for the rest of the run). */
export const featuresShown = (o: Observation): Feature[] => {
  const shown: Feature[] = [];
  const offDirect =
    Object.values(o.api.deployments).some((d) => !d.managed) ||
    Object.values(o.api.replicaSets).some((r) => !r.managed || r.fallbackScaling);
  if (offDirect) shown.push('apiPath');
  if (Object.values(o.api.templatePods).some((t) => t.fallbackBinding))
    shown.push('fallbackBinding');
  if (o.kubelets.some((k) => !k.nodeAlive)) shown.push('nodeLost');
  return shown;
};

/** The feature an environment action outside the model turns on (by its class name). */
export const featureAfter = (outsideClass: string): Feature | null =>
  outsideClass === 'user scaleReplicaSet' ? 'replicaSetEdited' : null;
