import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import { autoscalerMachine, report } from './autoscaler.machine.js';
import { Driver, done, inputOf } from './upstream/testing.js';

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

  it("refuses autoscalerLink 'direct', which the model does not model", () => {
    const [snapshot] = initialTransition(
      autoscalerMachine,
      inputOf('autoscaler', [], { autoscalerLink: 'direct' }),
    );
    expect(snapshot.status).toBe('error');
    expect(String(snapshot.error)).toMatch(/not modelled/);
  });
});
