import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Message } from '../../../../spec/types/messages.js';
import { makeConfig } from '../../../../spec/types/mutants.js';
import { STAGES } from '../../../stages/registry.js';
import { makeScenario, scenarioConfig, WARM_UP_MS } from '../../scenarios.js';
import { SimCluster } from '../../sim/cluster.js';
import { runDefault } from '../../sim/policy.js';
import { readFrame } from './frame.js';
import type { MessageSchema } from './schema.js';

const bytes = (value: unknown): Uint8Array =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

const bind: Message = {
  type: 'kubelet.bindPod',
  source: 'scheduler',
  destination: 'kubelet/n1',
  epoch: 'scheduler#2.7',
  entry: {
    kind: 'pod',
    key: 'default/p1',
    ownerKey: 'default/rs',
    ownerUid: 'u3',
    node: 'n1',
    templateRv: 12,
  },
};

/**
 * Every direct message the real stages send in a scenario, in the sim runtime. The first
 * data messages of the burst are duplicated and their copies arrive a second late, after the
 * scenario's crash and restart, so that the restarted stage or its peer sees an old epoch
 * and answers `epochMismatch`.
 */
const messagesOf = (scenarioName: string, profile: string): Message[] => {
  const scenario = makeScenario(scenarioName, { pods: 3, nodes: 2, functions: 1 });
  const cluster = new SimCluster({
    config: scenarioConfig(makeConfig('up', profile, null)),
    mode: 'direct',
    registry: STAGES,
    topology: scenario.topology,
    seed: 7,
  });
  const sent = new Map<string, Message>();
  let lateCopies = 0;
  const onStep = () => {
    for (const p of cluster.pending()) {
      if (p.kind !== 'message' || sent.has(p.id)) continue;
      sent.set(p.id, p.message);
      if (cluster.nowMs < WARM_UP_MS || !DATA_TYPES.has(p.message.type) || lateCopies >= 3)
        continue;
      lateCopies += 1;
      cluster.apply({ type: 'duplicate', id: p.id });
      const copy = cluster.pending().find((q) => q.kind === 'message' && !sent.has(q.id));
      if (copy) cluster.apply({ type: 'delay', id: copy.id, ms: 1000 });
    }
  };
  for (const { atMs, action } of scenario.actions) {
    runDefault(cluster, { stepMax: 100_000, untilMs: atMs, onStep });
    if (cluster.nowMs < atMs) cluster.apply({ type: 'advance', toMs: atMs });
    cluster.apply(action);
  }
  runDefault(cluster, { stepMax: 100_000, onStep });
  return [...sent.values()];
};

const DATA_TYPES = new Set([
  'deployment.scale',
  'replicaset.scale',
  'scheduler.schedulePods',
  'kubelet.bindPod',
]);

describe('the Message schema', () => {
  it('infers exactly the protocol Message union', () => {
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    const same: Same<z.infer<typeof MessageSchema>, Message> = true;
    expect(same).toBe(true);
  });

  it('accepts every message the stages send, through crashes and restarts, in both profiles', () => {
    const methods = new Set<string>();
    for (const profile of ['hardened:autoscalerLink=direct', 'artifact'])
      for (const scenario of ['crash-deployment', 'crash-scheduler', 'crash-kubelet']) {
        for (const message of messagesOf(scenario, profile)) {
          const verdict = readFrame(bytes(message));
          expect(verdict, JSON.stringify(message)).toEqual({ ok: true, message });
          methods.add(message.type.slice(message.type.indexOf('.') + 1));
        }
      }
    // Every kind of message but `scheduler.notFound`, which the implementation never sends.
    expect([...methods].sort()).toEqual([
      'bindPod',
      'epochMismatch',
      'handshake',
      'handshakeReply',
      'notReady',
      'scale',
      'schedulePods',
      'sync',
      'syncAck',
    ]);
  });
});

describe('readFrame', () => {
  const refusal = (body: unknown) => {
    const verdict = readFrame(bytes(body));
    return verdict.ok ? 'accepted' : `${verdict.reason}: ${verdict.detail}`;
  };

  it('accepts a message and returns it as sent', () => {
    expect(readFrame(bytes(bind))).toEqual({ ok: true, message: bind });
  });

  it('refuses what is not a JSON object as malformed', () => {
    expect(refusal('{"type":')).toMatch(/^malformed: not JSON: /);
    expect(refusal('[1, 2]')).toBe('malformed: not a JSON object');
    expect(refusal('null')).toBe('malformed: not a JSON object');
    expect(readFrame(new Uint8Array([0x22, 0xff, 0x22]))).toMatchObject({ reason: 'malformed' });
  });

  it('tells an unknown type from a malformed message', () => {
    expect(refusal({ ...bind, type: 'kubelet.unbindPod' })).toBe(
      "unknownType: unknown message type 'kubelet.unbindPod'",
    );
    const { type: _, ...untyped } = bind;
    expect(refusal(untyped)).toMatch(/^malformed: type: /);
  });

  it('names the field that is missing, mistyped or extra', () => {
    const { epoch: _, ...noEpoch } = bind;
    expect(refusal(noEpoch)).toMatch(/^malformed: epoch: /);
    expect(refusal({ ...bind, entry: { ...bind.entry, templateRv: -1 } })).toMatch(
      /^malformed: entry\.templateRv: /,
    );
    expect(refusal({ ...bind, source: 'etcd' })).toMatch(/^malformed: source: /);
    expect(refusal({ ...bind, priority: 1 })).toMatch(/^malformed: \(top level\): .*priority/);
    expect(refusal({ ...bind, epoch: 'scheduler-7' })).toMatch(/^malformed: epoch: not an epoch/);
  });

  it('refuses a type sent to another kind of stage, and an epoch its link did not mint', () => {
    expect(refusal({ ...bind, destination: 'scheduler' })).toBe(
      'malformed: a kubelet.bindPod cannot go to scheduler',
    );
    expect(refusal({ ...bind, epoch: 'replicaset#2.7' })).toBe(
      'malformed: epoch replicaset#2.7 of a kubelet.bindPod is not one scheduler minted',
    );
    // A reply echoes the epoch its destination, the link's client, minted.
    const reply = {
      type: 'scheduler.syncAck',
      source: 'kubelet/n1',
      destination: 'scheduler',
      epoch: 'scheduler#2.7',
    };
    expect(refusal(reply)).toBe('accepted');
    expect(refusal({ ...reply, epoch: 'kubelet/n1#1.1' })).toMatch(/is not one scheduler minted/);
  });
});
