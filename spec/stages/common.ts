/**
 * Helpers every stage of the model shares: cache keys, informer lookups, and the shape of
 * an enabled action.
 */
import type { Config } from '../types/config.js';
import type { PodKey, Uid } from '../types/ids.js';
import { splitKey } from '../types/ids.js';
import type { PodEntry } from '../types/messages.js';
import type { ApiObjects, PodView, ReplicaSetView, TemplatePodView } from '../types/objects.js';
import type { AppliedEvent } from '../types/observation.js';
import type { InformerView, StageCore, WorldState } from '../world/state.js';

/** How a stage indexes its in-memory cache (the `cacheKey` switch). */
export const cacheKey = (cfg: Config, pod: PodKey): string =>
  cfg.switches.cacheKey === 'name' ? splitKey(pod).name : pod;

/**
 * An enabled action of one actor: its label and the state change it makes, as the next
 * state built from the plain one (`next`). Nothing is changed in place: a step copies only
 * the records on the path to what it changes and returns every other one as it was, so
 * that states share them, and with them the keys and observations memoised by identity
 * (world/key.ts, world/observe.ts).
 */
export interface Step {
  readonly actor: string;
  readonly label: string;
  readonly fault: boolean;
  /** The next state; `state` itself is never changed, and events go to `events`. */
  readonly next: (state: WorldState, cfg: Config, events: AppliedEvent[]) => WorldState;
}

export const step = (actor: string, label: string, next: Step['next']): Step => ({
  actor,
  label,
  fault: false,
  next,
});

/**
 * `record` without the entries `drop` picks, in the same order; the record itself when it
 * picks none, so that states keep sharing it (and its memoised keys and observations).
 */
export const withoutEntries = <T>(
  record: Readonly<Record<string, T>>,
  drop: (value: T, key: string) => boolean,
): Readonly<Record<string, T>> => {
  let out: Record<string, T> | null = null;
  for (const key in record) {
    const value = record[key] as T;
    if (!drop(value, key)) {
      if (out !== null) out[key] = value;
    } else if (out === null) {
      out = {};
      // The entries before the first dropped one, kept in their order.
      for (const kept in record) {
        if (kept === key) break;
        out[kept] = record[kept] as T;
      }
    }
  }
  return out ?? record;
};

/**
 * `record` with the `entries` set, in their order, as assignments would set them (a key it
 * has keeps its place, a new one goes last); the record itself when each entry already
 * holds its value (or there are none), so that states keep sharing it.
 */
export const withEntries = <R extends Readonly<Record<string, unknown>>>(
  record: R,
  entries: readonly (readonly [keyof R & string, NonNullable<R[keyof R]>])[],
): R => {
  let out: Record<string, unknown> | null = null;
  for (const [key, value] of entries) {
    if (out === null && record[key] === value) continue;
    out ??= { ...record };
    out[key] = value;
  }
  return (out ?? record) as R;
};

/** `withEntries` for one entry. */
export const withEntry = <R extends Readonly<Record<string, unknown>>>(
  record: R,
  key: keyof R & string,
  value: NonNullable<R[keyof R]>,
): R => withEntries(record, [[key, value]]);

/**
 * A record changed entry by entry where later changes read earlier ones (round 2): `set`
 * and `remove` act as an assignment and a `delete` would, on a copy made at the first one
 * that changes something; `current` is the record as they left it (`record` itself until
 * then, so that states keep sharing it).
 */
export interface RecordEdit<T> {
  readonly current: Readonly<Record<string, T>>;
  set(key: string, value: T): void;
  remove(key: string): void;
}

export const editRecord = <T>(record: Readonly<Record<string, T>>): RecordEdit<T> => {
  let out: Record<string, T> | null = null;
  return {
    get current() {
      return out ?? record;
    },
    set(key, value) {
      if (out === null && Object.hasOwn(record, key) && record[key] === value) return;
      out ??= { ...record };
      out[key] = value;
    },
    remove(key) {
      if (out === null && !Object.hasOwn(record, key)) return;
      out ??= { ...record };
      delete out[key];
    },
  };
};

/**
 * `record` with `items` let in one after another: `admit` gives the key and entry an item
 * sets, judged against the record as the items before it left it, or null to leave it out
 * (as a loop of assignments would). The record is copied once, on the first
 * entry set; the record itself when none is.
 */
export const withAdmitted = <T, I>(
  record: Readonly<Record<string, T>>,
  items: readonly I[],
  admit: (item: I, current: Readonly<Record<string, T>>) => readonly [string, T] | null,
): Readonly<Record<string, T>> => {
  let out: Record<string, T> | null = null;
  for (const item of items) {
    const admitted = admit(item, out ?? record);
    if (admitted === null) continue;
    out ??= { ...record };
    out[admitted[0]] = admitted[1];
  }
  return out ?? record;
};

export const templateOf = (view: InformerView, ownerUid: Uid): TemplatePodView | undefined => {
  for (const template of Object.values(view.objects.templatePods)) {
    if (template.ownerUid === ownerUid) return template;
  }
  return undefined;
};

const replicaSetByUid = (view: InformerView, uid: Uid): ReplicaSetView | undefined => {
  for (const rs of Object.values(view.objects.replicaSets)) if (rs.uid === uid) return rs;
  return undefined;
};

/**
 * The best-effort owner check before an expose (switch `exposeChecksOwner`): the informer
 * shows the owning ReplicaSet deleting, replaced by another of the same name, or, having
 * passed the template's creation (a ReplicaSet is older than its template), not at all.
 * Best effort only: a lagging informer still shows a deleted owner, so an orphan can be
 * exposed anyway, and the garbage collector removes it.
 */
export const ownerSeenGone = (
  view: InformerView,
  entry: Pick<PodEntry, 'ownerKey' | 'ownerUid' | 'templateRv'>,
): boolean => {
  const rs = view.objects.replicaSets[entry.ownerKey];
  if (rs?.uid === entry.ownerUid) return rs.deleting;
  return rs !== undefined || view.rv >= entry.templateRv;
};

/**
 * The owner is known to be gone: the informer has passed the template's creation and shows
 * neither the template nor the ReplicaSet. (Absent before that point only means "not yet seen".)
 */
export const ownerKnownGone = (view: InformerView, ownerUid: Uid, templateRv: number): boolean =>
  view.rv >= templateRv && !templateOf(view, ownerUid) && !replicaSetByUid(view, ownerUid);

export const podsOwnedBy = (pods: Readonly<Record<PodKey, PodView>>, ownerUid: Uid): PodView[] =>
  Object.values(pods).filter((p) => p.ownerUid === ownerUid);

/**
 * What round 2 reads to tell persisted from lost: the API itself (a quorum read) or the
 * stage's informer (switch `round2Read`).
 */
export const round2Read = (state: WorldState, cfg: Config, core: StageCore): ApiObjects =>
  cfg.switches.round2Read === 'quorum' ? state.api : core.view.objects;

export const isServing = (core: StageCore): boolean => core.phase === 'serving';

/** A server answers handshakes once recovered (bottom-up) or once its informer synced (top-down). */
export const answersHandshakes = (cfg: Config, core: StageCore): boolean =>
  core.phase === 'serving' || (cfg.switches.recovery === 'topDown' && core.phase === 'recovering');

export const emptyView = (): InformerView => ({
  rv: 0,
  objects: { deployments: {}, replicaSets: {}, templatePods: {}, pods: {}, nodes: {} },
});
