/**
 * Evidence the runtime records for `no-orphan-exposure`, independently of the stage's own
 * check: when a stage asks for an expose, did its ReplicaSet informer already show the owner
 * gone? Judged from the informer's objects and queue, not from the stage's bookkeeping: the
 * owner is shown deleting or replaced by another of its name, or it is absent from an
 * informer that has listed and has nothing left to deliver (so absence is not lag).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ApiRequest } from '../../apiserver/index.js';
import type { ApiIntent } from '../../stages/io.js';
import type { ActorSlot } from './state.js';

export const ownerSeenGone = (
  slot: ActorSlot,
  intent: ApiIntent,
  request: ApiRequest | null,
): boolean => {
  if (intent.op !== 'exposePod' || request?.verb !== 'create') return false;
  const ownerUid = (request.object as V1Pod).metadata?.ownerReferences?.[0]?.uid;
  const informer = slot.informers.find((i) => i.informer.filter.kind === 'ReplicaSet')?.informer;
  if (ownerUid === undefined || informer === undefined) return false;
  const owner = informer.get(intent.ownerKey);
  if (owner) {
    const uid = owner.metadata?.uid;
    return uid !== ownerUid || owner.metadata?.deletionTimestamp !== undefined;
  }
  return informer.hasListed && !informer.expired && informer.peek() === undefined;
};
