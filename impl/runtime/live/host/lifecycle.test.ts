/**
 * A host's start and stop, against fake ports that record what they are asked: the order
 * of start-up, and a stop that leaves no informer, subscription or timer behind.
 */
import { describe, expect, it } from 'vitest';
import { inputFor } from '../../../stages/controller/test-config.js';
import { StageHost } from './host.js';
import type { ApiPort, MessagePort, SandboxEvent, SandboxPort, TimerPort } from './ports.js';

const fakes = () => {
  const calls: string[] = [];
  const listeners = new Set<(event: SandboxEvent) => void>();
  const armed = new Set<number>();
  let next = 0;
  const api: ApiPort = {
    request: () => new Promise(() => undefined),
    startInformers: async () => {
      calls.push('informers');
      return async () => {
        calls.push('informers stopped');
      };
    },
  };
  const transport: MessagePort = {
    send: async () => undefined,
    countStageRefusal: () => calls.push('refusal'),
  };
  const sandbox: SandboxPort = {
    start: () => undefined,
    stop: () => undefined,
    list: async () => {
      calls.push('sandbox list');
      return [];
    },
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const timers: TimerPort = {
    set: () => {
      next += 1;
      armed.add(next);
      return next;
    },
    clear: (handle) => armed.delete(handle as number),
  };
  return { calls, listeners, armed, ports: { api, transport, sandbox, timers } };
};

describe('a stage host', () => {
  it('lists the sandboxes before it opens the informers', async () => {
    const { calls, ports } = fakes();
    const host = new StageHost(inputFor('kubelet/n1'), ports);
    await host.start();
    expect(calls).toEqual(['sandbox list', 'informers']);
    expect(host.current).not.toBeNull();
    await host.stop();
  });

  it('leaves nothing behind when stopped', async () => {
    const { calls, listeners, armed, ports } = fakes();
    const host = new StageHost(inputFor('replicaset'), ports);
    await host.start();
    await host.stop();
    expect(calls).toContain('informers stopped');
    expect(listeners.size).toBe(0);
    expect(armed.size).toBe(0);
    // Events after a stop are not taken.
    const before = host.current;
    host.post({ type: 'timer', name: 'resync' });
    expect(host.current).toBe(before);
  });

  it('refuses to run a kubelet without a container runtime, or to start twice', async () => {
    const { ports } = fakes();
    const { sandbox: _, ...withoutSandbox } = ports;
    expect(() => new StageHost(inputFor('kubelet/n1'), withoutSandbox)).toThrow(/sandbox/);
    const host = new StageHost(inputFor('scheduler'), ports);
    await host.start();
    await expect(host.start()).rejects.toThrow(/twice/);
    await host.stop();
  });
});
