/**
 * Kubelet (one per node): the leaf of the narrow waist and the place where write-back
 * happens. It materialises a bound pod from its template, exposes it (CREATE), runs the
 * sandbox, marks it Ready, and finishes deletions.
 *
 *   bindPod ──► waitingTemplate ──(template in informer)──► exposing ──CREATE ok──► exposed
 *                    │                                        │  ▲ outage: retry      │
 *                    └─(template known deleted)─► dropped ◄───┘owner seen gone        │
 *                                                                  informer shows it ─┘─► evicted
 *
 * Server of `scheduler -> kubelet/<node>`. Assumes: one scheduler; sandboxes survive a
 * kubelet crash (the container runtime keeps them), not a node loss. Left out: image pulls,
 * probes, resource requests other than one pod slot.
 */

import type { Config } from '../types/config.js';
import type { NodeName, PodKey } from '../types/ids.js';
import { kubeletId } from '../types/ids.js';
import type { PodEntry } from '../types/messages.js';
import { toPodEntry } from '../types/messages.js';
import type { AppliedEvent } from '../types/observation.js';
import { createPodOn, type Outcome, requestOn, updateOn, withoutPod } from '../world/api.js';
import type { ServerRole } from '../world/session.js';
import type { HeldPod, InformerView, KubeletState, LinkState, WorldState } from '../world/state.js';
import {
  cacheKey,
  isServing,
  ownerKnownGone,
  ownerSeenGone,
  type Step,
  step,
  templateOf,
  withAdmitted,
  withEntry,
  withoutEntries,
} from './common.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────
// Its state, `KubeletState`, is in spec/world/state.ts with the world's other parts.

const kubelet = (state: WorldState, node: NodeName): KubeletState => {
  const k = state.kubelets[node];
  if (!k) throw new Error(`no kubelet on ${node}`);
  return k;
};

/** `state` with the kubelet `k` in place of the one on its node. */
const withKubelet = (state: WorldState, k: KubeletState): WorldState =>
  k === state.kubelets[k.node] ? state : { ...state, kubelets: { ...state.kubelets, [k.node]: k } };

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

/** Every action this kubelet can take in `state`. */
export const kubeletSteps = (state: WorldState, node: NodeName, cfg: Config): Step[] => {
  const k = state.kubelets[node];
  if (!k?.alive || !isServing(k)) return [];
  const actor = kubeletId(node);
  const steps: Step[] = [];
  for (const [ck, held] of Object.entries(k.bound)) {
    if (held.state === 'waitingTemplate' && templateOf(k.view, held.ownerUid)) {
      steps.push(step(actor, `materialise ${held.key}`, (s) => materialise(s, node, ck)));
    }
    if (held.state === 'exposing')
      steps.push(
        step(actor, `expose ${held.key}`, (s, c, events) => expose(s, c, events, node, ck)),
      );
  }
  steps.push(...podSteps(state, k, actor, cfg));
  return steps;
};

const materialise = (state: WorldState, node: NodeName, ck: string): WorldState => {
  const k = kubelet(state, node);
  const held = k.bound[ck];
  const template = held && templateOf(k.view, held.ownerUid);
  if (!held || !template) return state;
  const materialised: HeldPod = {
    ...held,
    state: 'exposing',
    templateHash: template.templateHash,
  };
  return withKubelet(state, { ...k, bound: withEntry(k.bound, ck, materialised) });
};

const expose = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  node: NodeName,
  ck: string,
): WorldState => {
  const k = kubelet(state, node);
  const held = k.bound[ck];
  if (!held) return state;
  const req = {
    actor: kubeletId(node),
    verb: 'create',
    resource: 'pod',
    key: held.key,
    retry: held.failed,
  } as const;
  const pod = {
    key: held.key,
    ownerKey: held.ownerKey,
    ownerUid: held.ownerUid,
    templateHash: held.templateHash,
    nodeName: node,
  };
  const seenGone = ownerSeenGone(k.view, held);
  // Best effort (switch exposeChecksOwner): the API would accept the orphan, so the kubelet
  // looks at its own informer first and drops the entry if it shows the owner gone.
  if (seenGone && cfg.switches.exposeChecksOwner) {
    const bound = withoutEntries(k.bound, (_, key) => key === ck);
    return withKubelet(state, { ...k, bound });
  }
  const evidence = seenGone ? { ...req, ownerSeenGone: true as const } : req;
  const { api, outcome } = requestOn(state.api, events, evidence, () =>
    createPodOn(state.api, pod),
  );
  return withKubelet({ ...state, api }, exposed(k, ck, held, outcome));
};

/** The kubelet as an expose with this outcome leaves it. */
const exposed = (k: KubeletState, ck: string, held: HeldPod, outcome: Outcome): KubeletState => {
  if (outcome === 'outage') {
    if (held.failed) return k;
    return { ...k, bound: withEntry(k.bound, ck, { ...held, failed: true }) };
  }
  const bound = withEntry(k.bound, ck, { ...held, state: 'exposed', failed: false });
  if (outcome !== 'ok') return { ...k, bound };
  const tombstones = withEntry(k.tombstones, ck, true);
  const sandbox = { ownerUid: held.ownerUid, templateHash: held.templateHash };
  return { ...k, bound, tombstones, sandboxes: withEntry(k.sandboxes, held.key, sandbox) };
};

/** Level-triggered work on pods the informer shows on this node, and on leaked sandboxes. */
const podSteps = (state: WorldState, k: KubeletState, actor: string, cfg: Config): Step[] => {
  const steps: Step[] = [];
  const node = k.node;
  for (const pod of Object.values(k.view.objects.pods)) {
    if (pod.nodeName !== node) continue;
    const running = k.sandboxes[pod.key] !== undefined;
    const inApi = state.api.pods[pod.key] !== undefined;
    if (pod.deleting && (running || inApi)) {
      steps.push(
        step(actor, `terminate ${pod.key}`, (s, c, events) =>
          terminate(s, c, events, node, pod.key),
        ),
      );
    } else if (!pod.deleting && !running) {
      steps.push(step(actor, `start ${pod.key}`, (s) => startSandbox(s, node, pod.key)));
    } else if (
      cfg.switches.markReady &&
      !pod.deleting &&
      running &&
      !pod.ready &&
      !state.api.pods[pod.key]?.ready
    ) {
      steps.push(
        step(actor, `ready ${pod.key}`, (s, c, events) => markReady(s, c, events, node, pod.key)),
      );
    }
  }
  for (const key of Object.keys(k.sandboxes)) {
    const held = Object.values(k.bound).some((b) => b.key === key);
    if (!held && !k.view.objects.pods[key]) {
      steps.push(step(actor, `kill ${key}`, (s) => killSandbox(s, node, key)));
    }
  }
  return steps;
};

const startSandbox = (state: WorldState, node: NodeName, key: PodKey): WorldState => {
  const k = kubelet(state, node);
  const pod = k.view.objects.pods[key];
  if (!pod) return state;
  const sandbox = { ownerUid: pod.ownerUid, templateHash: pod.templateHash };
  return withKubelet(state, { ...k, sandboxes: withEntry(k.sandboxes, key, sandbox) });
};

/** `k` without the sandbox of `key` (the record itself when it runs none). */
const withoutSandbox = (k: KubeletState, key: PodKey): KubeletState => {
  const sandboxes = withoutEntries(k.sandboxes, (_, running) => running === key);
  return sandboxes === k.sandboxes ? k : { ...k, sandboxes };
};

const killSandbox = (state: WorldState, node: NodeName, key: PodKey): WorldState =>
  withKubelet(state, withoutSandbox(kubelet(state, node), key));

/** Marks a running pod Ready: a status patch, or (mutant) a write of the in-memory copy. */
const markReady = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  node: NodeName,
  key: PodKey,
): WorldState => {
  const seen = state.kubelets[node]?.view.objects.pods[key];
  if (!seen) return state;
  const verb = cfg.switches.statusPatchOnly ? 'patch' : 'update';
  const { api } = requestOn(
    state.api,
    events,
    { actor: kubeletId(node), verb, resource: 'pod', key },
    () =>
      updateOn(state.api, 'pods', key, (live) =>
        cfg.switches.statusPatchOnly ? { ...live, ready: true } : { ...seen, ready: true },
      ),
  );
  return { ...state, api };
};

/** Stops the sandbox of a pod marked for deletion and removes the object. */
const terminate = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  node: NodeName,
  key: PodKey,
): WorldState => {
  const k = kubelet(state, node);
  const stopped = withKubelet(state, cfg.switches.stopBeforeRemove ? withoutSandbox(k, key) : k);
  const { api, outcome } = requestOn(
    state.api,
    events,
    { actor: kubeletId(node), verb: 'delete', resource: 'pod', key },
    () => ({ api: state.api, outcome: state.api.pods[key] ? 'ok' : 'notFound' }),
  );
  return outcome === 'ok' ? withoutPod(stopped, key) : { ...stopped, api };
};

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/**
 * Informer delivery (`k` holds the new view): evict what is now persisted, drop entries whose
 * template was deleted. On the plain state, as every delivery.
 */
export const onKubeletSync = (cfg: Config, k: KubeletState): KubeletState => {
  const bound = withoutEntries(k.bound, (held) => {
    const persisted = k.view.objects.pods[held.key];
    if (persisted && cfg.switches.evictOnPersist) return true;
    if (persisted?.deleting) return true;
    return !persisted && held.state !== 'exposed' && orphaned(cfg, k.view, held);
  });
  return bound === k.bound ? k : { ...k, bound };
};

const orphaned = (cfg: Config, view: InformerView, held: HeldPod): boolean =>
  cfg.switches.dropOrphanedEntries && ownerKnownGone(view, held.ownerUid, held.templateRv);

// ── Server end ───────────────────────────────────────────────────────────────────────────────

export const kubeletServer: ServerRole = {
  snapshot: (state, cfg, link) =>
    Object.values(state.kubelets[nodeOfLink(link)]?.bound ?? {})
      // Mutant `snapshot-skips-exposing`: pods whose CREATE is not yet accepted are left out.
      .filter((held) => cfg.switches.snapshotExposing || held.state !== 'exposing')
      .map(toPodEntry),
  apply: (server, cfg, events, message) => {
    const k = server as KubeletState;
    if (message.type === 'kubelet.bindPod') return withBound(cfg, k, events, [message.entry]);
    if (!('entries' in message)) return k;
    const discarded = new Set(message.discard.map((key) => cacheKey(cfg, key)));
    const bound = withoutEntries(k.bound, (_, ck) => discarded.has(ck));
    const entries = message.entries.filter((e): e is PodEntry => e.kind === 'pod');
    return withBound(cfg, bound === k.bound ? k : { ...k, bound }, events, entries);
  },
};

const nodeOfLink = (link: LinkState): NodeName => link.server.slice('kubelet/'.length);

/** Binds (or round-2 re-sends) arrive: each pod held unless it is known already. */
const withBound = (
  cfg: Config,
  k: KubeletState,
  events: AppliedEvent[],
  entries: readonly PodEntry[],
): KubeletState => {
  const bound = withAdmitted(k.bound, entries, (entry, held): [string, HeldPod] | null => {
    const ck = cacheKey(cfg, entry.key);
    if (held[ck]) return null;
    if (cfg.switches.kubeletTombstones && k.tombstones[ck]) return null;
    if (k.view.objects.pods[entry.key]) return null; // API precedence: a persisted copy wins
    // The template is known deleted (the informer passed its creation and no longer shows it).
    if (
      cfg.switches.dropOrphanedEntries &&
      ownerKnownGone(k.view, entry.ownerUid, entry.templateRv)
    )
      return null;
    const template = templateOf(k.view, entry.ownerUid);
    if (!template) events.push({ kind: 'bindBeforeTemplate', node: k.node, pod: entry.key });
    const materialise = template !== undefined || !cfg.switches.exposeRequiresTemplate;
    const state = materialise ? 'exposing' : 'waitingTemplate';
    const templateHash = template?.templateHash ?? '';
    return [ck, { ...entry, node: k.node, state, templateHash, failed: false }];
  });
  return bound === k.bound ? k : { ...k, bound };
};
