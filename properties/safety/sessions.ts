/**
 * Sessions and the fence (protocol.md §4): `epoch-fencing` (a data message is applied only
 * under the server's current epoch for its source) and `snapshot-complete` (the handshake
 * snapshot misses nothing that the old epoch admitted and did not persist).
 *
 * Both read the step's applied events, which the world reports as ghost data.
 */
import type { Observation } from '../../spec/types/observation.js';
import { fail, OK, type StepProperty, type Verdict } from '../../spec/types/property.js';

const checkFencing = (_before: Observation, after: Observation): Verdict => {
  for (const event of after.events) {
    if (event.kind !== 'admit' || !event.admitted) continue;
    if (event.epoch !== event.serverEpochAtAdmission) {
      return fail(
        `${event.message} on ${event.link} was admitted under epoch ${event.epoch} while the server's epoch was ${event.serverEpochAtAdmission ?? 'none'}`,
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
 * Events carry only entry keys, so "persisted" is judged for pod keys alone: the pod is in
 * the API, or it was there and has since been deleted (persisted, then removed). A count
 * entry is never judged persisted: its key names a Deployment or ReplicaSet whose replicas
 * the event does not carry, so a missing count must be in the snapshot.
 */
const isPersisted = (after: Observation, key: string): boolean =>
  after.api.pods[key] !== undefined || after.ghost.deletedPods[key] === true;

const checkSnapshot = (_before: Observation, after: Observation): Verdict => {
  for (const event of after.events) {
    if (event.kind === 'handshake') {
      for (const key of event.unfinished) {
        if (event.snapshot.includes(key) || isPersisted(after, key)) continue;
        return fail(
          `handshake ${event.epoch} on ${event.link}: entry ${key} was admitted under an earlier epoch, is not persisted and is missing from the snapshot`,
        );
      }
    } else if (event.kind === 'apply' && event.serverEpochAtApply !== event.epoch) {
      // Admitted under the old epoch but landed after the fence: the snapshot could not see it.
      return fail(
        `${event.message} on ${event.link} (epoch ${event.epoch}) applied ${event.entries.join(', ')} after the server moved to epoch ${event.serverEpochAtApply ?? 'none'}`,
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
