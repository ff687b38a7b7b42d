/**
 * A fake scheduler for the runtime's tests: once its informers have synced it sends one
 * `kubelet.bindPod` per pod it is given, in order, and sets a retry timer it never needs.
 */
import type { PodEntry } from '../../../../spec/types/messages.js';
import type { StageModule } from '../types.js';
import { fakeStage } from './fakes.js';

export const fakeScheduler = (binds: readonly PodEntry[]): StageModule =>
  fakeStage(
    () => null,
    (_state, event) => {
      if (event.type !== 'informer.synced') return undefined;
      // A fake: it takes no Lease; its epoch only has to look like the real one's.
      const epoch = 'scheduler#1.1';
      return {
        effects: [
          ...binds.map((entry) => ({
            type: 'send' as const,
            message: {
              type: 'kubelet.bindPod' as const,
              source: 'scheduler' as const,
              destination: `kubelet/${entry.node}` as const,
              epoch,
              entry,
            },
          })),
          { type: 'timer.set' as const, name: 'retry', afterMs: 1000 },
        ],
      };
    },
  );

/** A pod entry of ReplicaSet `ownerKey` bound to `node`. */
export const podEntry = (key: string, ownerKey: string, node: string): PodEntry => ({
  kind: 'pod',
  key,
  ownerKey,
  ownerUid: '',
  node,
  templateRv: 0,
});
