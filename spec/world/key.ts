/**
 * Canonical keys of world states: two states get the same key iff they are equal, whatever
 * order their records were filled in. Records serialise in sorted key order and messages in
 * flight as a sorted multiset.
 *
 * What is left out, and why it is safe: the step counter and the last step's events (not
 * state), and the resourceVersion of pods, ReplicaSets, Deployments and nodes (no stage of
 * the model reads an object's own rv; the global rv, informer rvs and template rvs, which
 * stages do compare, are kept).
 *
 * API records are immutable and shared between states, so their serialisation is memoised
 * by object identity.
 */
import type { ApiObjects } from '../types/objects.js';
import type { InformerView, WorldState } from './state.js';

/** Generic canonical form: sorted object keys, arrays in order. */
export const canon = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canon).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    if (record[key] === undefined) continue;
    out += `${JSON.stringify(key)}:${canon(record[key])},`;
  }
  return `${out}}`;
};

const memo = new WeakMap<object, string>();

const memoised = <T extends object>(value: T, serialise: (v: T) => string): string => {
  let out = memo.get(value);
  if (out === undefined) {
    out = serialise(value);
    memo.set(value, out);
  }
  return out;
};

const sortedValues = <T>(record: Readonly<Record<string, T>>): T[] => {
  const keys = Object.keys(record).sort();
  return keys.map((k) => record[k] as T);
};

const pods = (r: ApiObjects['pods']): string =>
  memoised(r, (x) =>
    sortedValues(x)
      .map(
        (p) =>
          `${p.key}:${p.uid}:${p.ownerUid}:${p.templateHash}:${p.nodeName}:${+p.ready}${+p.deleting}`,
      )
      .join(';'),
  );

const replicaSets = (r: ApiObjects['replicaSets']): string =>
  memoised(r, (x) =>
    sortedValues(x)
      .map(
        (s) =>
          `${s.key}:${s.uid}:${s.ownerUid}:${s.templateHash}:${s.replicas}@${s.replicasVersion}:${s.status.replicas}/${s.status.readyReplicas}:${+s.managed}${+s.fallbackScaling}${+s.deleting}`,
      )
      .join(';'),
  );

const deployments = (r: ApiObjects['deployments']): string =>
  memoised(r, (x) =>
    sortedValues(x)
      .map((d) => `${d.key}:${d.uid}:${d.replicas}:${d.templateHash}:${+d.managed}${+d.deleting}`)
      .join(';'),
  );

const templates = (r: ApiObjects['templatePods']): string =>
  memoised(r, (x) =>
    sortedValues(x)
      .map((t) => `${t.key}:${t.uid}:${t.ownerUid}:${t.templateHash}:${t.rv}:${+t.fallbackBinding}`)
      .join(';'),
  );

const nodes = (r: ApiObjects['nodes']): string =>
  memoised(r, (x) =>
    sortedValues(x)
      .map((n) => `${n.name}:${n.allocatable}`)
      .join(';'),
  );

export const apiObjectsKey = (o: ApiObjects): string =>
  memoised(
    o,
    (x) =>
      `D${deployments(x.deployments)}|R${replicaSets(x.replicaSets)}|T${templates(x.templatePods)}|P${pods(x.pods)}|N${nodes(x.nodes)}`,
  );

const viewKey = (v: InformerView): string => `${v.rv}/${apiObjectsKey(v.objects)}`;

/** The canonical key of a world state. */
export const worldKey = (s: WorldState): string => {
  const parts: string[] = [
    `api:${+s.api.up}:${s.api.rv}:${s.api.uidCounter}:${apiObjectsKey(s.api)}`,
    stageKey(s.autoscaler),
    stageKey(s.deployment),
    stageKey(s.replicaset),
    stageKey(s.scheduler),
  ];
  for (const k of sortedValues(s.kubelets)) parts.push(stageKey(k));
  for (const l of sortedValues(s.links))
    parts.push(`${l.id}:${l.phase}:${l.epoch}:${l.serverEpoch}:${canon(l.admitted)}`);
  parts.push(`net:${s.net.map(canon).sort().join(' ')}`);
  parts.push(`load:${canon(s.load)}`, `b:${canon(s.budgets)}`, `g:${canon(s.ghost)}`);
  return parts.join('\n');
};

/** A stage: its view by the memoised API key, everything else generically. */
const stageKey = (stage: { readonly view: InformerView } & object): string => {
  const { view, ...rest } = stage;
  return `${canon(rest)}#${viewKey(view)}`;
};
