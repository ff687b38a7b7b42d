/**
 * Canonical keys of world states: two states get the same key iff they are equal (up to the
 * sub-objects' 128-bit content ids, below), whatever order their records were filled in. Records serialise in sorted key order and messages in
 * flight as a sorted multiset.
 *
 * What is left out, and why it is safe: the step counter and the last step's events (not
 * state), and the resourceVersion of pods, ReplicaSets and nodes (no stage of the model reads
 * those; template rvs, which stages do read, are kept).
 *
 * Sub-objects are immutable and shared between states, so their serialisation is memoised
 * by object identity: a successor's key serialises only what its step changed (a stage, a
 * record, the messages in flight) and strings together the ids of the rest. The memo's
 * entries for a successor are written only if the explorer keeps it (`HeldMemo`, memo.ts).
 */

import { contentId } from '../explore/fingerprint.js';
import { type StageKind, stageKindOf } from '../types/ids.js';
import type { ApiObjects } from '../types/objects.js';
import { INFORMER_READS } from './informer.js';
import { HeldMemo } from './memo.js';
import type { InformerView, StageCore, WorldState } from './state.js';

/**
 * Generic canonical form: sorted object keys, arrays in order. Objects and arrays are
 * memoised by identity (states share every unchanged sub-object).
 */
export const canon = (value: unknown): string => {
  if (typeof value === 'number') return `${value}`;
  if (typeof value === 'string') return quoted(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  let out = canonMemo.get(value);
  if (out === undefined) {
    out = intern(canonUncached(value));
    canonMemo.set(value, out);
  }
  return out;
};

const canonMemo = new HeldMemo<object, string>();

/**
 * A string as JSON writes it, memoised: the model's strings are a small set (ids, phases,
 * keys), and every stage key quotes a few of them. (A number is written as JSON writes it
 * too, except NaN and the infinities, which the model never holds: JSON writes them `null`.)
 */
const quoted = (value: string): string => {
  let out = quotes.get(value);
  if (out === undefined) {
    out = JSON.stringify(value);
    if (quotes.size < MAX_QUOTES) quotes.set(value, out);
  }
  return out;
};

const quotes = new Map<string, string>();
const MAX_QUOTES = 100_000;

/**
 * Hash-consing: every distinct serialisation of a sub-object gets a short id, so a world
 * key is under two hundred characters however large the state (each stage, the API's
 * objects, the links, the net, the load, budgets and ghost: one id each). The id is a 128-bit fingerprint
 * of the serialisation (`contentId`), not a counter: a counter would number sub-objects in
 * the order one thread met them, and a state would have another key in another thread of
 * `kd explore --workers`; nor is a table of every serialisation ever met kept alive.
 */
const intern = (serialised: string): string => {
  let id = interned.get(serialised);
  if (id === undefined) {
    id = `#${contentId(serialised)}`;
    if (interned.size >= MAX_INTERNED) interned.clear();
    interned.set(serialised, id);
  }
  return id;
};

/**
 * The ids of the serialisations met lately: a memo, not a table the ids depend on (each is
 * the content id of its serialisation, whatever the memo holds). Successors rebuild the
 * serialisation of every sub-object their step made anew, but few are new in content:
 * looking one up in a `Map` costs less than hashing it four ways. Cleared when full, so it
 * follows what the search meets now and stays bounded.
 */
const interned = new Map<string, string>();
const MAX_INTERNED = 1 << 16;

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

const memo = new HeldMemo<object, string>();

/**
 * `serialise(value)` interned, memoised per object in `table` (API records by default; the
 * world's other parts keep tables of their own, so an object shared by two parts, such as
 * an empty record, is never read from the wrong one).
 */
const memoised = <T extends object>(
  value: T,
  serialise: (v: T) => string,
  table: HeldMemo<object, string> = memo,
): string => {
  let out = table.get(value);
  if (out === undefined) {
    out = intern(serialise(value));
    table.set(value, out);
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
 * Each record's (and the net's) rvs are memoised per object, sorted and distinct; a state's
 * thresholds are their union.
 */
const templateThresholds = (s: WorldState): readonly number[] => {
  let out = mergeRvs(rvsOf(s.api.templatePods, 'rv'), rvsOf(s.replicaset.requested, 'templateRv'));
  out = mergeRvs(out, rvsOf(s.scheduler.pods, 'templateRv'));
  for (const node in s.kubelets) {
    const kubelet = s.kubelets[node];
    if (kubelet !== undefined) out = mergeRvs(out, rvsOf(kubelet.bound, 'templateRv'));
  }
  return mergeRvs(out, netRvs(s.net));
};

/** The distinct values of one numeric field over a record's entries, sorted. */
const rvsOf = <F extends string>(
  record: Readonly<Record<string, { readonly [K in F]: number }>>,
  field: F,
): readonly number[] => {
  let out = rvsMemo.get(record);
  if (out === undefined) {
    const rvs = new Set<number>();
    for (const key in record) rvs.add((record[key] as { readonly [K in F]: number })[field]);
    out = [...rvs].sort((a, b) => a - b);
    rvsMemo.set(record, out);
  }
  return out;
};

const netRvs = (net: WorldState['net']): readonly number[] => {
  let out = rvsMemo.get(net);
  if (out === undefined) {
    const rvs = new Set<number>();
    for (const m of net) {
      if ('templateRv' in m) rvs.add(m.templateRv);
      if ('entry' in m && m.entry.kind === 'pod') rvs.add(m.entry.templateRv);
      const entries = 'entries' in m ? m.entries : 'snapshot' in m ? m.snapshot : [];
      for (const e of entries) if (e.kind === 'pod') rvs.add(e.templateRv);
    }
    out = [...rvs].sort((a, b) => a - b);
    rvsMemo.set(net, out);
  }
  return out;
};

const rvsMemo = new HeldMemo<object, readonly number[]>();

/** The sorted union of two sorted lists of distinct numbers (one of them, when it is both). */
const mergeRvs = (a: readonly number[], b: readonly number[]): readonly number[] => {
  if (b.length === 0 || sameRvs(a, b)) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY;
    if (x <= y) i += 1;
    if (y <= x) j += 1;
    out.push(Math.min(x, y));
  }
  return out;
};

const sameRvs = (a: readonly number[], b: readonly number[]): boolean => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * What a stage's informer reads, interned; memoised per objects of the view, not per view:
 * every delivery makes a new view, but its objects are the projection of the API state
 * (`projectApi`, memoised), which many states share.
 */
const viewKey = (v: InformerView, kind: StageKind): string => {
  // Per kind: views of two kinds may share one object (an empty initial view).
  const memo = viewKeys[kind];
  let out = memo.get(v.objects);
  if (out === undefined) {
    out = intern(
      INFORMER_READS[kind]
        .map((c) => (COLLECTION_KEYS[c] as (r: unknown) => string)(v.objects[c]))
        .join('|'),
    );
    memo.set(v.objects, out);
  }
  return out;
};

const viewKeys: Readonly<Record<StageKind, HeldMemo<object, string>>> = {
  autoscaler: new HeldMemo(),
  deployment: new HeldMemo(),
  replicaset: new HeldMemo(),
  scheduler: new HeldMemo(),
  kubelet: new HeldMemo(),
};

/**
 * The canonical key of a world state. Also left out: the global rv and the uid counter
 * (they only mint fresh values, which compare the same way whatever their number); what a
 * stage compares with the global rv, whether its informer has caught up with it, is kept.
 *
 * Every part is a short string of fixed-width ids (each sub-object's content id, above), so
 * the key is some 150 characters, not a serialisation of the state: the explorer hashes one
 * per transition.
 */
export const worldKey = (s: WorldState): string => {
  const clients = clientsOf(s.links);
  const thresholds = templateThresholds(s);
  const stage = (x: StageCore & object) =>
    stageKey(x, thresholds, clients.has(x.id) ? s.api.rv : null);
  let out = `${+s.api.up}${apiObjectsKey(s.api)}${canon(s.api.leases)}${stage(s.autoscaler)}${stage(s.deployment)}${stage(s.replicaset)}${stage(s.scheduler)}`;
  for (const k of sortedValues(s.kubelets)) out += stage(k);
  return `${out}${linksKey(s.links)}${netKey(s.net)}${canon(s.load)}${canon(s.budgets)}${canon(s.ghost)}`;
};

/** Links: each one's session, interned; memoised per links record. */
const linksKey = (links: WorldState['links']): string =>
  memoised(
    links,
    (x) =>
      sortedValues(x)
        .map(
          (l) =>
            `${l.id}:${l.phase}:${l.epoch}:${l.serverEpoch}:${canon(l.admitted)}:${canon(l.round2)}:${l.checked}`,
        )
        .join('\n'),
    linksMemo,
  );

const linksMemo = new HeldMemo<object, string>();

/** Messages in flight as a sorted multiset; memoised per net array. */
const netKey = (net: WorldState['net']): string =>
  memoised(net, (x) => x.map(canon).sort().join(' '), netMemo);

const netMemo = new HeldMemo<object, string>();

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

const clientsMemo = new HeldMemo<object, ReadonlySet<string>>();

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
  const kind = stageKindOf(stage.id);
  const rv = stage.view.rv;
  const caughtUp = apiRv === null ? '-' : rv >= apiRv ? '=' : '<';
  // Only kubelets and the scheduler compare their informer's rv (with template rvs).
  const position =
    kind === 'kubelet' || kind === 'scheduler' ? thresholdPosition(rv, thresholds) : -1;
  let cached = stageKeys.get(stage);
  if (cached === undefined) {
    cached = { fields: stageFields(stage), position, caughtUp, key: '' };
    stageKeys.set(stage, cached);
  } else if (cached.position === position && cached.caughtUp === caughtUp) return cached.key;
  cached.position = position;
  cached.caughtUp = caughtUp;
  cached.key = `${cached.fields}${caughtUp}${position < 0 ? '' : position}/${viewKey(stage.view, kind)}`;
  return cached.key;
};

/**
 * Per stage object: the id of its fields but the view, and its last key, reused while its
 * position and caught-up mark hold. One entry for both: a step makes a new stage object for
 * most transitions, and every entry in a weak map is work for the garbage collector too.
 */
const stageKeys = new HeldMemo<
  object,
  { readonly fields: string; position: number; caughtUp: string; key: string }
>();

/**
 * Every field but the view, interned; found across stage objects by field contents
 * (`FieldsNode`): most steps make a new stage object, most of them with fields met before
 * (an informer delivery replaces the view and perhaps a record), and finding those costs a
 * lookup per field where serialising them builds and hashes a string of some 150 characters.
 */
const stageFields = (stage: StageCore & object): string => {
  const node = fieldsNode(stage);
  const id = node?.id ?? intern(serialiseFields(stage));
  if (node !== null) node.id = id;
  return id;
};

const serialiseFields = (stage: StageCore & object): string => {
  let out = '';
  for (const field in stage) {
    if (field !== 'view') out += `${field}:${canon(stage[field as keyof typeof stage])},`;
  }
  return out;
};

/**
 * A trie of stages' fields but the view, in their order: a node's children are keyed by the
 * content of its `field`'s value (an object by its id, `canon`, memoised per object; any
 * other value by itself), and the node a stage's last field leads to holds the stage's id.
 * Equal names and contents make equal serialisations, hence the same id.
 */
interface FieldsNode {
  /** The field whose value keys the children; the same at this depth for every stage met. */
  field?: string;
  id?: string;
  readonly objects: Map<string, FieldsNode>;
  readonly values: Map<unknown, FieldsNode>;
}

const newNode = (): FieldsNode => {
  fieldNodes += 1;
  return { objects: new Map(), values: new Map() };
};

/** Nodes made since the trie was last started afresh: it is, past `MAX_FIELD_NODES`. */
let fieldNodes = 0;
const MAX_FIELD_NODES = 1 << 16;
let fieldsRoot = newNode();

/** The stage's node, or null for a stage whose fields come in another order (never met). */
const fieldsNode = (stage: StageCore & object): FieldsNode | null => {
  if (fieldNodes > MAX_FIELD_NODES) {
    fieldNodes = 0;
    fieldsRoot = newNode();
  }
  let node = fieldsRoot;
  for (const field in stage) {
    if (field === 'view') continue;
    node.field ??= field;
    if (node.field !== field) return null;
    node = childOf(node, stage[field as keyof typeof stage]);
  }
  return node;
};

const childOf = (node: FieldsNode, value: unknown): FieldsNode => {
  const isObject = typeof value === 'object' && value !== null;
  const children: Map<unknown, FieldsNode> = isObject ? node.objects : node.values;
  const key = isObject ? canon(value) : value;
  let child = children.get(key);
  if (child === undefined) {
    child = newNode();
    children.set(key, child);
  }
  return child;
};

const thresholdPosition = (rv: number, thresholds: readonly number[]): number => {
  let position = 0;
  while (position < thresholds.length && (thresholds[position] ?? 0) <= rv) position += 1;
  return position;
};
