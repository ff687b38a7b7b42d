import { describe, expect, it } from 'vitest';
import { addressesFor, layoutOf } from './layout.js';

describe('the processes of a live cluster', () => {
  it('run each controller alone and one kubelet per node by default', () => {
    expect(layoutOf(['n1', 'n2']).map((p) => [p.name, p.stages])).toEqual([
      ['autoscaler', ['autoscaler']],
      ['deployment', ['deployment']],
      ['replicaset', ['replicaset']],
      ['scheduler', ['scheduler']],
      ['kubelet/n1', ['kubelet/n1']],
      ['kubelet/n2', ['kubelet/n2']],
    ]);
  });

  it('spread the kubelets over as many processes as asked, never more than the nodes (a process of one is named by its stage)', () => {
    const kubelets = (layout: ReturnType<typeof layoutOf>) =>
      layout.slice(4).map((p) => [p.name, p.stages]);
    expect(kubelets(layoutOf(['n1', 'n2', 'n3'], 2))).toEqual([
      ['kubelets-1', ['kubelet/n1', 'kubelet/n3']],
      ['kubelet/n2', ['kubelet/n2']],
    ]);
    expect(kubelets(layoutOf(['n1'], 5))).toEqual([['kubelet/n1', ['kubelet/n1']]]);
  });

  it('listen on distinct loopback ports', async () => {
    const book = await addressesFor(layoutOf(['n1', 'n2', 'n3']));
    const ports = Object.values(book).map((a) => a.port);
    expect(new Set(ports).size).toBe(7);
    expect(Object.values(book).every((a) => a.host === '127.0.0.1')).toBe(true);
  });
});
