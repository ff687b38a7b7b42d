import { describe, expect, it } from 'vitest';
import { SimCluster } from './cluster.js';
import { runDefault } from './policy.js';
import { BOOKMARK_ID } from './progress.js';
import { logOf, noopStage, registryOf, TEST_CONFIG } from './testing/fakes.js';

/** The highest `informer.progress` a fake stage was told. */
const progressTold = (cluster: SimCluster): number =>
  Math.max(
    0,
    ...logOf(cluster.snapshotOf('deployment'))
      .filter((line) => line.startsWith('informer.progress '))
      .map((line) => Number(line.split(' ')[1])),
  );

describe('informer progress, as a client learns how fresh its informers are (model decision 1)', () => {
  const settled = () => {
    const cluster = new SimCluster({
      config: TEST_CONFIG,
      mode: 'direct',
      registry: registryOf({ deployment: noopStage() }),
    });
    runDefault(cluster, { stepMax: 2_000 });
    return cluster;
  };

  it('reaches the API resourceVersion through bookmarks once nothing is queued', () => {
    const cluster = settled();
    expect(cluster.pending().some((p) => p.id === BOOKMARK_ID)).toBe(false);
    expect(progressTold(cluster)).toBe(cluster.api.resourceVersion);
  });

  it('does not pass a write whose event is still queued, and passes it once delivered', () => {
    const cluster = settled();
    cluster.apply({ type: 'write', write: { op: 'scaleDeployment', key: 'a/fn', replicas: 3 } });
    const written = cluster.api.resourceVersion;
    const inform = cluster
      .pending()
      .find((p) => p.kind === 'inform' && p.id.includes('deployment:deployments'));
    expect(inform).toBeDefined();
    cluster.apply({ type: 'delay', id: inform?.id ?? '', ms: 500 });
    // Every bookmark round before the event is delivered leaves the progress behind it.
    let rounds = 0;
    while (rounds < 20 && cluster.pending().some((p) => p.id === BOOKMARK_ID)) {
      cluster.step(BOOKMARK_ID);
      rounds += 1;
      expect(progressTold(cluster)).toBeLessThan(written);
    }
    expect(rounds).toBeGreaterThan(0);
    runDefault(cluster, { stepMax: 2_000 });
    expect(progressTold(cluster)).toBeGreaterThanOrEqual(written);
  });
});
