/**
 * Liveness of the direct links: `sessions-connect` (every link connected, both ends on the
 * same epoch), checked on one state once faults have stopped.
 */
import type { Observation } from '../../spec/types/observation.js';
import { type EventuallyProperty, fail, OK, type Verdict } from '../../spec/types/property.js';
import { isDeadKubelet } from '../safety/shared.js';

const checkSessions = (obs: Observation): Verdict => {
  for (const link of obs.links) {
    // A lost node never comes back, so its links are not expected to reconnect.
    if (isDeadKubelet(obs, link.client) || isDeadKubelet(obs, link.server)) continue;
    if (link.clientPhase !== 'connected') {
      return fail(`link ${link.id} is ${link.clientPhase}, not connected`);
    }
    if (link.clientEpoch === null || link.clientEpoch !== link.serverEpoch) {
      return fail(
        `link ${link.id} is connected but the client is on epoch ${link.clientEpoch ?? 'none'} and the server on ${link.serverEpoch ?? 'none'}`,
      );
    }
  }
  return OK;
};

export const sessionsConnect: EventuallyProperty = {
  name: 'sessions-connect',
  kind: 'eventually',
  statement: 'every link is connected, both ends on the same epoch',
  check: checkSessions,
};
