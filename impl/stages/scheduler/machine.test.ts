import { describe, expect, it } from 'vitest';
import type { Switches } from '../../../spec/types/config.js';
import type { Message } from '../../../spec/types/messages.js';
import type { NodeView, PodView, ReplicaSetView } from '../../../spec/types/objects.js';
import { StageDriver } from '../controller/driver.js';
import { inputFor, leaseTaken } from '../controller/test-config.js';
import type { StageEvent } from '../io.js';
import { report, schedulerMachine } from './machine.js';

const KUBELETS = ['kubelet/n1', 'kubelet/n2'] as const;
const node = (name: string, allocatable = 1): StageEvent => ({
  type: 'informer.upsert',
  object: { kind: 'Node', view: { name, allocatable, rv: 1 } satisfies NodeView },
  rv: 1,
});
const podView = (key: string, nodeName: string | null): PodView => ({
  key,
  uid: `u-${key}`,
  ownerUid: 'u1',
  ownerKey: 'a/rs',
  templateHash: 'h1',
  nodeName,
  ready: false,
  deleting: false,
  rv: 3,
});
/** The owner's template Pod: without it (or the ReplicaSet) the owner is known gone. */
const templateAt = (rv: number, fallbackBinding: boolean): StageEvent => ({
  type: 'informer.upsert',
  object: {
    kind: 'TemplatePod',
    view: {
      key: 'a/rs-template',
      uid: 'u2',
      ownerUid: 'u1',
      ownerKey: 'a/rs',
      templateHash: 'h1',
      fallbackBinding,
      rv,
    },
  },
  rv,
});
const template = templateAt(2, false);
const ownerRs: StageEvent = {
  type: 'informer.upsert',
  object: {
    kind: 'ReplicaSet',
    view: {
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
    } satisfies ReplicaSetView,
  },
  rv: 1,
};
const msg = (m: object): StageEvent => ({ type: 'message', message: m as Message });
const fromKubelet = (n: string, m: object) =>
  msg({ source: `kubelet/${n}`, destination: 'scheduler', ...m });
const fromRs = (m: object, epoch = 'replicaset#1.1') =>
  msg({ source: 'replicaset', destination: 'scheduler', epoch, ...m });
const schedule = (pods: string[], count = 0, epoch = 'replicaset#1.1') =>
  fromRs(
    {
      type: 'scheduler.schedulePods',
      ownerKey: 'a/rs',
      ownerUid: 'u1',
      templateRv: 2,
      pods,
      count,
    },
    epoch,
  );

type D = StageDriver<typeof schedulerMachine>;
const epochOf = (d: D, server: string) =>
  report(d.snapshot).clients.find((c) => c.server === server)?.epoch ?? '';
const reply = (d: D, n: string, snapshot: object[] = []) =>
  fromKubelet(n, { type: 'scheduler.handshakeReply', epoch: epochOf(d, `kubelet/${n}`), snapshot });
const ack = (d: D, n: string) =>
  fromKubelet(n, { type: 'scheduler.syncAck', epoch: epochOf(d, `kubelet/${n}`) });

/** A scheduler whose informer synced with nodes n1, n2 (one slot each by default). */
const synced = (flips: Partial<Switches> = {}, allocatable = 1, answerReads = true) => {
  const d = new StageDriver(
    schedulerMachine,
    inputFor('scheduler', flips, { downstream: [...KUBELETS] }),
    { answerReads },
  );
  d.send({ type: 'start' }, ...leaseTaken('scheduler'));
  d.send(ownerRs, node('n1', allocatable), node('n2', allocatable), template);
  d.send({ type: 'informer.synced', rv: 2 });
  return d;
};
/** …and both kubelet links connected. */
const serving = (flips: Partial<Switches> = {}, allocatable = 1) => {
  const d = synced(flips, allocatable);
  for (const n of ['n1', 'n2']) d.send(reply(d, n), ack(d, n));
  d.send(fromRs({ type: 'scheduler.handshake' }));
  return d;
};
const binds = (d: D) =>
  d.of('send').flatMap((e) => (e.message.type === 'kubelet.bindPod' ? [e.message] : []));

describe('scheduler recovery', () => {
  it('handshakes every kubelet once synced and answers notReady until they are connected', () => {
    const d = synced();
    expect(report(d.snapshot).phase).toBe('recovering');
    expect(d.of('send').map((e) => e.message.type)).toEqual([
      'kubelet.handshake',
      'kubelet.handshake',
    ]);
    expect(epochOf(d, 'kubelet/n1')).toBe('scheduler#1.1');
    d.send(fromRs({ type: 'scheduler.handshake' }));
    expect(d.of('send')[0]?.message.type).toBe('replicaset.notReady');
    for (const n of ['n1', 'n2']) d.send(reply(d, n), ack(d, n));
    expect(report(d.snapshot).phase).toBe('serving');
    d.send(fromRs({ type: 'scheduler.handshake' }));
    expect(d.of('send')[0]?.message.type).toBe('replicaset.handshakeReply');
  });

  it('recovery topDown answers the upstream while still recovering', () => {
    const d = synced({ recovery: 'topDown' });
    d.send(fromRs({ type: 'scheduler.handshake' }));
    expect(d.of('send')[0]?.message.type).toBe('replicaset.handshakeReply');
  });

  it('ignores a reply to an older handshake', () => {
    const d = synced();
    const stale = reply(d, 'n1');
    d.send({ type: 'timer', name: 'link.retry:scheduler->kubelet/n1' });
    d.send(stale);
    expect(d.of('applied')[0]?.event).toMatchObject({ kind: 'reply', accepted: false });
    expect(d.of('send')).toEqual([]);
  });

  it('round2 none connects on the reply without a sync', () => {
    const d = synced({ round2: 'none' });
    d.send(reply(d, 'n1'));
    expect(d.of('send')).toEqual([]);
    expect(report(d.snapshot).clients[0]?.phase).toBe('connected');
  });
});

describe('scheduler fallback binding', () => {
  const fallbackTemplate = templateAt(4, true);

  it('creates the pod bound to its node through the API instead of sending a bind', () => {
    const d = serving();
    d.send(fallbackTemplate);
    d.send(schedule(['a/p1']));
    expect(binds(d)).toEqual([]);
    expect(d.of('api').map((e) => e.intent)).toEqual([
      {
        op: 'exposePod',
        key: 'a/p1',
        templateKey: 'a/rs-template',
        node: 'n1',
        ownerKey: 'a/rs',
      },
    ]);
    expect(report(d.snapshot).dirty).toMatchObject([{ key: 'a/p1', state: 'assumed', node: 'n1' }]);
  });

  it('does not create the pod while its informer shows the owner deleting (exposeChecksOwner)', () => {
    const run = (flips: Partial<Switches>) => {
      const d = serving(flips);
      d.send(fallbackTemplate);
      const deleting = ownerRs as Extract<StageEvent, { type: 'informer.upsert' }>;
      const view = { ...(deleting.object.view as ReplicaSetView), deleting: true, rv: 5 };
      d.send({ ...deleting, object: { kind: 'ReplicaSet', view }, rv: 5 });
      d.send(schedule(['a/p1']));
      return d.of('api');
    };
    expect(run({})).toEqual([]);
    expect(run({ exposeChecksOwner: false })).toHaveLength(1);
  });

  it('after an outage backs off, then places the pod again', () => {
    const d = serving();
    d.send(fallbackTemplate);
    d.send(schedule(['a/p1']));
    const create = d.of('api')[0];
    if (!create) throw new Error('no create');
    d.send({ type: 'api.done', id: create.id, intent: create.intent, outcome: 'outage' });
    expect(d.of('timer.set').map((e) => e.name)).toContain('scheduler.fallback-retry');
    expect(d.of('api')).toEqual([]);
    expect(report(d.snapshot).dirty).toMatchObject([{ key: 'a/p1', state: 'pending' }]);
    d.send({ type: 'timer', name: 'scheduler.fallback-retry' });
    expect(d.of('api').map((e) => e.intent.op)).toEqual(['exposePod']);
  });
});

describe('scheduler placement', () => {
  it('assumes pods on connected nodes and sends binds under the link epoch', () => {
    const d = serving();
    d.send(schedule(['a/p1', 'a/p2']));
    expect(binds(d).map((b) => [b.entry.key, b.destination, b.epoch])).toEqual([
      ['a/p1', 'kubelet/n1', 'scheduler#1.1'],
      ['a/p2', 'kubelet/n2', 'scheduler#1.2'],
    ]);
    expect(report(d.snapshot).dirty.map((e) => ('state' in e ? e.state : null))).toEqual([
      'assumed',
      'assumed',
    ]);
  });

  it('counts in-flight assumed pods against capacity only with schedulerCountsInflight', () => {
    const run = (flips: Partial<Switches>) => {
      const d = serving(flips);
      d.send(schedule(['a/p1', 'a/p2', 'a/p3']));
      return binds(d).map((b) => b.destination);
    };
    expect(run({})).toEqual(['kubelet/n1', 'kubelet/n2']);
    expect(run({ schedulerCountsInflight: false })).toEqual([
      'kubelet/n1',
      'kubelet/n1',
      'kubelet/n1',
    ]);
  });

  it('does not bind to a node whose link is not connected', () => {
    const d = synced({ recovery: 'topDown' });
    d.send(reply(d, 'n2'), ack(d, 'n2'), fromRs({ type: 'scheduler.handshake' }));
    d.send(schedule(['a/p1']));
    expect(binds(d)).toEqual([]);
  });

  it('schedulePods by names is idempotent; by count a duplicate adds pods', () => {
    const names = serving({}, 5);
    names.send(schedule(['a/p1']), schedule(['a/p1']));
    expect(report(names.snapshot).dirty).toHaveLength(1);
    const count = serving({ schedulePodsPayload: 'count' }, 5);
    count.send(schedule([], 1), schedule([], 1));
    expect(report(count.snapshot).dirty.map((e) => e.key)).toEqual(['a/rs-s1-1', 'a/rs-s1-2']);
  });

  it('evicts a pod once its informer shows it persisted, and forgets pods on a lost node', () => {
    const d = serving({}, 5);
    d.send(schedule(['a/p1', 'a/p2']));
    d.send({
      type: 'informer.upsert',
      object: { kind: 'Pod', view: podView('a/p1', 'n1') },
      rv: 3,
    });
    expect(report(d.snapshot).dirty.map((e) => e.key)).toEqual(['a/p2']);
    d.send({
      type: 'informer.delete',
      object: { kind: 'Node', view: { name: 'n1', allocatable: 5, rv: 1 } },
      rv: 4,
      tombstone: false,
    });
    expect(report(d.snapshot).dirty).toEqual([]);
    expect(report(d.snapshot).clients.map((c) => c.server)).toEqual(['kubelet/n2']);
  });

  it('refuses a schedulePods of a stale epoch with epochMismatch', () => {
    const d = serving();
    d.send(schedule(['a/p1'], 0, 'replicaset#0.9'));
    expect(d.of('send')[0]?.message.type).toBe('replicaset.epochMismatch');
    expect(report(d.snapshot).dirty).toEqual([]);
  });

  it('re-handshakes a kubelet that refuses a bind', () => {
    const d = serving();
    d.send(schedule(['a/p1']));
    const e = epochOf(d, 'kubelet/n1');
    d.send(
      fromKubelet('n1', { type: 'scheduler.epochMismatch', epoch: e, refused: 'kubelet.bindPod' }),
    );
    expect(d.of('send')[0]?.message).toMatchObject({
      type: 'kubelet.handshake',
      epoch: 'scheduler#1.3',
    });
  });

  it('API path: binds unbound API pods with a Binding', () => {
    const d = serving({}, 1);
    d.send({
      type: 'informer.upsert',
      object: { kind: 'Pod', view: podView('a/p1', null) },
      rv: 3,
    });
    expect(d.of('api')[0]?.intent).toEqual({ op: 'bindPod', key: 'a/p1', node: 'n1' });
  });
});

describe('scheduler round 2', () => {
  const pod = (key: string) => ({
    kind: 'pod',
    key,
    ownerKey: 'a/rs',
    ownerUid: 'u1',
    node: 'n1',
    templateRv: 2,
  });

  it('adopts what the kubelet holds and the scheduler lost', () => {
    const d = synced();
    d.send(reply(d, 'n1', [pod('a/p1')]));
    expect(d.of('applied')[1]?.event).toMatchObject({ kind: 'sync', adopted: ['a/p1'] });
    expect(report(d.snapshot).dirty).toMatchObject([{ key: 'a/p1', node: 'n1', state: 'assumed' }]);
  });

  /** A pod assumed on n1 whose kubelet restarted and lost it; then round 2 towards n1. */
  const lostOnN1 = (flips: Partial<Switches>) => {
    const d = serving(flips);
    d.send(schedule(['a/p1']));
    d.send({ type: 'timer', name: 'link.retry:scheduler->kubelet/n1' });
    d.send(reply(d, 'n1'));
    return d;
  };

  it('forgets a lost identity (recreate) after a quorum read shows it absent', () => {
    const d = lostOnN1({});
    const get = d.of('api')[0];
    expect(get?.intent).toEqual({ op: 'get', kind: 'Pod', key: 'a/p1' });
    d.send({
      type: 'api.done',
      id: get?.id ?? 0,
      intent: get?.intent ?? ({} as never),
      outcome: 'notFound',
    });
    expect(d.of('applied')[0]?.event).toMatchObject({
      kind: 'sync',
      forgotten: ['a/p1'],
      resent: [],
    });
    expect(report(d.snapshot).dirty).toEqual([]);
  });

  it('re-sends the lost identity with lostIdentity: reuse (informer read: no GET)', () => {
    const d = lostOnN1({ lostIdentity: 'reuse', round2Read: 'informer' });
    expect(d.of('api')).toEqual([]);
    expect(d.of('applied')[1]?.event).toMatchObject({ kind: 'sync', resent: ['a/p1'] });
    const sync = d.of('send')[0]?.message;
    expect(sync && 'entries' in sync ? sync.entries.map((e) => e.key) : []).toEqual(['a/p1']);
  });

  it('keeps a lost-looking pod that the quorum read shows persisted', () => {
    const d = lostOnN1({});
    const get = d.of('api')[0];
    d.send({
      type: 'api.done',
      id: get?.id ?? 0,
      intent: get?.intent ?? ({} as never),
      outcome: 'ok',
    });
    expect(d.of('applied')[0]?.event).toMatchObject({ kind: 'sync', forgotten: [], resent: [] });
  });
});

describe('scheduler round 2 waits for a fresh informer (model decision 1)', () => {
  const readOf = (d: D) => d.of('api').find((e) => e.intent.op === 'readResourceVersion');
  const syncs = (d: D) => d.of('send').filter((e) => e.message.type === 'kubelet.sync');
  const answer = (d: D, read: ReturnType<typeof readOf>, rv: number, outcome = 'ok') =>
    d.send({
      type: 'api.done',
      id: read?.id ?? 0,
      intent: read?.intent ?? ({} as never),
      outcome: outcome as 'ok',
      ...(outcome === 'ok' ? { rv } : {}),
    });

  it('reads the resourceVersion after the reply and runs round 2 only once its informers pass it', () => {
    const d = synced({}, 1, false);
    d.send(reply(d, 'n1'));
    const read = readOf(d);
    expect(read?.intent).toMatchObject({ op: 'readResourceVersion', key: 'scheduler->kubelet/n1' });
    expect(syncs(d)).toEqual([]);
    answer(d, read, 50);
    expect(syncs(d)).toEqual([]);
    d.send({ type: 'informer.progress', rv: 49 });
    expect(syncs(d)).toEqual([]);
    d.send({ type: 'informer.progress', rv: 50 });
    expect(syncs(d)).toHaveLength(1);
  });

  it('abandons the round when the read fails; the retry timer handshakes again', () => {
    const d = synced({}, 1, false);
    d.send(reply(d, 'n1'));
    answer(d, readOf(d), 0, 'outage');
    d.send({ type: 'informer.progress', rv: 100 });
    expect(syncs(d)).toEqual([]);
    d.send({ type: 'timer', name: 'link.retry:scheduler->kubelet/n1' });
    expect(d.of('send').map((e) => e.message.type)).toEqual(['kubelet.handshake']);
  });

  it('waits for its own read when the retry timer fires first: no new handshake, the timer again', () => {
    // Under a client rate limit the read can wait in the token bucket longer than the timer; a
    // new handshake would need a new read, and each retry replaced the last (W3's storm).
    const d = synced({}, 1, false);
    d.send(reply(d, 'n1'));
    const read = readOf(d);
    d.send({ type: 'timer', name: 'link.retry:scheduler->kubelet/n1' });
    expect(d.of('send')).toEqual([]);
    expect(d.of('api')).toEqual([]);
    expect(d.of('timer.set').map((e) => e.name)).toEqual(['link.retry:scheduler->kubelet/n1']);
    answer(d, read, 50);
    d.send({ type: 'informer.progress', rv: 50 });
    expect(syncs(d)).toHaveLength(1);
  });

  it("ignores the answer to an older handshake's read", () => {
    const d = synced({}, 1, false);
    d.send(reply(d, 'n1'));
    const old = readOf(d);
    // The kubelet's connection broke during the read: the scheduler handshakes again at once.
    d.send({ type: 'link.down', server: 'kubelet/n1' });
    expect(d.of('send').map((e) => e.message.type)).toEqual(['kubelet.handshake']);
    d.send(reply(d, 'n1'));
    d.send({ type: 'informer.progress', rv: 100 });
    answer(d, old, 10);
    expect(syncs(d)).toEqual([]);
  });
});

describe('every assumed pod keeps a pending re-validation (the seed-9 find)', () => {
  const adopted = {
    kind: 'pod',
    key: 'a/p1',
    ownerKey: 'a/rs',
    ownerUid: 'u1',
    node: 'n1',
    templateRv: 2,
  };
  const recheckArmed = (d: D) =>
    d
      .of('timer.set')
      .some((e) => e.name === 'link.retry:scheduler->kubelet/n1' && e.afterMs === 2000);

  it('connecting with pods adopted from the snapshot arms the re-check timer', () => {
    const d = synced();
    d.send(reply(d, 'n1', [adopted]));
    d.send(ack(d, 'n1'));
    expect(report(d.snapshot).dirty.map((e) => e.key)).toEqual(['a/p1']);
    expect(recheckArmed(d)).toBe(true);
  });

  it('does not with revalidateAdopted off (mutant no-adopted-revalidation)', () => {
    const d = synced({ revalidateAdopted: false });
    d.send(reply(d, 'n1', [adopted]));
    d.send(ack(d, 'n1'));
    expect(recheckArmed(d)).toBe(false);
  });

  it('connecting with nothing held arms nothing', () => {
    const d = synced();
    d.send(reply(d, 'n1'));
    d.send(ack(d, 'n1'));
    expect(recheckArmed(d)).toBe(false);
  });
});

describe("a slot is freed only once the node's kubelet lets go (the capacity-3 find)", () => {
  // The informer shows neither the ReplicaSet nor its template: the owner is known gone.
  const deleted = (upsert: StageEvent, rv: number): StageEvent => ({
    type: 'informer.delete',
    object: (upsert as Extract<StageEvent, { type: 'informer.upsert' }>).object,
    rv,
    tombstone: false,
  });
  const ownerDeleted = [deleted(ownerRs, 5), deleted(template, 6)] as const;
  const heldKeys = (d: D) => report(d.snapshot).dirty.map((e) => e.key);

  it('keeps a pod assumed on a node after its owner is deleted, until round 2 finds it gone', () => {
    const d = serving();
    d.send(schedule(['a/p1', 'a/p2']));
    d.send(...ownerDeleted);
    // Both were assumed (one slot on each node): their kubelets may still hold them.
    expect(heldKeys(d)).toEqual(['a/p1', 'a/p2']);
    d.send({ type: 'timer', name: 'link.retry:scheduler->kubelet/n1' });
    d.send(reply(d, 'n1', []));
    const get = d.of('api').find((e) => e.intent.op === 'get');
    expect(get?.intent).toMatchObject({ key: 'a/p1' });
    d.send({
      type: 'api.done',
      id: get?.id ?? 0,
      intent: get?.intent ?? ({} as never),
      outcome: 'notFound',
    });
    // The kubelet of n1 let go of a/p1: its slot is free; a/p2's kubelet was not asked yet.
    expect(heldKeys(d)).toEqual(['a/p2']);
  });

  it('frees them at the deletion with holdSlotUntilFreed off (mutant release-slot-on-owner-delete)', () => {
    const d = serving({ holdSlotUntilFreed: false });
    d.send(schedule(['a/p1', 'a/p2']));
    d.send(...ownerDeleted);
    expect(heldKeys(d)).toEqual([]);
  });
});
