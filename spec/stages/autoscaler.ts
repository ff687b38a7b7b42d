/**
 * Autoscaler: turns load into a desired replica count per function. The load itself is the
 * environment's choice (`WorldState.load`).
 *
 * `autoscalerLink: 'api'` (the artifact's hop): it writes `Deployment.spec.replicas`
 * whenever this incarnation has not yet written the current count; a restarted one rewrites
 * it (an update to the same value is a no-op), so it needs no informer. (The implementation
 * also writes again when its informer shows a later write to another count: there a crashed
 * incarnation's write may land late. Here a request lands in the step that sends it.)
 *
 *   load changes ──► UPDATE Deployment.spec.replicas
 *
 * `autoscalerLink: 'direct'` (ours): client of `autoscaler -> deployment`. It sends
 * `deployment.scale` with the count and a fresh version (`mintScaleVersion`: newest wins)
 * and holds the count until it knows it written back. It has no informer: round 2 reads the
 * Deployment from the API (a GET), drops what is written back and re-sends the rest that the
 * Deployment controller did not report. As on every link, the client first reads the API's
 * resourceVersion and waits for its (empty) informer to pass it (`session.ts`), and its own
 * re-check timer starts a new handshake while it holds a count (`dirtyOn` in roles.ts): it
 * cannot see a write-back any other way.
 *
 *   load changes ──deployment.scale(n, v)──► held ──(round 2 reads it written back)──► evicted
 */
import type { ObjectKey } from '../types/ids.js';
import { linkId } from '../types/ids.js';
import { type CountEntry, mintScaleVersion } from '../types/messages.js';
import type { AppliedEvent } from '../types/observation.js';
import { requestOn, updateOn } from '../world/api.js';
import { withSent } from '../world/net.js';
import { type ClientRole, type ClientRound2, emptyRound2 } from '../world/session.js';
import type { WorldState } from '../world/state.js';
import { editRecord, isServing, type Step, step, withEntry } from './common.js';

const TO_DEPLOYMENT = linkId('autoscaler', 'deployment');

// ── Memory ───────────────────────────────────────────────────────────────────────────────────
// Its state, `AutoscalerState`, is in spec/world/state.ts with the world's other parts.

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

export const autoscalerSteps = (state: WorldState): Step[] => {
  const a = state.autoscaler;
  if (!isServing(a)) return [];
  const link = state.links[TO_DEPLOYMENT];
  const steps: Step[] = [];
  for (const [key, desired] of Object.entries(state.load)) {
    if (a.written[key] === desired) continue;
    if (!link) {
      steps.push(
        step('autoscaler', `scale ${key} ${desired}`, (s, _, events) =>
          writeScale(s, events, key, desired),
        ),
      );
    } else if (link.phase === 'connected') {
      steps.push(step('autoscaler', `scale ${key} ${desired}`, (s) => sendScale(s, key, desired)));
    }
  }
  return steps;
};

const writeScale = (
  state: WorldState,
  events: AppliedEvent[],
  key: ObjectKey,
  replicas: number,
): WorldState => {
  const { api, outcome } = requestOn(
    state.api,
    events,
    { actor: 'autoscaler', verb: 'update', resource: 'deployment', key },
    () =>
      updateOn(state.api, 'deployments', key, (deployment) => ({
        ...deployment,
        replicas,
        generation: deployment.generation + 1,
      })),
  );
  if (outcome !== 'ok' && outcome !== 'notFound') return { ...state, api };
  const a = state.autoscaler;
  return { ...state, api, autoscaler: { ...a, written: withEntry(a.written, key, replicas) } };
};

/** The direct hop: a fresh version per count sent, held until known written back. */
const sendScale = (state: WorldState, key: ObjectKey, replicas: number): WorldState => {
  const a = state.autoscaler;
  const link = state.links[TO_DEPLOYMENT];
  if (!link?.epoch) return state;
  const versions = a.versions + 1;
  const entry: CountEntry = {
    kind: 'count',
    key,
    replicas,
    version: mintScaleVersion(a.incarnation, versions),
  };
  const autoscaler = {
    ...a,
    versions,
    written: withEntry(a.written, key, replicas),
    held: withEntry(a.held, key, { ...entry, written: false }),
  };
  return withSent(
    { ...state, autoscaler },
    {
      type: 'deployment.scale',
      source: 'autoscaler',
      destination: 'deployment',
      epoch: link.epoch,
      entry,
    },
  );
};

// ── Client end ───────────────────────────────────────────────────────────────────────────────

/**
 * Round 2 towards the Deployment controller. Held counts it reports (at their version or
 * newer) stay held. The others are read from the API (the autoscaler has no informer, so
 * this is a quorum read whatever `round2Read` says): written back ones are dropped, the
 * rest were lost and are re-sent. Nothing is adopted: a count the controller holds and this
 * incarnation does not is older than any this incarnation sends (`mintScaleVersion`).
 */
export const autoscalerClient: ClientRole = {
  round2: (state, _cfg, _link, snapshot): ClientRound2 => {
    const a = state.autoscaler;
    const r = emptyRound2();
    const held = editRecord(a.held);
    const reported = new Map<string, number>();
    for (const e of snapshot) if (e.kind === 'count') reported.set(e.key, e.version);
    for (const key of Object.keys(a.held).sort()) {
      const count = held.current[key];
      if (!count || (reported.get(key) ?? -1) >= count.version) continue;
      const { written: _w, ...entry } = count;
      if (writtenBack(state, entry)) held.remove(key);
      else {
        r.entries.push(entry);
        r.resent.push(key);
      }
    }
    const client = held.current === a.held ? a : { ...a, held: held.current };
    return { round2: r, client };
  },
};

/** Written back: the Deployment shows this version (or a newer one), or is gone. */
const writtenBack = (state: WorldState, held: CountEntry): boolean => {
  const deployment = state.api.deployments[held.key];
  return !deployment || deployment.replicasVersion >= held.version;
};

/**
 * Held counts the API shows written back (or whose Deployment is gone): what round 2's GETs
 * would find, as `dirtyOn`'s keys. Only the explorer's re-check reduction reads it
 * (`handshakeInputs` in roles.ts), as it reads the API for the other links' entries.
 */
export const autoscalerWrittenBack = (state: WorldState): string[] =>
  Object.values(state.autoscaler.held)
    .filter((held) => {
      const persisted = state.api.deployments[held.key];
      return !persisted || persisted.replicasVersion >= held.version;
    })
    .map((held) => `${held.key}@${held.version}`);
