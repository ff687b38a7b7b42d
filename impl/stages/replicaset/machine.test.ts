import { describe, expect, it } from 'vitest';
import type { Switches } from '../../../spec/types/config.js';
import type { LinkEntry, Message, PodEntry } from '../../../spec/types/messages.js';
import { FRESH_RV } from '../controller/driver.js';
import {
  Driver,
  done,
  inputOf,
  podView,
  replicaSetView,
  templateView,
} from '../controller/testing.js';
import type { Mode, StageEvent } from '../io.js';
import { replicaSetMachine, report } from './machine.js';

const msg = (message: Message): StageEvent => ({ type: 'message', message });
const rs = (over: Parameters<typeof replicaSetView>[0] = {}): StageEvent => ({
  type: 'informer.upsert',
  object: { kind: 'ReplicaSet', view: replicaSetView(over) },
  rv: 20 + (over.replicasVersion ?? 0),
});
const pod = (key: string, over: Parameters<typeof podView>[1] = {}): StageEvent => ({
  type: 'informer.upsert',
  object: { kind: 'Pod', view: podView(key, over) },
  rv: 30,
});
const fromScheduler = (method: string, epoch: string, snapshot: LinkEntry[] = []) =>
  msg({
    type: `replicaset.${method}`,
    source: 'scheduler',
    destination: 'replicaset',
    epoch,
    ...(method === 'handshakeReply' ? { snapshot } : {}),
  } as Message);
const fromDeployment = (method: string, epoch: string, extra: object = {}) =>
  msg({
    type: `replicaset.${method}`,
    source: 'deployment',
    destination: 'replicaset',
    epoch,
    ...extra,
  } as Message);
const count = (replicas: number, version: number, key = 'a/fn-rs') =>
  ({ entry: { kind: 'count', key, replicas, version } }) as const;
const entry = (key: string): PodEntry => ({
  kind: 'pod',
  key,
  ownerKey: 'a/fn-rs',
  ownerUid: 'u2',
  node: null,
  templateRv: 3,
});

/** Informer synced (RS at `replicas`, its template), handshaking with the scheduler. */
const recovering = (switches: Partial<Switches> = {}, mode: Mode = 'direct', replicas = 0) => {
  const r = new Driver(replicaSetMachine, inputOf('replicaset', ['scheduler'], switches, mode));
  r.send({ type: 'start' }, rs({ replicas }), {
    type: 'informer.upsert',
    object: { kind: 'TemplatePod', view: templateView() },
    rv: 3,
  });
  r.send({ type: 'informer.synced', rv: 22 });
  return r;
};

/** On the API path (mode `api`), its ReplicaSet at `replicas`, the scheduler link connected. */
const onApiPath = (replicas: number) => {
  const r = recovering({}, 'api', replicas);
  r.send(
    fromScheduler('handshakeReply', 'replicaset#1.1'),
    fromScheduler('syncAck', 'replicaset#1.1'),
  );
  return r;
};

/** Serving, with the Deployment controller's link connected on `deployment#1.1`. */
const serving = (switches: Partial<Switches> = {}) => {
  const r = recovering(switches);
  r.send(
    fromScheduler('handshakeReply', 'replicaset#1.1'),
    fromScheduler('syncAck', 'replicaset#1.1'),
  );
  r.send(fromDeployment('handshake', 'deployment#1.1'));
  r.send(fromDeployment('sync', 'deployment#1.1', { entries: [], discard: [] }));
  return r;
};

const dirtyKeys = (r: ReturnType<typeof serving>) => report(r.snapshot).dirty.map((e) => e.key);

describe('ReplicaSet controller', () => {
  it('answers notReady until its scheduler link is connected (bottom-up recovery)', () => {
    const r = recovering();
    r.send(fromDeployment('handshake', 'deployment#1.1'));
    expect(r.sent()).toEqual([
      {
        type: 'deployment.notReady',
        source: 'replicaset',
        destination: 'deployment',
        epoch: 'deployment#1.1',
      },
    ]);
    r.send(
      fromScheduler('handshakeReply', 'replicaset#1.1'),
      fromScheduler('syncAck', 'replicaset#1.1'),
    );
    expect(report(r.snapshot).phase).toBe('serving');
    r.send(fromDeployment('handshake', 'deployment#1.2'));
    expect(r.sent()).toMatchObject([{ type: 'deployment.handshakeReply', snapshot: [] }]);
    expect(report(r.snapshot).serverEpochs).toEqual({ deployment: 'deployment#1.2' });
  });

  it('with recovery topDown answers its upstream while still recovering', () => {
    const r = recovering({ recovery: 'topDown' });
    r.send(fromDeployment('handshake', 'deployment#1.1'));
    expect(r.sent()).toMatchObject([{ type: 'deployment.handshakeReply' }]);
  });

  it('turns a count into named pods for the scheduler and writes the count back', () => {
    const r = serving();
    r.send(fromDeployment('scale', 'deployment#1.1', count(2, 2)));
    expect(r.sent()).toEqual([
      {
        type: 'scheduler.schedulePods',
        source: 'replicaset',
        destination: 'scheduler',
        epoch: 'replicaset#1.1',
        ownerKey: 'a/fn-rs',
        ownerUid: 'u2',
        templateRv: 3,
        pods: ['a/fn-rs-1-1', 'a/fn-rs-1-2'],
        count: 0,
      },
    ]);
    expect(r.apis().map((e) => e.intent)).toContainEqual({
      op: 'scaleReplicaSet',
      key: 'a/fn-rs',
      replicas: 2,
      version: 2,
      // The cached copy's resourceVersion: the write's precondition.
      resourceVersion: expect.any(Number),
    });
    expect(dirtyKeys(r)).toEqual(['a/fn-rs', 'a/fn-rs-1-1', 'a/fn-rs-1-2']);
  });

  it('holds every entry until its informer shows it persisted', () => {
    const r = serving();
    r.send(fromDeployment('scale', 'deployment#1.1', count(2, 2)));
    const writeBack = r.apis().find((e) => e.intent.op === 'scaleReplicaSet');
    if (writeBack) r.send(done(writeBack, 'ok'));
    expect(dirtyKeys(r)).toHaveLength(3);
    r.send(pod('a/fn-rs-1-1'), rs({ replicas: 2, replicasVersion: 2 }));
    expect(dirtyKeys(r)).toEqual(['a/fn-rs-1-2']);
    r.send(pod('a/fn-rs-1-2'));
    expect(dirtyKeys(r)).toEqual([]);
  });

  it('writes back a newer count that arrived while the older one was being written', () => {
    const r = serving();
    r.send(fromDeployment('scale', 'deployment#1.1', count(2, 2)));
    const first = r.apis().find((e) => e.intent.op === 'scaleReplicaSet');
    r.send(fromDeployment('scale', 'deployment#1.1', count(1, 3)));
    if (first) r.send(done(first, 'ok'));
    expect(r.apis().map((e) => e.intent)).toContainEqual({
      op: 'scaleReplicaSet',
      key: 'a/fn-rs',
      replicas: 1,
      version: 3,
      // The cached copy's resourceVersion: the write's precondition.
      resourceVersion: expect.any(Number),
    });
  });

  it('ignores a count not newer than the held or persisted version', () => {
    const r = serving();
    r.send(fromDeployment('scale', 'deployment#1.1', count(2, 2)));
    expect(
      r
        .send(fromDeployment('scale', 'deployment#1.1', count(5, 1)))
        .filter((e) => e.type === 'send'),
    ).toEqual([]);
    expect(report(r.snapshot).dirty[0]).toMatchObject({ replicas: 2, version: 2 });
  });

  it('with schedulePodsPayload count sends a number and expects that many pods', () => {
    const r = serving({ schedulePodsPayload: 'count' });
    r.send(fromDeployment('scale', 'deployment#1.1', count(2, 2)));
    expect(r.sent()).toMatchObject([{ type: 'scheduler.schedulePods', pods: [], count: 2 }]);
    expect(dirtyKeys(r)).toEqual(['a/fn-rs', 'a/fn-rs/expected']);
    r.send(pod('a/fn-rs-x'), pod('a/fn-rs-y'));
    expect(dirtyKeys(r)).toEqual(['a/fn-rs']);
  });

  it('refuses a stale epoch with epochMismatch unless serverEpochCheck is off', () => {
    const strict = serving();
    strict.send(fromDeployment('scale', 'deployment#0.1', count(2, 2)));
    expect(strict.sent()).toMatchObject([{ type: 'deployment.epochMismatch' }]);
    const loose = serving({ serverEpochCheck: false });
    loose.send(fromDeployment('scale', 'deployment#0.1', count(2, 2)));
    expect(loose.sent()).toMatchObject([{ type: 'scheduler.schedulePods' }]);
  });

  it('with fence none applies an admitted count only on its apply timer', () => {
    const r = serving({ fence: 'none' });
    r.send(fromDeployment('scale', 'deployment#1.1', count(1, 2)));
    expect(r.sent()).toEqual([]);
    r.send({ type: 'timer', name: 'link.apply:deployment' });
    expect(r.sent()).toMatchObject([{ type: 'scheduler.schedulePods', pods: ['a/fn-rs-1-1'] }]);
  });

  it('scales down by deleting persisted pods only; in-flight pods wait', () => {
    const r = serving();
    r.send(fromDeployment('scale', 'deployment#1.1', count(2, 2)));
    r.send(pod('a/fn-rs-1-1'));
    r.send(fromDeployment('scale', 'deployment#1.1', count(0, 3)));
    const deletes = r.apis().filter((e) => e.intent.op === 'deletePod');
    expect(deletes.map((e) => e.intent)).toEqual([
      { op: 'deletePod', key: 'a/fn-rs-1-1', uid: 'uid-a/fn-rs-1-1', resourceVersion: 10 },
    ]);
    r.send(pod('a/fn-rs-1-2'));
    expect(r.apis().map((e) => e.intent)).toContainEqual(
      expect.objectContaining({ op: 'deletePod', key: 'a/fn-rs-1-2' }),
    );
  });

  /** Three pods asked for, the first persisted and Ready, then the count back to one. */
  const surplusInFlight = (switches: Partial<Switches>) => {
    const r = serving(switches);
    r.send(fromDeployment('scale', 'deployment#1.1', count(3, 2)));
    r.send(pod('a/fn-rs-1-1', { ready: true }));
    r.send(fromDeployment('scale', 'deployment#1.1', count(1, 3)));
    return r;
  };
  const deleted = (r: ReturnType<typeof serving>) =>
    r.apis().flatMap((e) => (e.intent.op === 'deletePod' ? [e.intent.key] : []));

  it('keeps persisted pods down to the target while pods in flight make the surplus', () => {
    const r = surplusInFlight({});
    // Two of the three are in flight and may never run: the Ready one is not given up.
    expect(deleted(r)).toEqual([]);
    r.send(pod('a/fn-rs-1-2'));
    expect(deleted(r)).toEqual(['a/fn-rs-1-2']);
    // Mutant `delete-for-in-flight-surplus`: the Ready pod goes towards the whole surplus.
    expect(deleted(surplusInFlight({ surplusWaitsForInFlight: false }))).toEqual(['a/fn-rs-1-1']);
  });

  it('deletes under the cached copy’s resourceVersion, and waits after a refusal', () => {
    const r = serving();
    r.send(fromDeployment('scale', 'deployment#1.1', count(2, 2)));
    r.send(pod('a/fn-rs-1-1', { ready: true, rv: 31 }), pod('a/fn-rs-1-2', { rv: 32 }));
    r.send(fromDeployment('scale', 'deployment#1.1', count(1, 3)));
    const ask = r.api(0);
    expect(ask.intent).toEqual({
      op: 'deletePod',
      key: 'a/fn-rs-1-2',
      uid: 'uid-a/fn-rs-1-2',
      resourceVersion: 32,
    });
    // The pod changed since (it became Ready): 409, and no new ranking on the same copy.
    r.send(done(ask, 'precondition'));
    expect(r.apis()).toEqual([]);
    expect(r.of('timer.set')).toContainEqual(
      expect.objectContaining({ name: 'replicaset.resync' }),
    );
    // Mutant `delete-on-stale-readiness`: the uid only.
    const loose = serving({ scaleDownPrecondition: false });
    loose.send(fromDeployment('scale', 'deployment#1.1', count(2, 2)));
    loose.send(pod('a/fn-rs-1-1', { ready: true }), pod('a/fn-rs-1-2'));
    loose.send(fromDeployment('scale', 'deployment#1.1', count(1, 3)));
    expect(loose.apis().map((e) => e.intent)).toContainEqual({
      op: 'deletePod',
      key: 'a/fn-rs-1-2',
      uid: 'uid-a/fn-rs-1-2',
    });
  });

  it('adopts a pod the scheduler reports that it neither holds nor sees persisted', () => {
    const r = recovering();
    r.send(fromScheduler('handshakeReply', 'replicaset#1.1', [entry('a/fn-rs-0-7')]));
    expect(r.sent()).toMatchObject([{ type: 'scheduler.sync', entries: [], discard: [] }]);
    expect(dirtyKeys(r)).toEqual(['a/fn-rs-0-7']);
  });

  /** Serving with one pod requested, then a re-handshake whose reply lacks it. */
  const lostOne = (switches: Partial<Switches>) => {
    const r = serving(switches);
    r.send(fromDeployment('scale', 'deployment#1.1', count(1, 2)));
    r.send({ type: 'timer', name: 'link.retry:replicaset->scheduler' });
    r.send(fromScheduler('handshakeReply', 'replicaset#1.2'));
    return r;
  };

  it('re-creates a lost identity under a fresh name after a quorum GET', () => {
    const r = lostOne({});
    expect(r.sent()).toEqual([]);
    const get = r.api();
    expect(get.intent).toEqual({ op: 'get', kind: 'Pod', key: 'a/fn-rs-1-1' });
    r.send(done(get, 'notFound'));
    expect(r.sent()).toMatchObject([{ type: 'scheduler.sync', entries: [{ key: 'a/fn-rs-1-2' }] }]);
    expect(dirtyKeys(r)).toContain('a/fn-rs-1-2');
    expect(dirtyKeys(r)).not.toContain('a/fn-rs-1-1');
  });

  it('waits for its quorum GET when the retry timer fires first; a failed GET lets it handshake', () => {
    const r = lostOne({});
    const get = r.api();
    r.send({ type: 'timer', name: 'link.retry:replicaset->scheduler' });
    expect(r.sent()).toEqual([]);
    expect(r.of('timer.set').map((e) => e.name)).toEqual(['link.retry:replicaset->scheduler']);
    r.send(done(get, 'outage'));
    r.send({ type: 'timer', name: 'link.retry:replicaset->scheduler' });
    expect(r.sent()).toMatchObject([{ type: 'scheduler.handshake', epoch: 'replicaset#1.3' }]);
  });

  it('with lostIdentity reuse re-sends the same identity', () => {
    const r = lostOne({ lostIdentity: 'reuse' });
    r.send(done(r.api(), 'notFound'));
    expect(r.sent()).toMatchObject([{ type: 'scheduler.sync', entries: [{ key: 'a/fn-rs-1-1' }] }]);
  });

  it('with round2Read informer decides without a GET', () => {
    const r = lostOne({ round2Read: 'informer' });
    expect(r.apis()).toEqual([]);
    expect(r.sent()).toMatchObject([{ type: 'scheduler.sync', entries: [{ key: 'a/fn-rs-1-2' }] }]);
  });

  it('does not replace an identity the quorum read shows persisted', () => {
    const r = lostOne({});
    r.send(done(r.api(), 'ok', { kind: 'Pod', view: podView('a/fn-rs-1-1') }));
    expect(r.sent()).toMatchObject([{ type: 'scheduler.sync', entries: [] }]);
  });

  it('GETs a ReplicaSet it holds a count for but cannot see, and drops the count on 404', () => {
    const r = serving();
    r.send(fromDeployment('scale', 'deployment#1.1', count(1, 2, 'a/other')));
    const get = r.apis().find((e) => e.intent.op === 'get');
    expect(get?.intent).toEqual({ op: 'get', kind: 'ReplicaSet', key: 'a/other' });
    if (get) r.send(done(get, 'notFound'));
    expect(dirtyKeys(r)).toEqual([]);
  });

  it('keeps ReplicaSet status unless writeStatus is off', () => {
    const status = (switches: Partial<Switches>) => {
      const r = serving(switches);
      r.send(pod('a/fn-rs-1-1', { ready: true }));
      return r.apis().filter((e) => e.intent.op === 'replicaSetStatus');
    };
    expect(status({}).map((e) => e.intent)).toEqual([
      { op: 'replicaSetStatus', key: 'a/fn-rs', replicas: 1, readyReplicas: 1 },
    ]);
    expect(status({ writeStatus: false })).toEqual([]);
  });

  it('ignores an older handshake unless monotoneEpochs is off', () => {
    const epochAfter = (switches: Partial<Switches>) => {
      const r = serving(switches);
      r.send(
        fromDeployment('handshake', 'deployment#1.3'),
        fromDeployment('handshake', 'deployment#1.2'),
      );
      return report(r.snapshot).serverEpochs.deployment;
    };
    expect(epochAfter({})).toBe('deployment#1.3');
    expect(epochAfter({ monotoneEpochs: false })).toBe('deployment#1.2');
  });

  it('under cacheKey name, same-named pods of two namespaces collide in its cache', () => {
    const requested = (switches: Partial<Switches>) => {
      const r = serving(switches);
      const b = { key: 'b/fn-rs', uid: 'ub2', ownerUid: 'ub1' };
      r.send(rs(b), {
        type: 'informer.upsert',
        object: {
          kind: 'TemplatePod',
          view: templateView({
            key: 'b/fn-rs-template',
            uid: 'ub3',
            ownerUid: 'ub2',
            ownerKey: 'b/fn-rs',
          }),
        },
        rv: 40,
      });
      r.send(fromDeployment('scale', 'deployment#1.1', count(1, 2)));
      r.send(fromDeployment('scale', 'deployment#1.1', count(1, 2, 'b/fn-rs')));
      return report(r.snapshot)
        .dirty.filter((e) => e.kind === 'pod')
        .map((e) => e.key);
    };
    expect(requested({})).toEqual(['a/fn-rs-1-1', 'b/fn-rs-1-1']);
    // The bare name `fn-rs-1-1` is one cache slot: a's pod is forgotten, b's replaces it.
    expect(requested({ cacheKey: 'name' })).toEqual(['b/fn-rs-1-1']);
  });

  it('on the API path creates pods in slow-start batches of 1, 2, 4', () => {
    const r = onApiPath(7);
    const creates = () => r.apis().filter((e) => e.intent.op === 'createPod');
    const batches: number[] = [];
    let batch = creates();
    while (batch.length > 0) {
      batches.push(batch.length);
      const answers = batch.map((e) => done(e, 'ok'));
      r.send(...answers);
      batch = creates();
    }
    expect(batches).toEqual([1, 2, 4]);
    expect(r.sent().filter((m) => m.type === 'scheduler.schedulePods')).toEqual([]);
  });

  it('with fallback-scaling takes the count directly and creates the pods through the API', () => {
    const r = serving();
    r.send(rs({ fallbackScaling: true }));
    r.send(fromDeployment('scale', 'deployment#1.1', count(3, 2)));
    // The count was admitted on the direct link; no pod goes to the scheduler directly.
    expect(r.sent().filter((m) => m.type === 'scheduler.schedulePods')).toEqual([]);
    const intents = r.apis().map((e) => e.intent);
    // The write-back carries the cached copy's resourceVersion (writeBackPrecondition).
    expect(intents).toContainEqual({
      op: 'scaleReplicaSet',
      key: 'a/fn-rs',
      replicas: 3,
      version: 2,
      resourceVersion: 2,
    });
    // Pod CREATE in slow-start batches, towards the held count before it is written back.
    const creates = () => r.apis().filter((e) => e.intent.op === 'createPod');
    expect(creates().map((e) => e.intent)).toEqual([
      { op: 'createPod', key: 'a/fn-rs-1-1', ownerKey: 'a/fn-rs' },
    ]);
    r.send(...creates().map((e) => done(e, 'ok')));
    expect(creates().map((e) => e.intent)).toEqual([
      { op: 'createPod', key: 'a/fn-rs-1-2', ownerKey: 'a/fn-rs' },
      { op: 'createPod', key: 'a/fn-rs-1-3', ownerKey: 'a/fn-rs' },
    ]);
    expect(report(r.snapshot).dirty).toContainEqual(
      expect.objectContaining({ kind: 'count', key: 'a/fn-rs', replicas: 3, version: 2 }),
    );
  });

  it('on the API path stops the sync at the first failed creation, then waits for expectations', () => {
    const r = onApiPath(3);
    const first = r.api();
    expect(first.intent).toEqual({ op: 'createPod', key: 'a/fn-rs-1-1', ownerKey: 'a/fn-rs' });
    r.send(done(first, 'outage'));
    expect(r.apis()).toEqual([]);
    r.send({ type: 'timer', name: 'replicaset.resync' });
    expect(r.apis().map((e) => e.intent)).toEqual([
      { op: 'createPod', key: 'a/fn-rs-1-2', ownerKey: 'a/fn-rs' },
    ]);
  });

  it('on the API path creates no more in a later batch than the informer then shows missing', () => {
    const r = onApiPath(4);
    const creates = () => r.apis().filter((e) => e.intent.op === 'createPod');
    r.send(done(r.api(), 'ok'));
    const second = creates();
    expect(second).toHaveLength(2);
    // A pod an earlier sync created (its answer lost) shows up: the sync began one short.
    r.send(pod('a/fn-rs-0-9'));
    r.send(...second.map((e) => done(e, 'ok')));
    // 1 shown + 3 created: the sync's last creation is not asked for.
    expect(creates()).toEqual([]);
  });

  it('on the API path meets the expectation of a pod the informer passed without showing it', () => {
    const r = onApiPath(1);
    const first = r.api();
    // The driver's informers have passed FRESH_RV; the pod is created after that.
    const rv = FRESH_RV + 10;
    const created = { kind: 'Pod', view: podView('a/fn-rs-1-1', { rv }) } as const;
    expect(r.send(done(first, 'ok', created))).toEqual([]);
    // Created, then deleted by a user while the informer re-listed: it never shows it.
    expect(r.send({ type: 'informer.progress', rv: rv - 1 })).toEqual([]);
    r.send({ type: 'informer.progress', rv });
    expect(r.apis().map((e) => e.intent)).toEqual([
      { op: 'createPod', key: 'a/fn-rs-1-2', ownerKey: 'a/fn-rs' },
    ]);
  });
});
