import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../spec/types/messages.js';
import { SendError } from '../transport/index.js';
import { isEpochMismatch, onSendFailure } from './send-failure.js';

const toKubelet = {
  type: 'scheduler.bindPod',
  source: 'scheduler',
  destination: 'kubelet/n1',
} as unknown as Message;
const KUBELETS = ['kubelet/n1'] as const;

describe('a failed send', () => {
  it('breaks the link to a server when the peer is gone or silent', () => {
    for (const failure of ['unreachable', 'timeout'] as const) {
      const error = new SendError(failure, 'kubelet/n1', 'x');
      expect(onSendFailure(error, toKubelet, KUBELETS)).toEqual({
        kind: 'linkDown',
        event: { type: 'link.down', server: 'kubelet/n1' },
      });
    }
  });

  it('is only lost when the peer is not a server of this stage', () => {
    const error = new SendError('unreachable', 'kubelet/n1', 'x');
    expect(onSendFailure(error, toKubelet, [])).toEqual({ kind: 'lost' });
  });

  it('is lost when the own transport closed or the peer fenced an older incarnation', () => {
    const closed = new SendError('closed', 'kubelet/n1', 'x');
    const stale = new SendError('refused', 'kubelet/n1', 'x', 409, 'staleEpoch');
    expect(onSendFailure(closed, toKubelet, KUBELETS)).toEqual({ kind: 'lost' });
    expect(onSendFailure(stale, toKubelet, KUBELETS)).toEqual({ kind: 'lost' });
  });

  it('is a fault of the setup when refused otherwise, unaddressed or not a SendError', () => {
    const refused = new SendError('refused', 'kubelet/n1', 'x', 401, 'unauthenticated');
    const noAddress = new SendError('noAddress', 'kubelet/n1', 'x');
    const other = new Error('boom');
    for (const error of [refused, noAddress, other])
      expect(onSendFailure(error, toKubelet, KUBELETS)).toEqual({ kind: 'fault', error });
  });
});

describe('the stage refusals the host counts', () => {
  it('are its epochMismatch replies', () => {
    expect(isEpochMismatch({ ...toKubelet, type: 'kubelet.epochMismatch' } as Message)).toBe(true);
    expect(isEpochMismatch(toKubelet)).toBe(false);
  });
});
