import { describe, expect, test } from 'vitest';
import {
  healthy,
  kubelet,
  link,
  pod,
  podEntry,
  stage,
} from '../../properties/test-support/observation.js';
import { atomsOf, partOf } from './atoms.js';
import { allowedFor, compose } from './check.js';
import { implClassOf, modelClassOf } from './classes.js';

const atoms = (...args: Parameters<typeof atomsOf>) => [...atomsOf(...args)].sort();

describe('atoms of a step', () => {
  test('an unchanged observation has none', () => {
    const o = healthy({ pods: [pod('a/p1', { nodeName: 'n1' })] });
    expect(atoms(o, o)).toEqual([]);
  });

  test('a pod exposed by a kubelet: created bound, entry exposing → exposed, without identities', () => {
    const before = healthy({
      stages: [stage('kubelet/n1', [podEntry('a/p1', { state: 'exposing', node: 'n1' })])],
    });
    const after = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' })],
      stages: [stage('kubelet/n1', [podEntry('a/p1', { state: 'exposed', node: 'n1' })])],
    });
    expect(atoms(before, after)).toEqual(['api.pod +', 'stage[kubelet] dirty exposing→exposed']);
  });

  test('Ready says whether the sandbox ran before the step', () => {
    const bound = pod('a/p1', { nodeName: 'n1' });
    const ready = pod('a/p1', { nodeName: 'n1', ready: true });
    expect(atoms(healthy({ pods: [bound] }), healthy({ pods: [ready] }))).toEqual([
      'api.pod ready false→true (no sandbox)',
    ]);
    const running = [kubelet('n1', ['a/p1'])];
    expect(
      atoms(
        healthy({ pods: [bound], kubelets: running }),
        healthy({ pods: [ready], kubelets: running }),
      ),
    ).toEqual(['api.pod ready false→true (running)']);
  });

  test('a crashed stage is down in the implementation and syncing in the model: both read syncing', () => {
    const before = healthy({ stages: [stage('scheduler')] });
    const after = healthy({ stages: [stage('scheduler', [], { phase: 'down', up: false })] });
    expect(atoms(before, after)).toEqual(['stage[scheduler] phase serving→syncing']);
  });

  test('a link phase carries its from and to; links are named by kind', () => {
    const before = healthy({
      links: [link('scheduler', 'kubelet/n1', { clientPhase: 'handshaking' })],
    });
    const after = healthy({ links: [link('scheduler', 'kubelet/n1', { clientPhase: 'syncing' })] });
    expect(atoms(before, after)).toEqual([
      'link[scheduler->kubelet] clientPhase handshaking→syncing',
    ]);
  });

  test('events without identities; reads and faults left out', () => {
    const after = healthy({
      events: [
        {
          kind: 'api',
          actor: 'kubelet/n1',
          verb: 'create',
          resource: 'pod',
          key: 'a/p1',
          outcome: 'ok',
          retry: true,
        },
        {
          kind: 'api',
          actor: 'scheduler',
          verb: 'get',
          resource: 'pod',
          key: 'a/p1',
          outcome: 'ok',
          retry: false,
        },
        { kind: 'fault', fault: 'crash', target: 'scheduler' },
      ],
    });
    expect(atoms(healthy(), after)).toEqual(['ev api kubelet create pod ok']);
  });

  test('parts: the API Server, the container runtime, the rest', () => {
    expect(partOf('api.pod +')).toBe('api');
    expect(partOf('ev api kubelet create pod ok')).toBe('api');
    expect(partOf('kubelet.sandbox + (live)')).toBe('sandbox');
    expect(partOf('stage[kubelet] dirty exposing→exposed')).toBe('stage');
  });
});

describe('composition of model steps in one implementation step', () => {
  test('chains of one field compose, nothing else is added', () => {
    const closed = compose(
      new Set([
        'stage[kubelet] dirty +waitingTemplate',
        'stage[kubelet] dirty waitingTemplate→exposing',
        'link[x] clientPhase disconnected→handshaking',
      ]),
    );
    expect([...closed].sort()).toEqual([
      'link[x] clientPhase disconnected→handshaking',
      'stage[kubelet] dirty +exposing',
      'stage[kubelet] dirty +waitingTemplate',
      'stage[kubelet] dirty waitingTemplate→exposing',
    ]);
  });

  test('a model class contributes only the parts its implementation step may show', () => {
    const table = {
      'kubelet: expose': [
        'api.pod +',
        'kubelet.sandbox + (live)',
        'stage[kubelet] dirty exposing→exposed',
      ],
    };
    expect([...allowedFor(table, [{ modelClass: 'kubelet: expose', parts: ['api'] }])]).toEqual([
      'api.pod +',
    ]);
  });
});

describe('classes', () => {
  test("a model action's class drops its identities", () => {
    expect(modelClassOf({ actor: 'kubelet/n1', label: 'expose a/fn-1-1', fault: false })).toBe(
      'kubelet: expose',
    );
    expect(
      modelClassOf({
        actor: 'net',
        label: 'deliver kubelet.bindPod scheduler->k/n1 e=x [a/p]',
        fault: false,
      }),
    ).toBe('deliver kubelet.bindPod');
    expect(modelClassOf({ actor: 'api', label: 'outage ends', fault: false })).toBe('outage ends');
    expect(modelClassOf({ actor: 'scheduler', label: 'crash scheduler', fault: true })).toBe(
      'crash scheduler',
    );
  });

  test('a request executed by the API Server stands for the api part of its model class', () => {
    const cls = implClassOf({
      step: 1,
      atMs: 0,
      action: { type: 'take', id: 'a1' },
      label: 'api kubelet/n1 exposePod a/p1',
      actor: 'kubelet/n1',
      events: [],
    });
    expect(cls).toEqual({
      kind: 'mapped',
      name: 'api kubelet exposePod',
      candidates: [{ modelClass: 'kubelet: expose', parts: ['api'] }],
    });
  });

  test('a template change is an environment action the model does not describe', () => {
    const cls = implClassOf({
      step: 1,
      atMs: 0,
      action: { type: 'write', write: { op: 'changeTemplate', key: 'a/fn' } },
      label: 'user changeTemplate a/fn',
      actor: 'user',
      events: [],
    });
    expect(cls.kind).toBe('outside');
  });
});
