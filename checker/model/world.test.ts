import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { checkSafety, livenessFailures } from '../../properties/catalogue.js';
import { follow, runFaultFree } from '../../spec/test-support/walk.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { createWorldModel, type WorldState } from '../../spec/world.js';

const model = createWorldModel(makeConfig('up', 'hardened', null));
const converged = (s: WorldState) => livenessFailures(model.observe(s)).length === 0;

/** Breadth-first, the first `limit` states: enough to meet every kind of action. */
const someStates = (limit: number): WorldState[] => {
  const seen = new Set([model.key(model.initial())]);
  const out = [model.initial()];
  for (let i = 0; i < out.length && out.length < limit; i++) {
    for (const t of model.transitions(out[i] as WorldState)) {
      const key = model.key(t.next);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(t.next);
      }
    }
  }
  return out;
};

describe('the world model', () => {
  it('scales a function from zero to one Ready pod on its own, with every property holding', () => {
    const run = runFaultFree(model, model.initial(), converged);
    const last = run.states.at(-1) as WorldState;
    expect(converged(last)).toBe(true);
    const pods = Object.values(last.api.pods);
    expect(pods.map((p) => [p.key, p.nodeName, p.ready])).toEqual([['a/fn-h1-1-1', 'n1', true]]);
    for (let i = 1; i < run.states.length; i++) {
      const before = model.observe(run.states[i - 1] as WorldState);
      expect(checkSafety(before, model.observe(run.states[i] as WorldState))).toBeNull();
    }
  });

  it('is deterministic: the same state always offers the same actions leading to the same states', () => {
    for (const state of someStates(300)) {
      const a = model.transitions(state).map((t) => `${t.action.label}=${model.key(t.next)}`);
      const b = model.transitions(state).map((t) => `${t.action.label}=${model.key(t.next)}`);
      expect(a).toEqual(b);
    }
  });

  it('labels every enabled action uniquely, so a trace replays by label', () => {
    for (const state of someStates(2000)) {
      const labels = model.transitions(state).map((t) => t.action.label);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });

  it('gives independent actions taken in either order the same canonical key', () => {
    const start = model.initial();
    const viaA = follow(model, start, ['informer sync kubelet/n1', 'scale a/fn 1']).states.at(
      -1,
    ) as WorldState;
    const viaB = follow(model, start, ['scale a/fn 1', 'informer sync kubelet/n1']).states.at(
      -1,
    ) as WorldState;
    expect(model.key(viaA)).toBe(model.key(viaB));
    expect(model.key(viaA)).not.toBe(model.key(start));
  });

  it('fences a message of an old epoch: the server refuses it and the client re-handshakes', () => {
    const start = model.initial();
    const sent = follow(model, start, [
      'scale a/fn 1',
      'informer sync deployment',
      'scale a/fn-h1 1',
    ]);
    // A spurious timeout makes the client mint a new epoch while its data message is in flight.
    const fenced = follow(model, sent.states.at(-1) as WorldState, [
      'timeout deployment->replicaset',
      'deliver replicaset.handshake deployment->replicaset e=deployment#1.2',
      'deliver replicaset.scale deployment->replicaset e=deployment#1.1 [a/fn-h1] 1@v2',
    ]);
    const events = (fenced.states.at(-1) as WorldState).events;
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'admit',
        admitted: false,
        serverEpochAtAdmission: 'deployment#1.2',
      }),
    );
    expect((fenced.states.at(-1) as WorldState).replicaset.desired).toEqual({});
  });

  it("loses a crashed stage's memory but keeps a crashed kubelet's sandboxes", () => {
    const run = runFaultFree(model, model.initial(), converged);
    const up = run.states.at(-1) as WorldState;
    const crashed = follow(model, up, ['crash kubelet/n1']).states.at(-1) as WorldState;
    const kubelet = crashed.kubelets.n1;
    expect(kubelet?.incarnation).toBe(2);
    expect(kubelet?.phase).toBe('syncing');
    expect(Object.keys(kubelet?.sandboxes ?? {})).toEqual(['a/fn-h1-1-1']);
    expect(crashed.links['scheduler->kubelet/n1']?.phase).toBe('disconnected');
  });

  it('picks scale-down victims on its informer and its own deletions, not on the API', () => {
    const run = runFaultFree(model, model.initial(), converged);
    const settled = run.states.at(-1) as WorldState;
    const rsKey = Object.keys(settled.api.replicaSets)[0] as string;
    const pod = 'a/fn-h1-1-1';
    // Scaled to 0, and the pod deleted by a user: the controller's informer shows neither
    // the deletion nor anything but the new count.
    const scaledDown = produce(settled, (d) => {
      for (const rs of [d.api.replicaSets[rsKey], d.replicaset.view.objects.replicaSets[rsKey]])
        if (rs) rs.replicas = 0;
      const persisted = d.api.pods[pod];
      if (persisted) persisted.deleting = true;
    });
    const deletes = (s: WorldState) =>
      model.transitions(s).filter((t) => t.action.label.startsWith('delete '));
    const [own] = deletes(scaledDown);
    expect(own?.action.label).toBe(`delete ${pod}`);
    // Its own deletion is an expectation: it does not pick the pod again.
    expect(own && deletes(own.next)).toEqual([]);
  });
});
