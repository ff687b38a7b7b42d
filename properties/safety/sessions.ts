/**
 * Sessions and the fence (protocol.md §4): `epoch-fencing` (a data message is applied only
 * under the server's current epoch for its source), `snapshot-complete` (the handshake
 * snapshot misses nothing that the server holds from that source and that is not persisted)
 * and `handshake-epochs-increase` (each handshake on a link carries a newer epoch than every
 * earlier one).
 *
 * Each compares what a stage did (the epoch of the message it admitted, the keys of the
 * snapshot it sent) with records the stage does not keep: the ghost's log of the epoch each
 * server installed, read off the handshake replies it sent, and of the epochs the client's
 * handshakes carried; the server's memory as the world projects it; the API.
 */
import type { Epoch, LinkId, StageId } from '../../spec/types/ids.js';
import type { DirtyEntry, Observation } from '../../spec/types/observation.js';
import {
  type AlwaysProperty,
  fail,
  OK,
  type StepProperty,
  type Verdict,
} from '../../spec/types/property.js';
import { findStage } from './shared.js';

const endsOf = (link: LinkId): { client: StageId; server: StageId } => {
  const arrow = link.indexOf('->');
  return { client: link.slice(0, arrow) as StageId, server: link.slice(arrow + 2) as StageId };
};

/**
 * The epoch the link's server holds now, by the ghost: the one its last handshake reply
 * carried, provided that reply came from the server's current incarnation (a restarted
 * server holds none until it answers a handshake again).
 */
const installedEpoch = (obs: Observation, link: LinkId): Epoch | null => {
  const held = obs.ghost.installedEpochs[link];
  if (held === undefined) return null;
  const server = findStage(obs, endsOf(link).server);
  return server?.up && server.incarnation === held.serverIncarnation ? held.epoch : null;
};

const checkFencing = (_before: Observation, after: Observation): Verdict => {
  for (const event of after.events) {
    if (event.kind !== 'admit' || !event.admitted) continue;
    const current = installedEpoch(after, event.link);
    if (event.epoch !== current) {
      return fail(
        `${event.message} on ${event.link} was admitted under epoch ${event.epoch} while the server's last handshake reply installed ${current ?? 'none'}`,
      );
    }
  }
  return OK;
};

export const epochFencing: StepProperty = {
  name: 'epoch-fencing',
  kind: 'step',
  statement:
    "no data message is applied unless its epoch is the server's current one for its source",
  check: checkFencing,
};

/**
 * A held entry whose write-back is already done: a pod that is in the API or was and has
 * since been deleted; a count whose version the persisted ReplicaSet shows, or whose
 * ReplicaSet is gone.
 */
const isPersisted = (after: Observation, entry: DirtyEntry): boolean => {
  if (entry.kind === 'pod')
    return after.api.pods[entry.key] !== undefined || after.ghost.deletedPods.has(entry.key);
  const rs = after.api.replicaSets[entry.key];
  return rs === undefined || rs.replicasVersion >= entry.version;
};

/**
 * At a handshake, the server's memory (as the world projects it, not as the server's
 * snapshot code reports it) holds nothing from the link's client that is neither in the
 * snapshot nor persisted. A handshake changes no cache, so the memory after the step is the
 * memory the snapshot was taken from. An entry admitted under an old epoch that lands
 * after the fence (`fence: none`) is caught where it lands: its epoch is not the one the
 * server installed.
 */
const checkSnapshot = (_before: Observation, after: Observation): Verdict => {
  for (const event of after.events) {
    if (event.kind === 'handshake') {
      const { client, server } = endsOf(event.link);
      const held = findStage(after, server)?.dirty ?? [];
      for (const entry of held) {
        if (entry.source !== client || event.snapshot.includes(entry.key)) continue;
        if (isPersisted(after, entry)) continue;
        return fail(
          `handshake ${event.epoch} on ${event.link}: ${server} holds ${entry.key}${entry.kind === 'pod' ? ` (${entry.state})` : ''} from ${client}, not persisted and missing from the snapshot`,
        );
      }
    } else if (event.kind === 'apply') {
      const current = installedEpoch(after, event.link);
      if (event.epoch === current) continue;
      return fail(
        `${event.message} on ${event.link} (epoch ${event.epoch}) applied ${event.entries.join(', ')} after the server's last handshake reply installed ${current ?? 'none'}`,
      );
    }
  }
  return OK;
};

export const snapshotComplete: StepProperty = {
  name: 'snapshot-complete',
  kind: 'step',
  statement:
    'every entry admitted under an old epoch is in the handshake snapshot or already persisted',
  check: checkSnapshot,
};

const checkEpochsIncrease = (obs: Observation): Verdict => {
  for (const [link, epochs] of Object.entries(obs.ghost.handshakeEpochs)) {
    if (epochs?.regressed == null) continue;
    return fail(
      `a handshake on ${link} carried epoch ${epochs.regressed}, not newer than the earlier ${epochs.newest}`,
    );
  }
  return OK;
};

export const handshakeEpochsIncrease: AlwaysProperty = {
  name: 'handshake-epochs-increase',
  kind: 'always',
  statement: 'on each link, every handshake carries an epoch newer than every earlier one',
  check: checkEpochsIncrease,
};
