/**
 * Canonical keys of world states: two states get the same key iff they are equal (up to the
 * sub-objects' 128-bit content ids, below), whatever order their records were filled in. Records serialise in sorted key order and messages in
 * flight as a sorted multiset.
 *
 * What is left out, and why it is safe: the step counter and the last step's events (not
 * state), and the resourceVersion of pods, ReplicaSets and nodes (no stage of the model reads
 * those; template rvs, which stages do read, are kept).
 *
 * API records are immutable and shared between states, so their serialisation is memoised
 * by object identity.
 */

import { contentId } from '../explore/fingerprint.js';
import { type StageKind, stageKindOf } from '../types/ids.js';
import type { ApiObjects } from '../types/objects.js';
import { INFORMER_READS } from './informer.js';
import type { InformerView, StageCore, WorldState } from './state.js';

/**
 * Generic canonical form: sorted object keys, arrays in order. Objects and arrays are
 * memoised by identity (states share every unchanged sub-object).
 */
export const canon = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  let out = canonMemo.get(value);
  if (out === undefined) {
    out = intern(canonUncached(value));
    canonMemo.set(value, out);
  }
  return out;
};

const canonMemo = new WeakMap<object, string>();

/**
 * Hash-consing: every distinct serialisation of a sub-object gets a short id, so a world
 * key is a few hundred characters however large the state. The id is a 128-bit fingerprint
 * of the serialisation (`contentId`), not a counter: a counter would number sub-objects in
 * the order one thread met them, and a state would have another key in another thread of
 * `kd explore --workers`; nor is a table of every serialisation ever met kept alive.
 */
const intern = (serialised: string): string => `#${contentId(serialised)}`;

const canonUncached = (value: object): string => {
  if (Array.isArray(value)) return `[${value.map(canon).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    if (record[key] === undefined) continue;
    out += `${key}:${canon(record[key])},`;
  }
  return `${out}}`;
};

const memo = new WeakMap<object, string>();

const memoised = <T extends object>(value: T, serialise: (v: T) => string): string => {
  let out = memo.get(value);
  if (out === undefined) {
    out = intern(serialise(value));
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
      .map(
        (d) =>
          `${d.key}:${d.uid}:${d.replicas}@${d.generation}/${d.replicasVersion}:${d.templateHash}:${+d.managed}${+d.deleting}:${d.status.replicas}/${d.status.readyReplicas}`,
      )
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

const apiObjectsKey = (o: ApiObjects): string =>
  memoised(
    o,
    (x) =>
      `D${deployments(x.deployments)}|R${replicaSets(x.replicaSets)}|T${templates(x.templatePods)}|P${pods(x.pods)}|N${nodes(x.nodes)}`,
  );

const COLLECTION_KEYS: { readonly [C in keyof ApiObjects]: (r: ApiObjects[C]) => string } = {
  deployments,
  replicaSets,
  templatePods: templates,
  pods,
  nodes,
};

/** Equal content of one API collection (memoised, so cheap for shared records). */
export const sameCollection = <C extends keyof ApiObjects>(
  c: C,
  a: ApiObjects[C],
  b: ApiObjects[C],
): boolean => a === b || COLLECTION_KEYS[c](a) === COLLECTION_KEYS[c](b);

/**
 * Template resourceVersions the state compares informer rvs against (`ownerKnownGone`).
 * Only a view rv's position among them matters, so keys record that position, not the rv.
 */
const templateThresholds = (s: WorldState): number[] => {
  const rvs = new Set<number>();
  for (const t of Object.values(s.api.templatePods)) rvs.add(t.rv);
  const held = (h: { readonly templateRv: number }) => rvs.add(h.templateRv);
  Object.values(s.replicaset.requested).forEach(held);
  Object.values(s.scheduler.pods).forEach(held);
  for (const k of Object.values(s.kubelets)) Object.values(k.bound).forEach(held);
  for (const m of s.net) {
    if ('templateRv' in m) rvs.add(m.templateRv);
    if ('entry' in m && m.entry.kind === 'pod') rvs.add(m.entry.templateRv);
    const entries = 'entries' in m ? m.entries : 'snapshot' in m ? m.snapshot : [];
    for (const e of entries) if (e.kind === 'pod') rvs.add(e.templateRv);
  }
  return [...rvs].sort((a, b) => a - b);
};

const viewKey = (v: InformerView, kind: StageKind, position: number): string => {
  const reads = INFORMER_READS[kind]
    .map((c) => (COLLECTION_KEYS[c] as (r: unknown) => string)(v.objects[c]))
    .join('|');
  // Only kubelets and the scheduler compare their informer's rv (with template rvs).
  if (kind !== 'kubelet' && kind !== 'scheduler') return intern(reads);
  return `${position}/${intern(reads)}`;
};

/**
 * The canonical key of a world state. Also left out: the global rv and the uid counter
 * (they only mint fresh values, which compare the same way whatever their number); what a
 * stage compares with the global rv, whether its informer has caught up with it, is kept.
 */
export const worldKey = (s: WorldState): string => {
  const thresholds = templateThresholds(s);
  const clients = clientsOf(s.links);
  const stage = (x: StageCore & object) =>
    stageKey(x, thresholds, clients.has(x.id) ? s.api.rv : null);
  const parts: string[] = [
    `api:${+s.api.up}:${apiObjectsKey(s.api)}:${canon(s.api.leases)}`,
    stage(s.autoscaler),
    stage(s.deployment),
    stage(s.replicaset),
    stage(s.scheduler),
  ];
  for (const k of sortedValues(s.kubelets)) parts.push(stage(k));
  for (const l of sortedValues(s.links))
    parts.push(
      `${l.id}:${l.phase}:${l.epoch}:${l.serverEpoch}:${canon(l.admitted)}:${canon(l.round2)}:${l.checked}`,
    );
  parts.push(`net:${s.net.map(canon).sort().join(' ')}`);
  parts.push(`load:${canon(s.load)}`, `b:${canon(s.budgets)}`, `g:${canon(s.ghost)}`);
  return parts.join('\n');
};

/**
 * The stages that are a link's client. Links never change who their client is, and states
 * share the links record until a link changes: memoised per record, not rebuilt per key
 * (a key is computed for every transition the explorer makes).
 */
const clientsOf = (links: WorldState['links']): ReadonlySet<string> => {
  let clients = clientsMemo.get(links);
  if (clients === undefined) {
    clients = new Set(Object.values(links).map((l) => l.client));
    clientsMemo.set(links, clients);
  }
  return clients;
};

const clientsMemo = new WeakMap<object, ReadonlySet<string>>();

/**
 * A stage: what its informer reads, everything else generically. Memoised per stage object.
 *
 * For a client of a link (`apiRv` given), whether its informer has caught up with the API
 * (`view.rv >= api.rv`) is part of it: after a handshake reply the client reads the API's rv
 * and runs round 2 at once or waits for a delivery on that comparison alone (session.ts
 * `readResourceVersion`). Without it two states with one key took different next steps,
 * and which of them a search kept, hence its state count, depended on the order it met
 * them in: the sharded search of `--workers` found 110,348 states in `down` where one
 * thread found 109,537. (`behindHeldTemplates` compares the same rvs, but only as a
 * shortcut: a caught-up view has passed every template rv already.)
 */
const stageKey = (
  stage: StageCore & object,
  thresholds: readonly number[],
  apiRv: number | null,
): string => {
  const position = thresholdPosition(stage.view.rv, thresholds);
  const caughtUp = apiRv === null ? '' : stage.view.rv >= apiRv ? '=' : '<';
  const cached = stageKeys.get(stage);
  if (cached?.position === position && cached.caughtUp === caughtUp) return cached.key;
  let out = '';
  for (const [field, value] of Object.entries(stage)) {
    if (field !== 'view') out += `${field}:${canon(value)},`;
  }
  const key = `${out}#${caughtUp}${viewKey(stage.view, stageKindOf(stage.id), position)}`;
  stageKeys.set(stage, { position, caughtUp, key });
  return key;
};

const stageKeys = new WeakMap<
  object,
  { readonly position: number; readonly caughtUp: string; readonly key: string }
>();

const thresholdPosition = (rv: number, thresholds: readonly number[]): number => {
  let position = 0;
  while (position < thresholds.length && (thresholds[position] ?? 0) <= rv) position += 1;
  return position;
};
