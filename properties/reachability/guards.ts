/**
 * Reachability guards (protocol.md §9): each names a situation the hazards of §10 need, and
 * must be hit at least once over a campaign. A guard never hit means the safety properties
 * that depend on it passed vacuously.
 */
import type { AppliedEvent, Observation } from '../../spec/types/observation.js';
import type { SometimesProperty } from '../../spec/types/property.js';

/** Whether the step that produced `after` applied an event matching `test`. */
const applied = (after: Observation, test: (event: AppliedEvent) => boolean): boolean => {
  for (const event of after.events) if (test(event)) return true;
  return false;
};

export const round2Resends: SometimesProperty = {
  name: 'round2-resends',
  kind: 'sometimes',
  statement: 'a handshake re-sends an entry in round 2',
  hit: (_before, after) =>
    applied(
      after,
      (event) => event.kind === 'sync' && (event.resent.length > 0 || event.recreated.length > 0),
    ),
};

export const staleEpochRefused: SometimesProperty = {
  name: 'stale-epoch-refused',
  kind: 'sometimes',
  statement: 'a stale-epoch message is refused',
  hit: (_before, after) => applied(after, (event) => event.kind === 'admit' && !event.admitted),
};

export const adoptedFromSnapshot: SometimesProperty = {
  name: 'adopted-from-snapshot',
  kind: 'sometimes',
  statement: 'a pod is adopted from a downstream snapshot',
  hit: (_before, after) =>
    applied(after, (event) => event.kind === 'sync' && event.adopted.length > 0),
};

export const exposeRetriedAfterOutage: SometimesProperty = {
  name: 'expose-retried-after-outage',
  kind: 'sometimes',
  statement: 'an expose is retried after an API outage',
  hit: (_before, after) =>
    applied(
      after,
      (event) =>
        event.kind === 'api' &&
        event.verb === 'create' &&
        event.resource === 'pod' &&
        event.outcome === 'ok' &&
        event.retry,
    ),
};

export const bindRacesTemplate: SometimesProperty = {
  name: 'bind-races-template',
  kind: 'sometimes',
  statement: 'a bind races ahead of its template',
  hit: (_before, after) => applied(after, (event) => event.kind === 'bindBeforeTemplate'),
};
