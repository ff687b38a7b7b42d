import { describe, expect, it } from 'vitest';
import type { LinkEntry, Message } from '../../../spec/types/messages.js';
import { Driver, deploymentView, done, inputOf } from '../controller/testing.js';
import type { StageEvent } from '../io.js';
import { autoscalerMachine, report } from './machine.js';

const started = () => {
  const a = new Driver(autoscalerMachine, inputOf('autoscaler', []));
  a.send({ type: 'start' });
  return a;
};

describe('autoscaler', () => {
  it('holds the load while syncing and writes it once serving', () => {
    const a = started();
    expect(a.send({ type: 'load', deployment: 'a/fn', load: 3 })).toEqual([]);
    expect(report(a.snapshot).phase).toBe('syncing');
    a.send({ type: 'informer.synced', rv: 0 });
    expect(report(a.snapshot).phase).toBe('serving');
    expect(a.apis().map((e) => e.intent)).toEqual([
      { op: 'scaleDeployment', key: 'a/fn', replicas: 3 },
    ]);
  });

  it('writes each new count once, one write per Deployment in flight', () => {
    const a = started();
    a.send({ type: 'informer.synced', rv: 0 }, { type: 'load', deployment: 'a/fn', load: 1 });
    const first = a.api();
    expect(a.send({ type: 'load', deployment: 'a/fn', load: 2 })).toEqual([]);
    a.send(done(first, 'ok'));
    expect(a.apis().map((e) => e.intent)).toEqual([
      { op: 'scaleDeployment', key: 'a/fn', replicas: 2 },
    ]);
    a.send(done(a.api(), 'ok'));
    expect(a.send({ type: 'load', deployment: 'a/fn', load: 2 })).toEqual([]);
  });

  it('retries after an API outage, on its timer', () => {
    const a = started();
    a.send({ type: 'informer.synced', rv: 0 }, { type: 'load', deployment: 'a/fn', load: 1 });
    const req = a.api();
    a.send(done(req, 'outage'));
    expect(a.last).toEqual([{ type: 'timer.set', name: 'scale:a/fn', afterMs: 1000 }]);
    a.send({ type: 'timer', name: 'scale:a/fn' });
    expect(a.apis().map((e) => e.intent.op)).toEqual(['scaleDeployment']);
    expect(a.api().id).not.toBe(req.id);
  });

  it('counts a missing Deployment as written, as the model does', () => {
    const a = started();
    a.send({ type: 'informer.synced', rv: 0 }, { type: 'load', deployment: 'a/fn', load: 1 });
    a.send(done(a.api(), 'notFound'));
    expect(a.send({ type: 'timer', name: 'scale:a/fn' })).toEqual([]);
  });

  describe('is level-triggered on its Deployment informer (API hop)', () => {
    const upsert = (replicas: number, rv: number): StageEvent => ({
      type: 'informer.upsert',
      rv,
      object: { kind: 'Deployment', view: deploymentView({ replicas, rv }) },
    });
    const wroteThreeAt = (rv: number) => {
      const a = started();
      a.send({ type: 'informer.synced', rv: 0 }, { type: 'load', deployment: 'a/fn', load: 3 });
      const write = a.api();
      return { a, write, done: done(write, 'ok', deploymentAt3(rv)) };
    };
    const deploymentAt3 = (rv: number) =>
      ({ kind: 'Deployment', view: deploymentView({ replicas: 3, rv }) }) as const;

    it("writes again when a later write (a crashed incarnation's, delayed) changed the count", () => {
      const { a, done: ok } = wroteThreeAt(10);
      a.send(ok);
      expect(a.send(upsert(3, 10))).toEqual([]);
      a.send(upsert(6, 11));
      expect(a.apis().map((e) => e.intent)).toEqual([
        { op: 'scaleDeployment', key: 'a/fn', replicas: 3 },
      ]);
    });

    it('ignores what the informer shows from before its own write', () => {
      const { a, done: ok } = wroteThreeAt(10);
      a.send(ok);
      expect(a.send(upsert(6, 9))).toEqual([]);
    });

    it('catches a later write the informer delivered while its own was in flight', () => {
      const { a, done: ok } = wroteThreeAt(10);
      expect(a.send(upsert(6, 11))).toEqual([]);
      a.send(ok);
      expect(a.apis().map((e) => e.intent)).toEqual([
        { op: 'scaleDeployment', key: 'a/fn', replicas: 3 },
      ]);
    });
  });

  it('on the API hop has no client link and reports none', () => {
    const a = started();
    a.send({ type: 'informer.synced', rv: 0 }, { type: 'load', deployment: 'a/fn', load: 1 });
    expect(a.sent()).toEqual([]);
    expect(report(a.snapshot).clients).toEqual([]);
    expect(report(a.snapshot).dirty).toEqual([]);
  });
});

const msg = (message: Message): StageEvent => ({ type: 'message', message });
const reply = (epoch: string, snapshot: LinkEntry[] = []): StageEvent =>
  msg({
    type: 'autoscaler.handshakeReply',
    source: 'deployment',
    destination: 'autoscaler',
    epoch,
    snapshot,
  });
const ack = (epoch: string): StageEvent =>
  msg({ type: 'autoscaler.syncAck', source: 'deployment', destination: 'autoscaler', epoch });
const deploymentAt = (replicasVersion: number): StageEvent => ({
  type: 'api.done',
  id: 0,
  intent: { op: 'get', kind: 'Deployment', key: 'a/fn' },
  outcome: 'ok',
  object: { kind: 'Deployment', view: deploymentView({ replicas: 2, replicasVersion }) },
});

/** `autoscalerLink: 'direct'`, synced, round 1 with the Deployment controller answered. */
const connected = (load = 2) => {
  const a = new Driver(
    autoscalerMachine,
    inputOf('autoscaler', ['deployment'], { autoscalerLink: 'direct' }),
  );
  a.send({ type: 'start' }, { type: 'load', deployment: 'a/fn', load });
  a.send({ type: 'informer.synced', rv: 0 });
  expect(a.sent()).toMatchObject([{ type: 'deployment.handshake', epoch: 'autoscaler#1.1' }]);
  expect(report(a.snapshot).phase).toBe('recovering');
  a.send(reply('autoscaler#1.1'));
  a.send(ack('autoscaler#1.1'));
  return a;
};

describe("autoscaler with autoscalerLink 'direct'", () => {
  it('serves once its link is connected and sends the count with a fresh version', () => {
    const a = connected();
    expect(report(a.snapshot).phase).toBe('serving');
    expect(a.apis()).toEqual([]);
    expect(a.sent()).toEqual([
      {
        type: 'deployment.scale',
        source: 'autoscaler',
        destination: 'deployment',
        epoch: 'autoscaler#1.1',
        entry: { kind: 'count', key: 'a/fn', replicas: 2, version: 1001 },
      },
    ]);
    a.send({ type: 'load', deployment: 'a/fn', load: 3 });
    expect(a.sent()).toMatchObject([{ entry: { replicas: 3, version: 1002 } }]);
    expect(report(a.snapshot).dirty).toEqual([
      { kind: 'count', key: 'a/fn', replicas: 3, version: 1002, source: null },
    ]);
  });

  it('round 2 drops a count the API shows written back and re-sends one lost', () => {
    for (const [persisted, resent] of [
      [1001, false],
      [0, true],
    ] as const) {
      const a = connected();
      // The recheck timer: a new handshake; the Deployment controller reports nothing.
      a.send({ type: 'timer', name: 'link.retry:autoscaler->deployment' });
      expect(a.sent()).toMatchObject([{ type: 'deployment.handshake', epoch: 'autoscaler#1.2' }]);
      a.send(reply('autoscaler#1.2'));
      const get = a.api();
      expect(get.intent).toEqual({ op: 'get', kind: 'Deployment', key: 'a/fn' });
      a.send({ ...deploymentAt(persisted), id: get.id } as StageEvent);
      const sync = a.sent()[0];
      expect(sync).toMatchObject({ type: 'deployment.sync', epoch: 'autoscaler#1.2' });
      expect(sync && 'entries' in sync ? sync.entries : null).toEqual(
        resent ? [{ kind: 'count', key: 'a/fn', replicas: 2, version: 1001 }] : [],
      );
      expect(report(a.snapshot).dirty.length).toBe(resent ? 1 : 0);
    }
  });

  it('runs round 2 only once its informer has passed the resourceVersion it read', () => {
    const a = new Driver(
      autoscalerMachine,
      inputOf('autoscaler', ['deployment'], { autoscalerLink: 'direct' }),
      { answerReads: false },
    );
    a.send({ type: 'start' }, { type: 'informer.synced', rv: 0 });
    a.send(reply('autoscaler#1.1'));
    // Nothing held: no GET, but the resourceVersion read all the same, as every client.
    const read = a.api();
    expect(read.intent).toEqual({
      op: 'readResourceVersion',
      key: 'autoscaler->deployment',
      epoch: 'autoscaler#1.1',
    });
    a.send({ type: 'api.done', id: read.id, intent: read.intent, outcome: 'ok', rv: 50 });
    a.send({ type: 'informer.progress', rv: 49 });
    expect(a.sent()).toEqual([]);
    a.send({ type: 'informer.progress', rv: 50 });
    expect(a.sent()).toMatchObject([{ type: 'deployment.sync', epoch: 'autoscaler#1.1' }]);
  });

  it('waits for its own GET when the retry timer fires first; a failed GET lets it handshake again', () => {
    const a = connected();
    a.send({ type: 'timer', name: 'link.retry:autoscaler->deployment' });
    a.send(reply('autoscaler#1.2'));
    const get = a.api();
    expect(get.intent).toEqual({ op: 'get', kind: 'Deployment', key: 'a/fn' });
    // The GET may wait in the client's token bucket longer than the timer: a new handshake
    // would need a new GET, answered no sooner.
    a.send({ type: 'timer', name: 'link.retry:autoscaler->deployment' });
    expect(a.sent()).toEqual([]);
    expect(a.of('timer.set').map((e) => e.name)).toEqual(['link.retry:autoscaler->deployment']);
    a.send(done(get, 'outage'));
    expect(a.sent()).toEqual([]);
    a.send({ type: 'timer', name: 'link.retry:autoscaler->deployment' });
    expect(a.sent()).toMatchObject([{ type: 'deployment.handshake', epoch: 'autoscaler#1.3' }]);
  });

  it('keeps a count the Deployment controller reports, without reading the API', () => {
    const a = connected();
    a.send({ type: 'timer', name: 'link.retry:autoscaler->deployment' });
    a.send(reply('autoscaler#1.2', [{ kind: 'count', key: 'a/fn', replicas: 2, version: 1001 }]));
    // No GET: the driver answers the resourceVersion read, and nothing is left to read.
    expect(a.apis()).toEqual([]);
    expect(a.sent()).toMatchObject([{ type: 'deployment.sync', entries: [] }]);
    expect(report(a.snapshot).dirty).toHaveLength(1);
  });

  it('a restarted autoscaler mints versions above every earlier incarnation', () => {
    const a = new Driver(
      autoscalerMachine,
      inputOf('autoscaler', ['deployment'], { autoscalerLink: 'direct' }, 'direct', 2),
    );
    a.send({ type: 'start' }, { type: 'load', deployment: 'a/fn', load: 1 });
    a.send({ type: 'informer.synced', rv: 0 });
    a.send(reply('autoscaler#2.1'));
    a.send(ack('autoscaler#2.1'));
    expect(a.sent()).toMatchObject([{ entry: { version: 2001 } }]);
  });
});
