/**
 * A fake kubelet for the runtime's tests: on `kubelet.bindPod` it exposes the pod from its
 * owner's template Pod (as its informer shows it), starts the sandbox once the pod exists,
 * and marks it Ready once the sandbox runs. No epochs, no retries: just enough to drive
 * every kind of effect through the runtime.
 */
import type { PodKey } from '../../../../spec/types/ids.js';
import type { PodEntry } from '../../../../spec/types/messages.js';
import type { Effect } from '../../../stages/io.js';
import type { StageModule } from '../types.js';
import { fakeStage } from './fakes.js';

interface FakeKubeletState {
  /** Template Pod key by owner ReplicaSet key. */
  readonly templates: Readonly<Record<string, string>>;
  readonly owners: Readonly<Record<PodKey, string>>;
  readonly nextCall: number;
}

const expose = (state: FakeKubeletState, entry: PodEntry, node: string): Effect[] => {
  const templateKey = state.templates[entry.ownerKey] ?? `${entry.ownerKey}-template`;
  return [
    {
      type: 'api',
      id: state.nextCall,
      intent: { op: 'exposePod', key: entry.key, templateKey, node, ownerKey: entry.ownerKey },
    },
  ];
};

/** `bindsOnSync`: pods to expose by itself once its informers have synced (benchmarks). */
export const fakeKubelet = (
  bindsOnSync: (node: string) => PodEntry[] = () => [],
  keepLog = true,
): StageModule =>
  fakeStage<FakeKubeletState>(
    () => ({ templates: {}, owners: {}, nextCall: 1 }),
    (state, event, input) => {
      const node = input.id.slice('kubelet/'.length);
      const next = (effects: Effect[], extra: Partial<FakeKubeletState> = {}) => ({
        state: {
          ...state,
          ...extra,
          nextCall: state.nextCall + effects.filter((e) => e.type === 'api').length,
        },
        effects: effects.map((e, i) => (e.type === 'api' ? { ...e, id: state.nextCall + i } : e)),
      });
      switch (event.type) {
        case 'informer.upsert':
          if (event.object.kind !== 'TemplatePod') return undefined;
          return {
            state: {
              ...state,
              templates: {
                ...state.templates,
                [event.object.view.ownerKey]: event.object.view.key,
              },
            },
          };
        case 'informer.synced':
          return next(bindsOnSync(node).flatMap((entry) => expose(state, entry, node)));
        case 'message':
          if (event.message.type !== 'kubelet.bindPod') return undefined;
          return next(expose(state, event.message.entry, node));
        case 'api.done': {
          const intent = event.intent;
          if (intent.op === 'exposePod' && event.outcome === 'ok' && event.object?.kind === 'Pod') {
            const view = event.object.view;
            const owners = { ...state.owners, [view.key]: view.ownerUid };
            return next(
              [
                {
                  type: 'sandbox.start',
                  pod: view.key,
                  ownerUid: view.ownerUid,
                  templateHash: view.templateHash,
                },
              ],
              { owners },
            );
          }
          return undefined;
        }
        case 'sandbox.started':
          return next([
            { type: 'api', id: 0, intent: { op: 'markReady', key: event.pod, wholeObject: false } },
          ]);
        default:
          return undefined;
      }
    },
    keepLog,
  );
