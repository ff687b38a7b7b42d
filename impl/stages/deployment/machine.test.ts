import { describe, expect, it } from 'vitest';
import type { Switches } from '../../../spec/types/config.js';
import type { LinkEntry, Message } from '../../../spec/types/messages.js';
import { Driver, deploymentView, done, inputOf, replicaSetView } from '../controller/testing.js';
import type { Mode, StageEvent } from '../io.js';
import { deploymentMachine, report } from './machine.js';

const dep = (replicas: number, generation: number): StageEvent => ({
  type: 'informer.upsert',
  object: { kind: 'Deployment', view: deploymentView({ replicas, generation }) },
  rv: 10 + generation,
});
const rs = (over: Parameters<typeof replicaSetView>[0] = {}): StageEvent => ({
  type: 'informer.upsert',
  object: { kind: 'ReplicaSet', view: replicaSetView(over) },
  rv: 20 + (over.replicasVersion ?? 0),
});
const msg = (message: Message): StageEvent => ({ type: 'message', message });
const reply = (epoch: string, snapshot: LinkEntry[] = []): StageEvent =>
  msg({
    type: 'deployment.handshakeReply',
    source: 'replicaset',
    destination: 'deployment',
    epoch,
    snapshot,
  });
const ack = (epoch: string): StageEvent =>
  msg({ type: 'deployment.syncAck', source: 'replicaset', destination: 'deployment', epoch });

/** Synced with one Deployment and its ReplicaSet at 0, handshaking epoch `deployment#1.1`. */
type RsLabels = { managed?: boolean; fallbackScaling?: boolean };

const synced = (switches: Partial<Switches> = {}, mode: Mode = 'direct', labels: RsLabels = {}) => {
  const d = new Driver(deploymentMachine, inputOf('deployment', ['replicaset'], switches, mode));
  d.send({ type: 'start' }, dep(0, 1), rs(labels));
  d.send({ type: 'informer.synced', rv: 21 });
  return d;
};

const serving = (
  switches: Partial<Switches> = {},
  mode: Mode = 'direct',
  labels: RsLabels = {},
) => {
  const d = synced(switches, mode, labels);
  d.send(reply('deployment#1.1'), ack('deployment#1.1'));
  return d;
};

const linkPhase = (d: ReturnType<typeof synced>) => report(d.snapshot).clients[0]?.phase;

describe('deployment controller', () => {
  it('handshakes its ReplicaSet controller once its informer has synced', () => {
    const d = new Driver(deploymentMachine, inputOf('deployment', ['replicaset']));
    expect(d.send({ type: 'start' }, dep(0, 1)).filter((e) => e.type === 'send')).toEqual([]);
    d.send({ type: 'informer.synced', rv: 11 });
    expect(d.sent()).toEqual([
      {
        type: 'replicaset.handshake',
        source: 'deployment',
        destination: 'replicaset',
        epoch: 'deployment#1.1',
      },
    ]);
    expect(report(d.snapshot).phase).toBe('recovering');
    expect(d.snapshot.value).toEqual({ lifecycle: 'recovering', server: 'listening' });
    expect(linkPhase(d)).toBe('handshaking');
  });

  it('serves once round 2 is acknowledged', () => {
    const d = synced();
    d.send(reply('deployment#1.1'));
    expect(d.sent()[0]).toMatchObject({ type: 'replicaset.sync', entries: [], discard: [] });
    expect(linkPhase(d)).toBe('syncing');
    d.send(ack('deployment#1.1'));
    expect(d.snapshot.value).toEqual({ lifecycle: 'serving', server: 'listening' });
    expect(linkPhase(d)).toBe('connected');
  });

  it("round 2's sync carries the count its reconcile would send, held (syncCarriesTargets)", () => {
    const syncOf = (switches: Partial<Switches>) => {
      const d = new Driver(deploymentMachine, inputOf('deployment', ['replicaset'], switches));
      // Restarted: it holds nothing, and the ReplicaSet's persisted count (0) is not the
      // Deployment's (1) — the count a crash of both controllers lost before its write-back.
      d.send({ type: 'start' }, dep(1, 2), rs());
      d.send({ type: 'informer.synced', rv: 21 });
      d.send(reply('deployment#1.1'));
      return { sync: d.sent()[0], dirty: report(d.snapshot).dirty };
    };
    const on = syncOf({});
    expect(on.sync).toMatchObject({
      type: 'replicaset.sync',
      entries: [{ kind: 'count', key: 'a/fn-rs', replicas: 1, version: 2 }],
    });
    expect(on.dirty).toMatchObject([{ key: 'a/fn-rs', replicas: 1, version: 2 }]);
    // Mutant sync-only-held-counts: nothing held, nothing in the sync.
    expect(syncOf({ syncCarriesTargets: false }).sync).toMatchObject({ entries: [] });
  });

  it('ignores a reply to an older handshake unless clientReplyCheck is off', () => {
    expect(synced().send(reply('deployment#0.9'))).toHaveLength(1); // only the applied event
    const loose = synced({ clientReplyCheck: false });
    loose.send(reply('deployment#0.9'));
    expect(loose.sent()[0]?.type).toBe('replicaset.sync');
  });

  it('with round2 none connects on the reply, without a sync', () => {
    const d = synced({ round2: 'none' });
    d.send(reply('deployment#1.1'));
    expect(d.sent()).toEqual([]);
    expect(d.snapshot.value).toEqual({ lifecycle: 'serving', server: 'listening' });
    expect(linkPhase(d)).toBe('connected');
  });

  it('sends an absolute count versioned by generation and holds it until written back', () => {
    const d = serving();
    d.send(dep(3, 2));
    expect(d.sent()).toEqual([
      {
        type: 'replicaset.scale',
        source: 'deployment',
        destination: 'replicaset',
        epoch: 'deployment#1.1',
        entry: { kind: 'count', key: 'a/fn-rs', replicas: 3, version: 2 },
      },
    ]);
    expect(report(d.snapshot).dirty).toHaveLength(1);
    expect(d.send(dep(3, 2)).filter((e) => e.type === 'send')).toEqual([]);
    d.send(rs({ replicas: 3, replicasVersion: 1 }));
    expect(report(d.snapshot).dirty).toHaveLength(1);
    d.send(rs({ replicas: 3, replicasVersion: 2 }));
    expect(report(d.snapshot).dirty).toEqual([]);
  });

  it('scales through the API in mode api and for a ReplicaSet without the managed label', () => {
    for (const d of [serving({}, 'api'), serving({}, 'direct', { managed: false })]) {
      d.send(dep(2, 2));
      expect(d.sent()).toEqual([]);
      const req = d.api();
      expect(req.intent).toEqual({
        op: 'scaleReplicaSet',
        key: 'a/fn-rs',
        replicas: 2,
        version: 2,
        // The cached copy's resourceVersion: the write's precondition.
        resourceVersion: expect.any(Number),
      });
      d.send(done(req, 'ok'));
      expect(report(d.snapshot).dirty).toMatchObject([{ key: 'a/fn-rs', replicas: 2 }]);
      d.send(rs({ replicas: 2, managed: false }));
      expect(report(d.snapshot).dirty).toEqual([]);
    }
  });

  it('scales a fallback-scaling ReplicaSet directly: the label sends only pod creation to the API', () => {
    const d = serving({}, 'direct', { fallbackScaling: true });
    d.send(dep(2, 2));
    expect(d.apis()).toEqual([]);
    expect(d.sent()).toEqual([
      {
        type: 'replicaset.scale',
        source: 'deployment',
        destination: 'replicaset',
        epoch: 'deployment#1.1',
        entry: { kind: 'count', key: 'a/fn-rs', replicas: 2, version: 2 },
      },
    ]);
  });

  it('re-handshakes under a new epoch after epochMismatch', () => {
    const d = serving();
    d.send(
      msg({
        type: 'deployment.epochMismatch',
        source: 'replicaset',
        destination: 'deployment',
        epoch: 'deployment#1.1',
        refused: 'replicaset.scale',
      }),
    );
    expect(d.sent()).toMatchObject([{ type: 'replicaset.handshake', epoch: 'deployment#1.2' }]);
    expect(linkPhase(d)).toBe('handshaking');
  });

  it('waits for notReady and handshakes again on its retry timer', () => {
    const d = synced();
    d.send(
      msg({
        type: 'deployment.notReady',
        source: 'replicaset',
        destination: 'deployment',
        epoch: 'deployment#1.1',
      }),
    );
    expect(d.last).toMatchObject([{ type: 'timer.set' }]);
    d.send({ type: 'timer', name: 'link.retry:deployment->replicaset' });
    expect(d.sent()).toMatchObject([{ type: 'replicaset.handshake', epoch: 'deployment#1.2' }]);
  });

  it('adopts a count the ReplicaSet controller reports unless it is shown written back', () => {
    const d = synced();
    const entry = { kind: 'count', key: 'a/fn-rs', replicas: 4, version: 3 } as const;
    d.send(reply('deployment#1.1', [entry, { ...entry, key: 'a/gone' }]));
    expect(d.sent()[0]).toMatchObject({ type: 'replicaset.sync', discard: ['a/gone'] });
    expect(report(d.snapshot).dirty).toMatchObject([{ key: 'a/fn-rs', replicas: 4 }]);
  });

  it('re-sends a lost count: quorum GET first, or straight from the informer', () => {
    const lose = (switches: Partial<Switches>) => {
      const d = serving(switches);
      d.send(dep(3, 2));
      d.send({ type: 'timer', name: 'link.retry:deployment->replicaset' });
      d.send(reply('deployment#1.2'));
      return d;
    };
    const quorum = lose({ round2Read: 'quorum' });
    expect(quorum.sent()).toEqual([]);
    const get = quorum.api();
    expect(get.intent).toEqual({ op: 'get', kind: 'ReplicaSet', key: 'a/fn-rs' });
    quorum.send(done(get, 'ok', { kind: 'ReplicaSet', view: replicaSetView() }));
    expect(quorum.sent()[0]).toMatchObject({
      type: 'replicaset.sync',
      entries: [{ key: 'a/fn-rs', replicas: 3, version: 2 }],
    });
    const informer = lose({ round2Read: 'informer' });
    expect(informer.apis()).toEqual([]);
    expect(informer.sent()[0]).toMatchObject({
      type: 'replicaset.sync',
      entries: [{ version: 2 }],
    });
  });

  it('does not re-send a count the quorum read shows written back', () => {
    const d = serving();
    d.send(dep(3, 2), { type: 'timer', name: 'link.retry:deployment->replicaset' });
    d.send(reply('deployment#1.2'));
    const view = replicaSetView({ replicas: 3, replicasVersion: 2 });
    d.send(done(d.api(), 'ok', { kind: 'ReplicaSet', view }));
    expect(d.sent()[0]).toMatchObject({ type: 'replicaset.sync', entries: [] });
  });

  it('writes Deployment status as the sum of its ReplicaSets', () => {
    const d = serving();
    const first = d.api();
    expect(first.intent).toMatchObject({ op: 'deploymentStatus', replicas: 0 });
    // One status write per Deployment in flight: the next waits for this answer.
    expect(d.send(rs({ status: { replicas: 2, readyReplicas: 1 } }))).toEqual([]);
    d.send(done(first, 'ok'));
    const req = d.apis().find((e) => e.intent.op === 'deploymentStatus');
    expect(req?.intent).toEqual({
      op: 'deploymentStatus',
      key: 'a/fn',
      replicas: 2,
      readyReplicas: 1,
    });
  });
});

describe("deployment controller with autoscalerLink 'direct' (server of the autoscaler)", () => {
  const fromAutoscaler = (message: object): StageEvent =>
    msg({ source: 'autoscaler', destination: 'deployment', ...message } as Message);
  const scale = (replicas: number, version: number, epoch = 'autoscaler#1.1') =>
    fromAutoscaler({
      type: 'deployment.scale',
      epoch,
      entry: { kind: 'count', key: 'a/fn', replicas, version },
    });
  const direct = () => {
    const d = serving({ autoscalerLink: 'direct' });
    d.send(fromAutoscaler({ type: 'deployment.handshake', epoch: 'autoscaler#1.1' }));
    expect(d.sent()).toEqual([
      {
        type: 'autoscaler.handshakeReply',
        source: 'deployment',
        destination: 'autoscaler',
        epoch: 'autoscaler#1.1',
        snapshot: [],
      },
    ]);
    return d;
  };

  it('answers notReady until its own ReplicaSet link is connected (bottom-up)', () => {
    const d = synced({ autoscalerLink: 'direct' });
    d.send(fromAutoscaler({ type: 'deployment.handshake', epoch: 'autoscaler#1.1' }));
    expect(d.sent()).toMatchObject([{ type: 'autoscaler.notReady' }]);
  });

  it('acts on a direct count at once and writes it back with its version', () => {
    const d = direct();
    d.send(scale(3, 1001));
    // Version (generation 1, count 1001): newer than anything the generation alone gave.
    expect(d.sent()).toMatchObject([
      { type: 'replicaset.scale', entry: { key: 'a/fn-rs', replicas: 3, version: 1_001_001 } },
    ]);
    // Decided on the cached copy (rv 1): the precondition of switch writeBackPrecondition.
    expect(d.apis().map((e) => e.intent)).toContainEqual({
      op: 'scaleDeployment',
      key: 'a/fn',
      replicas: 3,
      version: 1001,
      resourceVersion: 1,
    });
    expect(report(d.snapshot).dirty).toContainEqual({
      kind: 'count',
      key: 'a/fn',
      replicas: 3,
      version: 1001,
      source: 'autoscaler',
    });
    expect(report(d.snapshot).serverEpochs).toEqual({ autoscaler: 'autoscaler#1.1' });
  });

  it('writes nothing back on a 409 and decides again on a fresher copy', () => {
    const d = direct();
    d.send(scale(3, 1001));
    const writeBack = () => d.apis().find((e) => e.intent.op === 'scaleDeployment');
    const first = writeBack();
    if (!first) throw new Error('no write-back');
    // The Deployment changed since the cached copy (rv 30): the precondition fails.
    d.send({
      type: 'informer.upsert',
      object: { kind: 'Deployment', view: deploymentView({ generation: 1, rv: 30 }) },
      rv: 30,
    });
    d.send(done(first, 'conflict'));
    expect(report(d.snapshot).dirty).toContainEqual(
      expect.objectContaining({ key: 'a/fn', version: 1001, source: 'autoscaler' }),
    );
    expect(writeBack()?.intent).toEqual({
      op: 'scaleDeployment',
      key: 'a/fn',
      replicas: 3,
      version: 1001,
      resourceVersion: 30,
    });
  });

  it('does not write back over a newer version the informer shows', () => {
    const d = direct();
    d.send({
      type: 'informer.upsert',
      object: { kind: 'Deployment', view: deploymentView({ replicasVersion: 1002, rv: 30 }) },
      rv: 30,
    });
    d.send(scale(3, 1001));
    expect(d.apis().filter((e) => e.intent.op === 'scaleDeployment')).toEqual([]);
  });

  it('GETs a Deployment its informer does not show, and drops the count if it is gone', () => {
    const d = direct();
    d.send(
      {
        type: 'informer.delete',
        object: { kind: 'Deployment', view: deploymentView() },
        rv: 30,
        tombstone: false,
      },
      scale(3, 1001),
    );
    const get = d.apis().find((e) => e.intent.op === 'get');
    expect(get?.intent).toEqual({ op: 'get', kind: 'Deployment', key: 'a/fn' });
    if (!get) throw new Error('no GET');
    d.send(done(get, 'notFound'));
    expect(report(d.snapshot).dirty.filter((e) => e.source === 'autoscaler')).toEqual([]);
  });

  it('keeps the newest version and reports what is not written back in its snapshot', () => {
    const d = direct();
    d.send(scale(3, 1002));
    d.send(scale(1, 1001));
    expect(d.sent()).toEqual([]);
    d.send(fromAutoscaler({ type: 'deployment.handshake', epoch: 'autoscaler#1.2' }));
    expect(d.sent()).toMatchObject([
      { snapshot: [{ kind: 'count', key: 'a/fn', replicas: 3, version: 1002 }] },
    ]);
  });

  it('drops a count once its informer shows the version written back', () => {
    const d = direct();
    d.send(scale(3, 1001));
    d.send({
      type: 'informer.upsert',
      object: {
        kind: 'Deployment',
        view: deploymentView({ replicas: 3, generation: 2, replicasVersion: 1001 }),
      },
      rv: 40,
    });
    expect(report(d.snapshot).dirty.filter((e) => e.source === 'autoscaler')).toEqual([]);
  });

  it('refuses a count of an epoch it does not hold', () => {
    const d = direct();
    d.send(scale(3, 1001, 'autoscaler#0.9'));
    expect(d.sent()).toMatchObject([{ type: 'autoscaler.epochMismatch' }]);
  });
});
