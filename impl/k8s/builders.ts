/**
 * Builders of the realistic objects the API Server holds: a Knative-style function
 * Deployment, its ReplicaSet, the one template Pod per ReplicaSet, pods (materialised by a
 * kubelet, or created the vanilla way by the ReplicaSet controller) and Nodes.
 *
 * Builders return objects as a client sends them: no uid, resourceVersion or generation;
 * the API Server mints those. Large parts are shared, never copied: every pod of a
 * ReplicaSet holds the template's containers by reference, so 10,000 pods cost their
 * metadata, not 10,000 × 17 KB. Nothing here may be mutated after it is built.
 */
import type {
  V1Deployment,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { templateHash } from './hash.js';
import { type FunctionIdentity, knativeLabels, knativeTemplate, revisionNames } from './knative.js';
import {
  FALLBACK_BINDING_LABEL,
  FALLBACK_SCALING_LABEL,
  MANAGED_LABEL,
  PERSISTENT_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  REPLICAS_VERSION_ANNOTATION,
  TEMPLATE_LABEL,
  withFlag,
} from './labels.js';
import { managedFieldsEntry } from './managed-fields.js';

/** Metadata as the API Server returned it: name, namespace and uid are known. */
type Persisted = {
  readonly metadata: V1ObjectMeta & { name: string; namespace?: string; uid: string };
};

export interface FunctionOptions extends FunctionIdentity {
  readonly replicas?: number;
  /** `kubedirect/managed` on the Deployment (and, through it, on its ReplicaSets). */
  readonly managed?: boolean;
  /** Replaces the Knative template (to model a template change). */
  readonly template?: V1PodTemplateSpec;
}

const REVISION_UID_LABEL = 'serving.knative.dev/revisionUID';

/** The Deployment Knative Serving creates for a function's revision. */
export const functionDeployment = (fn: FunctionOptions): V1Deployment => {
  const names = revisionNames(fn);
  const template = fn.template ?? knativeTemplate(fn);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: fn.name,
      namespace: fn.namespace,
      labels: withFlag(knativeLabels(names), MANAGED_LABEL, fn.managed ?? true),
      annotations: { 'serving.knative.dev/creator': 'kubernetes-admin' },
    },
    spec: {
      progressDeadlineSeconds: 600,
      replicas: fn.replicas ?? 0,
      revisionHistoryLimit: 10,
      // The selector must match the template's labels (a given template brings its own).
      selector: {
        matchLabels: {
          [REVISION_UID_LABEL]:
            template.metadata?.labels?.[REVISION_UID_LABEL] ?? names.revisionUid,
        },
      },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 }, type: 'RollingUpdate' },
      template,
    },
  };
};

/** A controller owner reference to `owner`, as the Deployment and ReplicaSet controllers set. */
const controllerRef = (apiVersion: string, kind: string, owner: Persisted): V1OwnerReference => ({
  apiVersion,
  blockOwnerDeletion: true,
  controller: true,
  kind,
  name: owner.metadata.name,
  uid: owner.metadata.uid,
});

export interface ReplicaSetOptions {
  readonly replicas?: number;
  /** Defaults to the Deployment's own `kubedirect/managed` label. */
  readonly managed?: boolean;
  readonly fallbackScaling?: boolean;
  readonly replicasVersion?: number;
}

/** The ReplicaSet the Deployment controller creates for the Deployment's current template. */
export const replicaSetFor = (
  deployment: V1Deployment & Persisted,
  options: ReplicaSetOptions = {},
): V1ReplicaSet => {
  const template = deployment.spec?.template ?? {};
  const hash = templateHash(template);
  const podLabels = { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
  const managed = options.managed ?? deployment.metadata.labels?.[MANAGED_LABEL] === 'true';
  const labels = withFlag(
    withFlag(podLabels, MANAGED_LABEL, managed),
    FALLBACK_SCALING_LABEL,
    options.fallbackScaling ?? false,
  );
  const replicas = options.replicas ?? 0;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      namespace: deployment.metadata.namespace ?? 'default',
      labels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(deployment.spec?.replicas ?? 0),
        'deployment.kubernetes.io/max-replicas': String(deployment.spec?.replicas ?? 0),
        'deployment.kubernetes.io/revision': '1',
        [REPLICAS_VERSION_ANNOTATION]: String(options.replicasVersion ?? 0),
      },
      ownerReferences: [controllerRef('apps/v1', 'Deployment', deployment)],
    },
    spec: {
      replicas,
      selector: {
        matchLabels: { ...deployment.spec?.selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash },
      },
      template: { metadata: { ...template.metadata, labels: podLabels }, ...specOf(template) },
    },
  };
};

const templatePodName = (replicaSetName: string): string => `${replicaSetName}-template`;

/**
 * The one template Pod of a ReplicaSet (protocol.md §2): kubelets materialise pods from it.
 * It is never scheduled; the scheduler skips pods labelled `kubedirect/template`.
 */
export const templatePodFor = (
  replicaSet: V1ReplicaSet & Persisted,
  options: { readonly fallbackBinding?: boolean } = {},
): V1Pod => {
  const template = replicaSet.spec?.template ?? {};
  const labels = withFlag(
    { ...template.metadata?.labels, [TEMPLATE_LABEL]: 'true' },
    FALLBACK_BINDING_LABEL,
    options.fallbackBinding ?? false,
  );
  const metadata: V1ObjectMeta = {
    name: templatePodName(replicaSet.metadata.name),
    namespace: replicaSet.metadata.namespace ?? 'default',
    labels,
    ownerReferences: [controllerRef('apps/v1', 'ReplicaSet', replicaSet)],
  };
  if (template.metadata?.annotations) metadata.annotations = template.metadata.annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, ...specOf(template) };
};

const specOf = (template: V1PodTemplateSpec): Pick<V1Pod, 'spec'> =>
  template.spec ? { spec: template.spec } : {};

const materialisedLabelsMemo = new WeakMap<V1Pod, Record<string, string>>();

/**
 * Labels of a pod materialised from a template Pod: no template bookkeeping, persistent.
 * Equal for every pod of the template, so built once per template Pod and shared.
 */
const materialisedLabels = (templatePod: V1Pod): Record<string, string> => {
  const known = materialisedLabelsMemo.get(templatePod);
  if (known) return known;
  const labels: Record<string, string> = {
    ...templatePod.metadata?.labels,
    [PERSISTENT_LABEL]: 'true',
  };
  delete labels[TEMPLATE_LABEL];
  delete labels[FALLBACK_BINDING_LABEL];
  materialisedLabelsMemo.set(templatePod, labels);
  return labels;
};

/**
 * The kubelet's *expose* (protocol.md §6): the Pod object built from the template Pod and
 * the pod's identity. The API Server replaces `creationTimestamp` on create, as Kubernetes
 * does; the kubelet's copy keeps the time it was materialised.
 */
export const materialisePod = (
  templatePod: V1Pod,
  name: string,
  nodeName: string,
  creationTimeMs: number,
): V1Pod => {
  const creationTimestamp = new Date(creationTimeMs);
  const metadata: V1ObjectMeta = {
    name,
    namespace: templatePod.metadata?.namespace ?? 'default',
    creationTimestamp,
    labels: materialisedLabels(templatePod),
  };
  if (templatePod.metadata?.annotations) metadata.annotations = templatePod.metadata.annotations;
  if (templatePod.metadata?.ownerReferences)
    metadata.ownerReferences = templatePod.metadata.ownerReferences;
  const spec = { ...templatePod.spec, containers: templatePod.spec?.containers ?? [], nodeName };
  metadata.managedFields = [
    managedFieldsEntry('kubelet', 'v1', { metadata, spec }, creationTimestamp),
  ];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
};

/**
 * The vanilla ReplicaSet controller's pod: template labels and spec, owner reference, and
 * `generateName` (the API Server picks the suffix) unless a name is given.
 */
export const podFromReplicaSet = (
  replicaSet: V1ReplicaSet & Persisted,
  nowMs: number,
  name?: string,
): V1Pod => {
  const template = replicaSet.spec?.template ?? {};
  const metadata: V1ObjectMeta = {
    namespace: replicaSet.metadata.namespace ?? 'default',
    labels: template.metadata?.labels ?? {},
    ownerReferences: [controllerRef('apps/v1', 'ReplicaSet', replicaSet)],
  };
  if (name !== undefined) metadata.name = name;
  else metadata.generateName = `${replicaSet.metadata.name}-`;
  if (template.metadata?.annotations) metadata.annotations = template.metadata.annotations;
  const spec = template.spec ?? { containers: [] };
  metadata.managedFields = [
    managedFieldsEntry('kube-controller-manager', 'v1', { metadata, spec }, new Date(nowMs)),
  ];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
};
