/**
 * Sessions of the direct links (protocol.md §4–§5), generic over what the entries are.
 *
 * Client (upstream)                       Server (downstream, one epoch per source)
 *   disconnected --handshake(E)-->          install E (the fence), snapshot S_D
 *   handshaking  <--handshakeReply(E,S_D)--
 *   read the API's resourceVersion, wait for the informer to pass it (model-decisions §1)
 *   round 2: adopt / re-send / discard
 *   syncing      --sync(E, entries)-->      apply by identity
 *   connected    <--syncAck(E)--
 *
 * A data message is applied iff its epoch equals the server's current epoch for its source;
 * otherwise the server answers epochMismatch and the client re-handshakes. With
 * `fence: exclusive` admission and application are one step; with `fence: none` they are two,
 * and a handshake may fall between them.
 */
import type { Config } from '../types/config.js';
import type { Epoch, LinkId } from '../types/ids.js';
import { epochIsOlder, mintEpoch, sameIncarnation, stageKindOf } from '../types/ids.js';
import type { DataMessage, EpochMismatch, LinkEntry, Message, Sync } from '../types/messages.js';
import { entryKeysOf, isSync } from '../types/messages.js';
import type { AppliedEvent } from '../types/observation.js';
import { withSent } from './net.js';
import type { LinkState, StageCore, WorldState } from './state.js';

/** What a stage does as the server of a link. */
export interface ServerRole {
  /** Dirty entries that came from this link's client. */
  snapshot(state: WorldState, cfg: Config, link: LinkState): LinkEntry[];
  /** The server with a data message's or a sync's entries applied, by identity. */
  apply(
    server: StageCore,
    cfg: Config,
    events: AppliedEvent[],
    message: DataMessage | Sync,
  ): StageCore;
}

/** Round 2 as a client computes it from the server's snapshot. */
export interface Round2 {
  readonly entries: LinkEntry[];
  readonly discard: string[];
  readonly adopted: string[];
  readonly resent: string[];
  readonly recreated: string[];
  readonly forgotten: string[];
}

export const emptyRound2 = (): Round2 => ({
  entries: [],
  discard: [],
  adopted: [],
  resent: [],
  recreated: [],
  forgotten: [],
});

/** Round 2 as a client makes it: what it sends and discards, and its memory afterwards. */
export interface ClientRound2 {
  readonly round2: Round2;
  /** The client as round 2 leaves it (the same object when it changed nothing). */
  readonly client: StageCore;
}

export interface ClientRole {
  round2(
    state: WorldState,
    cfg: Config,
    link: LinkState,
    snapshot: readonly LinkEntry[],
  ): ClientRound2;
}

export interface Roles {
  server(link: LinkState): ServerRole;
  client(link: LinkState): ClientRole;
  core(state: WorldState, stage: LinkState['client']): StageCore;
  /** The world with `core` in place of the stage of its id (plain objects). */
  withCore(state: WorldState, core: StageCore): WorldState;
  /**
   * What a handshake on this link decides from (`LinkState.checked`): the snapshot it
   * received (by default, what the server would report now) and the client's own state.
   */
  checked(state: WorldState, cfg: Config, link: LinkState, received?: readonly LinkEntry[]): string;
}

/**
 * `state` with `link` in place of the link of its id. Session steps change a link, put a
 * message in flight and, at a server or (round 2) a client, its stage.
 */
export const withLink = (state: WorldState, link: LinkState): WorldState => ({
  ...state,
  links: { ...state.links, [link.id]: link },
});

/** The client mints a fresh epoch and starts round 1. */
export const startHandshake = (
  state: WorldState,
  cfg: Config,
  roles: Roles,
  id: LinkId,
): WorldState => {
  const link = state.links[id];
  if (!link) return state;
  const core = roles.core(state, link.client);
  // Mutant `epoch-counter-resets`: a link that reconnects starts the counter again.
  const reconnect = link.phase === 'disconnected' && link.epoch !== null;
  const epochs = (reconnect && !cfg.switches.epochCounterPerIncarnation ? 0 : core.epochs) + 1;
  const epoch = mintEpoch(link.client, core.incarnation, epochs);
  const started: LinkState = { ...link, epoch, phase: 'handshaking', round2: null, checked: null };
  return withSent(roles.withCore(withLink(state, started), { ...core, epochs }), {
    type: `${stageKindOf(link.server)}.handshake`,
    source: link.client,
    destination: link.server,
    epoch,
  });
};

export const onHandshake = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  roles: Roles,
  link: LinkState,
  epoch: Epoch,
): WorldState => {
  // A handshake that arrives after a newer one from the same source must not move the
  // server back to the older epoch: the client is already on the newer one, and neither
  // end would notice the mismatch until the client has data to send.
  if (
    cfg.switches.monotoneEpochs &&
    link.serverEpoch !== null &&
    epochIsOlder(epoch, link.serverEpoch)
  )
    return state;
  const installed: LinkState = { ...link, serverEpoch: epoch };
  const snapshot = roles.server(installed).snapshot(state, cfg, installed);
  const keys = snapshot.map((e) => e.key);
  const pending = link.admitted.flatMap((m) => entryKeysOf(m));
  events.push({
    kind: 'handshake',
    link: link.id,
    epoch,
    snapshot: keys,
    unfinished: [...keys, ...pending],
  });
  return withSent(withLink(state, installed), {
    type: `${stageKindOf(link.client)}.handshakeReply`,
    source: link.server,
    destination: link.client,
    epoch,
    snapshot,
  });
};

export const onHandshakeReply = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  roles: Roles,
  link: LinkState,
  epoch: Epoch,
  snapshot: readonly LinkEntry[],
): WorldState => {
  const epochOk = epoch === link.epoch || !cfg.switches.clientReplyCheck;
  const accepted = link.phase === 'handshaking' && epochOk && link.round2 === null;
  events.push({ kind: 'reply', link: link.id, epoch, clientEpoch: link.epoch, accepted });
  if (!accepted || link.epoch === null) return state;
  if (cfg.switches.round2 === 'none') {
    const checked = roles.checked(state, cfg, link, snapshot);
    return withLink(state, { ...link, checked, phase: 'connected' });
  }
  const pending = withLink(state, { ...link, round2: { snapshot, freshness: 'read' } });
  return state.api.up ? readResourceVersion(pending, cfg, events, roles, link.id) : pending;
};

/**
 * The client reads the API's current resourceVersion (a consistent read: it needs the API
 * up; during an outage it is a step of its own once the API is back). If its informer is
 * already there, round 2 runs with the answer, as the implementation runs it in the step
 * that answers the read; otherwise the client waits for a delivery.
 */
export const readResourceVersion = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  roles: Roles,
  id: LinkId,
): WorldState => {
  const link = state.links[id];
  if (link?.round2?.freshness !== 'read') return state;
  const fresh = roles.core(state, link.client).view.rv >= state.api.rv;
  const waiting = withLink(state, { ...link, round2: { ...link.round2, freshness: 'wait' } });
  return fresh ? runRound2(waiting, cfg, events, roles, id) : waiting;
};

/** The client's informer delivered: every round 2 it was waiting for runs in this step. */
export const informerCaughtUp = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  roles: Roles,
  client: LinkState['client'],
): WorldState => {
  let out = state;
  for (const id in state.links) {
    if (state.links[id]?.client !== client) continue;
    if (out.links[id]?.round2?.freshness === 'wait') out = runRound2(out, cfg, events, roles, id);
  }
  return out;
};

/** Round 2, once the client's informer is fresh: adopt, re-send, discard, then sync. */
const runRound2 = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  roles: Roles,
  id: string,
): WorldState => {
  const link = state.links[id];
  const pending = link?.round2;
  if (!link || !pending || link.epoch === null) return state;
  const snapshot = pending.snapshot;
  // Taken before round 2 changes the client: the inputs this round 2 decides from.
  const before = roles.checked(state, cfg, link, snapshot);
  const { round2: r, client } = roles.client(link).round2(state, cfg, link, snapshot);
  const after = client === roles.core(state, link.client) ? state : roles.withCore(state, client);
  const { adopted, resent, recreated, forgotten } = r;
  // The snapshot may be stale by now (what it reported may since have been persisted and
  // deleted): adopted entries are dirty like any other, so a re-check re-validates them. The
  // injected defect treats them as checked already, as a client that disarms its re-check
  // timer on connecting would.
  const checked =
    adopted.length > 0 && !cfg.switches.revalidateAdopted
      ? roles.checked(after, cfg, link)
      : before;
  events.push({
    kind: 'sync',
    link: link.id,
    epoch: link.epoch,
    adopted,
    resent,
    recreated,
    forgotten,
    discarded: r.discard,
  });
  const syncing: LinkState = { ...link, round2: null, checked, phase: 'syncing' };
  return withSent(withLink(after, syncing), {
    type: `${stageKindOf(link.server)}.sync`,
    source: link.client,
    destination: link.server,
    epoch: link.epoch,
    entries: r.entries,
    discard: r.discard,
  });
};

const mismatch = (state: WorldState, message: Message): WorldState => {
  const reply: EpochMismatch = {
    type: `${stageKindOf(message.source)}.epochMismatch`,
    source: message.destination,
    destination: message.source,
    epoch: message.epoch,
    refused: message.type,
  };
  return withSent(state, reply);
};

/** Admission of a data message or a sync at the server. */
export const onData = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  roles: Roles,
  link: LinkState,
  message: DataMessage | Sync,
): WorldState => {
  const current = link.serverEpoch;
  const matches =
    current !== null &&
    (message.epoch === current ||
      // Mutant `incarnation-only-fence`: only the client incarnation is compared.
      (!cfg.switches.fenceWholeEpoch && sameIncarnation(message.epoch, current)));
  const admitted = current !== null && (matches || !cfg.switches.serverEpochCheck);
  const entries = entryKeysOf(message);
  events.push({
    kind: 'admit',
    link: link.id,
    message: message.type,
    epoch: message.epoch,
    serverEpochAtAdmission: link.serverEpoch,
    admitted,
    entries,
  });
  if (!admitted) return mismatch(state, message);
  if (cfg.switches.fence === 'none' && !isSync(message))
    return withLink(state, { ...link, admitted: [...link.admitted, message] });
  return applyAdmitted(state, cfg, events, roles, link, message);
};

/** Second half of admission: the entries enter the server's cache. */
export const applyAdmitted = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  roles: Roles,
  link: LinkState,
  message: DataMessage | Sync,
): WorldState => {
  events.push({
    kind: 'apply',
    link: link.id,
    message: message.type,
    epoch: message.epoch,
    serverEpochAtApply: link.serverEpoch,
    entries: entryKeysOf(message),
  });
  const server = roles.core(state, link.server);
  const applied = roles.server(link).apply(server, cfg, events, message);
  const next = applied === server ? state : roles.withCore(state, applied);
  if (!isSync(message)) return next;
  return withSent(next, {
    type: `${stageKindOf(link.client)}.syncAck`,
    source: link.server,
    destination: link.client,
    epoch: message.epoch,
  });
};

export const onSyncAck = (state: WorldState, link: LinkState, epoch: Epoch): WorldState =>
  link.phase === 'syncing' && link.epoch === epoch
    ? withLink(state, { ...link, phase: 'connected' })
    : state;

export const onEpochMismatch = (state: WorldState, link: LinkState, epoch: Epoch): WorldState =>
  link.epoch === epoch && (link.phase === 'connected' || link.phase === 'syncing')
    ? withLink(state, { ...link, phase: 'disconnected' })
    : state;
