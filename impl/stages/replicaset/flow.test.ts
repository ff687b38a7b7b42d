/**
 * The upstream half of the narrow waist end to end: autoscaler → (API) → Deployment
 * controller → (direct) → ReplicaSet controller → schedulePods. Messages between the two
 * controllers are routed by hand; the API and the scheduler are played by the test.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../spec/types/messages.js';
import { autoscalerMachine } from '../autoscaler/machine.js';
import {
  Driver,
  deploymentView,
  done,
  inputOf,
  replicaSetView,
  templateView,
} from '../controller/testing.js';
import { deploymentMachine, report as deploymentReport } from '../deployment/machine.js';
import type { Effect, StageEvent } from '../io.js';
import { replicaSetMachine, report as replicaSetReport } from './machine.js';

type AnyDriver = Driver<typeof deploymentMachine> | Driver<typeof replicaSetMachine>;

const upsert = (object: Extract<StageEvent, { type: 'informer.upsert' }>['object'], rv: number) =>
  ({ type: 'informer.upsert', object, rv }) as const;

/** The scheduler's answers to the first handshake of incarnation `incarnation`. */
const fromScheduler = (method: string, incarnation: number): StageEvent => {
  const message = {
    type: `replicaset.${method}`,
    source: 'scheduler',
    destination: 'replicaset',
    epoch: `replicaset#${incarnation}.1`,
    snapshot: [],
  };
  return { type: 'message', message: message as unknown as Message };
};

const messagesIn = (effects: readonly Effect[]): Message[] =>
  effects.flatMap((e) => (e.type === 'send' ? [e.message] : []));

/** Delivers messages between the two controllers until none is left; returns the rest. */
const pump = (d: AnyDriver, r: AnyDriver, first: Message[]): Message[] => {
  const queue = [...first];
  const elsewhere: Message[] = [];
  for (let i = 0; i < 50 && queue.length > 0; i += 1) {
    const m = queue.shift() as Message;
    const to = m.destination === 'deployment' ? d : m.destination === 'replicaset' ? r : null;
    if (to === null) elsewhere.push(m);
    else queue.push(...messagesIn(to.send({ type: 'message', message: m })));
  }
  return elsewhere;
};

const cluster = () => {
  const a = new Driver(autoscalerMachine, inputOf('autoscaler', []));
  const d = new Driver(deploymentMachine, inputOf('deployment', ['replicaset']));
  const r = new Driver(replicaSetMachine, inputOf('replicaset', ['scheduler']));
  a.send({ type: 'start' }, { type: 'informer.synced', rv: 3 });
  d.send({ type: 'start' }, upsert({ kind: 'Deployment', view: deploymentView() }, 1));
  d.send(upsert({ kind: 'ReplicaSet', view: replicaSetView() }, 2));
  r.send({ type: 'start' }, upsert({ kind: 'ReplicaSet', view: replicaSetView() }, 2));
  r.send(upsert({ kind: 'TemplatePod', view: templateView() }, 3));
  // Bottom-up: the ReplicaSet controller first recovers its scheduler link (played here).
  r.send({ type: 'informer.synced', rv: 3 });
  r.send(fromScheduler('handshakeReply', 1), fromScheduler('syncAck', 1));
  const handshake = messagesIn(d.send({ type: 'informer.synced', rv: 3 }));
  pump(d, r, handshake);
  return { a, d, r };
};

describe('scale flow A → D → RS → scheduler', () => {
  it('connects the controllers bottom-up', () => {
    const { d, r } = cluster();
    expect(deploymentReport(d.snapshot).phase).toBe('serving');
    expect(deploymentReport(d.snapshot).clients[0]?.phase).toBe('connected');
    expect(replicaSetReport(r.snapshot).serverEpochs).toEqual({ deployment: 'deployment#1.1' });
  });

  it('turns a load of 3 into three named pods for the scheduler', () => {
    const { a, d, r } = cluster();
    a.send({ type: 'load', deployment: 'a/fn', load: 3 });
    expect(a.api().intent).toEqual({ op: 'scaleDeployment', key: 'a/fn', replicas: 3 });
    a.send(done(a.api(), 'ok'));
    // The API Server bumps the generation; the Deployment controller's informer shows it.
    const scaled = deploymentView({ replicas: 3, generation: 2, rv: 4 });
    const toReplicaSet = messagesIn(d.send(upsert({ kind: 'Deployment', view: scaled }, 4)));
    const rest = pump(d, r, toReplicaSet);
    expect(rest).toMatchObject([
      {
        type: 'scheduler.schedulePods',
        pods: ['a/fn-rs-1-1', 'a/fn-rs-1-2', 'a/fn-rs-1-3'],
        epoch: 'replicaset#1.1',
      },
    ]);
    expect(r.apis().map((e) => e.intent)).toContainEqual({
      op: 'scaleReplicaSet',
      key: 'a/fn-rs',
      replicas: 3,
      version: 2,
      // The cached copy's resourceVersion: the write's precondition.
      resourceVersion: expect.any(Number),
    });
  });

  it('re-sends a count lost with a crashed ReplicaSet controller in round 2', () => {
    const { d, r } = cluster();
    messagesIn(
      d.send(
        upsert({ kind: 'Deployment', view: deploymentView({ replicas: 2, generation: 2 }) }, 4),
      ),
    );
    // The scale message is lost; a new ReplicaSet controller incarnation comes up.
    const r2 = new Driver(replicaSetMachine, inputOf('replicaset', ['scheduler'], {}, 'direct', 2));
    r2.send({ type: 'start' }, upsert({ kind: 'ReplicaSet', view: replicaSetView() }, 2));
    r2.send(upsert({ kind: 'TemplatePod', view: templateView() }, 3), {
      type: 'informer.synced',
      rv: 4,
    });
    expect(r.snapshot.context.lease.incarnation).toBe(1);
    expect(r2.snapshot.context.lease.incarnation).toBe(2);
    r2.send(fromScheduler('handshakeReply', 2), fromScheduler('syncAck', 2));
    // The Deployment controller's retry timer: it still holds the count.
    const again = messagesIn(d.send({ type: 'timer', name: 'link.retry:deployment->replicaset' }));
    expect(pump(d, r2, again)).toEqual([]);
    // Round 2 reads the ReplicaSet with a quorum GET before deciding to re-send.
    const get = d.api();
    expect(get.intent).toEqual({ op: 'get', kind: 'ReplicaSet', key: 'a/fn-rs' });
    const sync = messagesIn(
      d.send(done(get, 'ok', { kind: 'ReplicaSet', view: replicaSetView() })),
    );
    const rest = pump(d, r2, sync);
    expect(rest).toMatchObject([
      { type: 'scheduler.schedulePods', pods: ['a/fn-rs-2-1', 'a/fn-rs-2-2'] },
    ]);
  });
});
