/**
 * The states and transitions of the stage machines that no run of the simulator can take,
 * each with the reason, read from the machine code. Found by the broad campaign
 * (`coverageCampaign({ depth: 'broad' })`: every scenario on both paths under `hardened`,
 * `artifact` and every mutant's flip, the probes, and 300 random fault schedules per path)
 * and then checked against the code one by one; everything else it missed was reached by a
 * probe or a flip that the quick campaign now includes.
 *
 * The test suite fails if an entry names no existing state or transition (the list cannot
 * go stale silently) or if a campaign ever takes one (then the reason was wrong).
 */

import type { Switches } from '../../spec/types/config.js';

export interface Unreachable {
  /** A state or transition id of `enumerateMachines()`. */
  readonly id: string;
  /** Why no run can visit it, in one sentence. */
  readonly reason: string;
}

/**
 * A kubelet (`impl/stages/kubelet/machine.ts`) is `syncing` only at the start of an
 * incarnation, and the timers, API answers and sandbox-stopped reports that reach it there
 * are those its own incarnation asked for (`take.ts` checks the incarnation; `crashStage` in
 * lifecycle.ts discards the rest): while syncing it asks for no stop, sets no timer, and could
 * send one request only on a sandbox-stopped report.
 */
const KUBELET_SYNCING =
  'a kubelet runs `reconcile` (every expose, markReady, removePod and `sandbox.stop`) only while serving, so in `syncing`';

export const UNREACHABLE: readonly Unreachable[] = [
  {
    id: 'kubelet: syncing --sandbox.stopped--> (targetless)',
    reason: `${KUBELET_SYNCING} it has asked for no sandbox stop, and \`crashStage\` removes the pending \`sandboxStopped\` events of the incarnation before: none reaches a syncing kubelet`,
  },
  {
    id: 'kubelet: syncing --api.done--> (targetless)',
    reason: `${KUBELET_SYNCING} its one request could be the \`removePod\` of \`onSandboxStopped\`, which needs \`sandbox.stopped\` in \`syncing\` (unreachable, above), and an answer reaches only the incarnation that sent the request (\`apiDone\` in take.ts checks it)`,
  },
  {
    id: 'kubelet: syncing --timer--> (targetless)',
    reason:
      'timers fire only in the incarnation that set them, and a syncing kubelet sets none: its retry timer follows an API answer (`onApiDone`, unreachable in `syncing`), and its apply timer an admitted data message, which needs an epoch installed by a handshake it answers only when serving (`answersHandshakes`, `admit` in impl/stages/link/server.ts: a restarted server has no links)',
  },
];

export const UNREACHABLE_IDS: ReadonlySet<string> = new Set(UNREACHABLE.map((u) => u.id));

/**
 * Transitions that exist for a design switch's other setting: a campaign under a profile
 * whose switches differ from `needs` cannot take them, one under the flip does (the quick
 * coverage campaign runs those flips, and its test fails if one stops reaching them).
 */
export interface SwitchGated extends Unreachable {
  readonly needs: Partial<Switches>;
}

const AUTOSCALER_LINK =
  'the autoscaler handshakes, and so uses its link at all, only on the direct autoscaler link (guard `mustHandshake`: `clientGuards(…, direct)` in `impl/stages/autoscaler/machine.ts`)';

export const SWITCH_GATED: readonly SwitchGated[] = [
  ...[
    '(root) --always[mustHandshake]--> (targetless)',
    '(root) --message[gets(handshaking,handshakeReply)]--> (targetless)',
    '(root) --message[gets(handshaking,notReady)]--> (targetless)',
    '(root) --message[gets(syncing,syncAck)]--> (targetless)',
    '(root) --timer[retryTimer(handshaking)]--> (targetless)',
    '(root) --timer[retryTimer(connected)]--> (targetless)',
    '(root) --link.down[linkIs(connected)]--> (targetless)',
  ].map(
    (transition): SwitchGated => ({
      id: `autoscaler: ${transition}`,
      needs: { autoscalerLink: 'direct' },
      reason: AUTOSCALER_LINK,
    }),
  ),
  {
    id: 'deployment: server.listening --message[fromUpstream]--> (targetless)',
    needs: { autoscalerLink: 'direct' },
    reason:
      'the Deployment controller is the server of `autoscaler -> deployment` only when that link exists (`fromAutoscaler` in `impl/stages/deployment/scale-server.ts`)',
  },
  {
    id: 'deployment: server.listening --timer[applyTimer]--> (targetless)',
    needs: { autoscalerLink: 'direct', fence: 'none' },
    reason:
      'the Deployment controller queues a count from the autoscaler only as an unfenced server of the direct autoscaler link (`admit` in `impl/stages/link/server.ts`)',
  },
  {
    id: 'replicaset: server.listening --timer[applyTimer]--> (targetless)',
    needs: { fence: 'none' },
    reason:
      'the apply timer is set only when an unfenced server queues a data message instead of applying it (`admit` in `impl/stages/link/server.ts`)',
  },
];

const satisfies = (switches: Switches, needs: Partial<Switches>): boolean =>
  Object.entries(needs).every(([name, value]) => switches[name as keyof Switches] === value);

/**
 * What no run under `switches` can take: the list above, and every switch-gated transition
 * whose switch is set otherwise, its reason naming the setting it needs.
 */
export const unreachableUnder = (switches: Switches): readonly Unreachable[] => [
  ...UNREACHABLE,
  ...SWITCH_GATED.filter((g) => !satisfies(switches, g.needs)).map((g) => ({
    id: g.id,
    reason: `needs ${Object.entries(g.needs)
      .map(([name, value]) => `${name}: ${String(value)}`)
      .join(', ')}: ${g.reason}`,
  })),
];
