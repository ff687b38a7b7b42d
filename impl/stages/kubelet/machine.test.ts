import { describe, expect, it } from 'vitest';
import type { Switches } from '../../../spec/types/config.js';
import type { PodEntry } from '../../../spec/types/messages.js';
import type { PodView, ReplicaSetView, TemplatePodView } from '../../../spec/types/objects.js';
import { StageDriver } from '../controller/driver.js';
import { inputFor } from '../controller/test-config.js';
import type { StageEvent } from '../io.js';
import { kubeletMachine, report } from './machine.js';

const template: TemplatePodView = {
  key: 'a/rs-template',
  uid: 'u2',
  ownerUid: 'u1',
  ownerKey: 'a/rs',
  templateHash: 'h1',
  fallbackBinding: false,
  rv: 2,
};
const rs: ReplicaSetView = {
  key: 'a/rs',
  uid: 'u1',
  ownerUid: 'u0',
  templateHash: 'h1',
  replicas: 1,
  replicasVersion: 1,
  fallbackScaling: false,
  status: { replicas: 0, readyReplicas: 0 },
  deleting: false,
  managed: true,
  rv: 1,
};
const entry = (key = 'a/p1'): PodEntry => ({
  kind: 'pod',
  key,
  ownerKey: 'a/rs',
  ownerUid: 'u1',
  node: 'n1',
  templateRv: 2,
});
const podView = (over: Partial<PodView> = {}): PodView => ({
  key: 'a/p1',
  uid: 'u9',
  ownerUid: 'u1',
  ownerKey: 'a/rs',
  templateHash: 'h1',
  nodeName: 'n1',
  ready: false,
  deleting: false,
  rv: 5,
  ...over,
});

const E1 = 'scheduler#1.1';
const msg = (m: object): StageEvent => ({
  type: 'message',
  message: { source: 'scheduler', destination: 'kubelet/n1', epoch: E1, ...m } as never,
});
const handshake = (epoch = E1) => msg({ type: 'kubelet.handshake', epoch });
const bind = (key = 'a/p1', epoch = E1) =>
  msg({ type: 'kubelet.bindPod', epoch, entry: entry(key) });
const upsert = (object: unknown, rv: number): StageEvent =>
  ({ type: 'informer.upsert', object, rv }) as StageEvent;
const upsertPod = (over: Partial<PodView> = {}, rv = 5) =>
  upsert({ kind: 'Pod', view: podView({ ...over, rv }) } as never, rv);
const deletePod = (rv = 9): StageEvent => ({
  type: 'informer.delete',
  object: { kind: 'Pod', view: podView() },
  rv,
  tombstone: false,
});
const done = (id: number, intent: object, outcome = 'ok'): StageEvent =>
  ({ type: 'api.done', id, intent, outcome }) as StageEvent;

/** A serving kubelet whose informer shows the ReplicaSet (and the template unless `bare`). */
const serving = (flips: Partial<Switches> = {}, bare = false) => {
  const d = new StageDriver(kubeletMachine, inputFor('kubelet/n1', flips));
  d.send({ type: 'start' }, upsert({ kind: 'ReplicaSet', view: rs } as never, 1));
  if (!bare) d.send(upsert({ kind: 'TemplatePod', view: template } as never, 2));
  d.send({ type: 'informer.synced', rv: 2 }, handshake());
  return d;
};
const dirty = (d: StageDriver<typeof kubeletMachine>) => report(d.snapshot).dirty;

describe('kubelet sessions', () => {
  it('answers notReady until its informer synced', () => {
    const d = new StageDriver(kubeletMachine, inputFor('kubelet/n1'));
    d.send({ type: 'start' }, handshake());
    expect(d.of('send')[0]?.message.type).toBe('scheduler.notReady');
    d.send({ type: 'informer.synced', rv: 1 }, handshake());
    expect(d.of('send')[0]?.message.type).toBe('scheduler.handshakeReply');
    expect(report(d.snapshot)).toMatchObject({ phase: 'serving', serverEpochs: { scheduler: E1 } });
  });

  it('a handshake snapshot holds the bound, unpersisted pods', () => {
    const d = serving({}, true);
    d.send(bind());
    d.send(handshake('scheduler#1.2'));
    const reply = d.of('send')[0]?.message;
    expect(reply).toMatchObject({ type: 'scheduler.handshakeReply', epoch: 'scheduler#1.2' });
    expect(reply && 'snapshot' in reply ? reply.snapshot.map((e) => e.key) : []).toEqual(['a/p1']);
  });

  it('refuses a bind of a stale epoch with epochMismatch and holds nothing', () => {
    const d = serving();
    d.send(handshake('scheduler#1.2'));
    d.send(bind('a/p1', E1));
    expect(d.of('send')[0]?.message.type).toBe('scheduler.epochMismatch');
    expect(dirty(d)).toEqual([]);
  });

  it('fence none: a bind is admitted now and applied when the apply timer fires', () => {
    const d = serving({ fence: 'none' });
    d.send(bind());
    expect(dirty(d)).toEqual([]);
    expect(d.of('timer.set')[0]?.name).toBe('link.apply:scheduler');
    d.send({ type: 'timer', name: 'link.apply:scheduler' });
    expect(dirty(d).map((e) => e.key)).toEqual(['a/p1']);
  });
});

describe('kubelet binds and exposes', () => {
  it('a bind before its template waits, then exposes when the template arrives', () => {
    const d = serving({}, true);
    d.send(bind());
    expect(d.of('applied').map((a) => a.event.kind)).toContain('bindBeforeTemplate');
    expect(d.of('api')).toEqual([]);
    expect(dirty(d)[0]).toMatchObject({ state: 'waitingTemplate' });
    d.send(upsert({ kind: 'TemplatePod', view: template } as never, 3));
    expect(d.of('api')[0]?.intent).toMatchObject({ op: 'exposePod', templateKey: 'a/rs-template' });
  });

  it('exposeRequiresTemplate off: exposes at once without the template', () => {
    const d = serving({ exposeRequiresTemplate: false }, true);
    d.send(bind());
    expect(d.of('api')[0]?.intent).toMatchObject({ op: 'exposePod', key: 'a/p1' });
  });

  it('exposeChecksOwner: drops an entry whose owner its informer shows gone instead of exposing', () => {
    const run = (flips: Partial<Switches>) => {
      const d = serving(flips);
      // The owner is deleted; the template is still there (the garbage collector is late).
      d.send({
        type: 'informer.delete',
        object: { kind: 'ReplicaSet', view: rs },
        rv: 4,
        tombstone: false,
      });
      d.send(bind());
      return d;
    };
    const checked = run({});
    expect(checked.of('api')).toEqual([]);
    expect(dirty(checked)).toEqual([]);
    const unchecked = run({ exposeChecksOwner: false });
    expect(unchecked.of('api')[0]?.intent).toMatchObject({ op: 'exposePod', ownerKey: 'a/rs' });
  });

  it('exposeChecksOwner is best effort: an owner not yet seen gone is exposed', () => {
    const d = serving();
    d.send(bind());
    expect(d.of('api')[0]?.intent).toMatchObject({ op: 'exposePod', key: 'a/p1' });
  });

  it('drops an entry whose retried expose could not be built (template gone: notFound)', () => {
    const d = serving();
    d.send(bind());
    const api = d.of('api')[0];
    d.send(done(api?.id ?? 0, api?.intent ?? {}, 'notFound'));
    expect(dirty(d)).toEqual([]);
  });

  it('retries the expose after an outage, marked as a retry', () => {
    const d = serving();
    d.send(bind());
    const api = d.of('api')[0];
    d.send(done(api?.id ?? 0, api?.intent ?? {}, 'outage'));
    expect(d.of('timer.set')[0]?.name).toBe('kubelet.retry');
    expect(d.of('api')).toEqual([]);
    d.send({ type: 'timer', name: 'kubelet.retry' });
    expect(d.of('api')[0]).toMatchObject({ retry: true, intent: { op: 'exposePod' } });
  });

  it('starts the sandbox on a successful expose, and evicts once the informer shows the pod', () => {
    const d = serving();
    d.send(bind());
    const api = d.of('api')[0];
    d.send(done(api?.id ?? 0, api?.intent ?? {}));
    expect(d.of('sandbox.start')[0]).toMatchObject({
      pod: 'a/p1',
      ownerUid: 'u1',
      templateHash: 'h1',
    });
    expect(dirty(d)[0]).toMatchObject({ state: 'exposed' });
    d.send(upsertPod());
    expect(dirty(d)).toEqual([]);
    const kept = serving({ evictOnPersist: false });
    kept.send(bind());
    const a = kept.of('api')[0];
    kept.send(done(a?.id ?? 0, a?.intent ?? {}), upsertPod());
    expect(dirty(kept)).toHaveLength(1);
  });

  it('a tombstone blocks a duplicate bind after eviction and deletion (and only with kubeletTombstones)', () => {
    const run = (flips: Partial<Switches>) => {
      const d = serving(flips);
      d.send(bind());
      const api = d.of('api')[0];
      d.send(done(api?.id ?? 0, api?.intent ?? {}), upsertPod(), deletePod(), bind());
      return dirty(d);
    };
    expect(run({})).toEqual([]);
    expect(run({ kubeletTombstones: false }).map((e) => e.key)).toEqual(['a/p1']);
  });

  it('a persisted copy wins over a bind (API precedence)', () => {
    const d = serving();
    d.send(upsertPod(), bind());
    expect(dirty(d)).toEqual([]);
  });

  it('drops an entry whose owner is known gone, only with dropOrphanedEntries', () => {
    const run = (flips: Partial<Switches>, templateStreamRv: number | null, templateRv = 2) => {
      const d = serving(flips, true);
      d.send(msg({ type: 'kubelet.bindPod', epoch: E1, entry: { ...entry(), templateRv } }));
      d.send({
        type: 'informer.delete',
        object: { kind: 'ReplicaSet', view: rs },
        rv: 4,
        tombstone: false,
      });
      // The garbage collector deletes the template Pod after its ReplicaSet.
      if (templateStreamRv !== null)
        d.send({
          type: 'informer.delete',
          object: { kind: 'TemplatePod', view: template },
          rv: templateStreamRv,
          tombstone: false,
        } as never);
      return dirty(d);
    };
    expect(run({}, 5)).toEqual([]);
    expect(run({ dropOrphanedEntries: false }, 5)).toHaveLength(1);
    // A template made after the initial lists (rv 3): until the template Pods' own stream
    // has passed it, its owner is only not yet seen, whatever other streams delivered.
    expect(run({}, null, 3)).toHaveLength(1);
    expect(run({}, 5, 3)).toEqual([]);
  });

  it('cacheKey name: same-named pods of two namespaces collide', () => {
    const run = (flips: Partial<Switches>) => {
      const d = serving(flips);
      d.send(bind('a/p1'), bind('b/p1'));
      return dirty(d).length;
    };
    expect(run({})).toBe(2);
    expect(run({ cacheKey: 'name' })).toBe(1);
  });
});

describe('kubelet pods on its node', () => {
  it('starts a sandbox for a pod the API bound here, then marks it Ready by status patch', () => {
    const d = serving({}, false);
    d.send(upsertPod());
    expect(d.of('sandbox.start')).toHaveLength(1);
    d.send({ type: 'sandbox.started', pod: 'a/p1' });
    expect(d.of('api')[0]?.intent).toEqual({ op: 'markReady', key: 'a/p1', wholeObject: false });
    const whole = serving({ statusPatchOnly: false });
    whole.send(upsertPod(), { type: 'sandbox.started', pod: 'a/p1' });
    expect(whole.of('api')[0]?.intent).toMatchObject({ wholeObject: true });
    const never = serving({ markReady: false });
    never.send(upsertPod(), { type: 'sandbox.started', pod: 'a/p1' });
    expect(never.of('api')).toEqual([]);
  });

  it('terminates a pod marked deleting: stop the sandbox, then remove the object', () => {
    const d = serving();
    d.send(upsertPod(), { type: 'sandbox.started', pod: 'a/p1' });
    d.send(upsertPod({ deleting: true }, 6));
    expect(d.of('sandbox.stop')).toEqual([{ type: 'sandbox.stop', pod: 'a/p1' }]);
    expect(d.of('api')).toEqual([]);
    d.send({ type: 'sandbox.stopped', pod: 'a/p1' });
    expect(d.of('api')[0]?.intent).toEqual({ op: 'removePod', key: 'a/p1', uid: 'u9' });
  });

  it('keeps a finished removal in mind only while its informer shows the pod', () => {
    const removing = () => {
      const d = serving();
      d.send(upsertPod(), { type: 'sandbox.started', pod: 'a/p1' });
      d.send(upsertPod({ deleting: true }, 6), { type: 'sandbox.stopped', pod: 'a/p1' });
      const [call] = d.of('api');
      return { d, answer: done(call?.id ?? -1, call?.intent ?? {}) };
    };
    // The answer first: the mark holds until the informer shows the pod again (its deletion).
    const answeredFirst = removing();
    answeredFirst.d.send(answeredFirst.answer);
    expect(answeredFirst.d.snapshot.context.done).toEqual({ 'removePod:a/p1': true });
    answeredFirst.d.send(deletePod());
    expect(answeredFirst.d.snapshot.context.done).toEqual({});
    // The deletion first: nothing to keep (no event of the pod will come to forget it).
    const deletedFirst = removing();
    deletedFirst.d.send(deletePod(), deletedFirst.answer);
    expect(deletedFirst.d.snapshot.context.done).toEqual({});
  });

  it('stopBeforeRemove off: removes first, and the leaked sandbox is killed later', () => {
    const d = serving({ stopBeforeRemove: false });
    d.send(upsertPod(), { type: 'sandbox.started', pod: 'a/p1' });
    d.send(upsertPod({ deleting: true }, 6));
    expect(d.of('api')[0]?.intent).toMatchObject({ op: 'removePod' });
    expect(d.of('sandbox.stop')).toEqual([]);
    d.send(deletePod());
    expect(d.of('sandbox.stop')).toEqual([{ type: 'sandbox.stop', pod: 'a/p1' }]);
  });

  it('after a restart, kills listed sandboxes nobody knows once its informer synced', () => {
    const d = new StageDriver(kubeletMachine, inputFor('kubelet/n1'));
    d.send({ type: 'start' }, { type: 'sandbox.list', pods: ['a/p1', 'a/gone'] });
    d.send(upsertPod());
    expect(d.of('sandbox.stop')).toEqual([]);
    d.send({ type: 'informer.synced', rv: 5 });
    expect(d.of('sandbox.stop')).toEqual([{ type: 'sandbox.stop', pod: 'a/gone' }]);
  });
});
