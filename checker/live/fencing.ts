/**
 * `epoch-fencing` on a live run, judged event by event as the records arrive rather than on
 * cuts: many steps happen between two cuts, and a handshake after an admission would make
 * the admission look unfenced. A server's handshake replies and its admissions come over
 * its process's one channel in the order it made them, so when an admission arrives, the
 * epoch the server last installed for that link is the one its last reply carried (the
 * runtime's record, as the sim's ghost keeps it from the wire), provided that reply came
 * from the same incarnation. The catalogue's own property judges each admission, on an
 * observation of just what it reads: the server, the ghost's installed epochs, the event.
 */

import type { LiveRecorder } from '../../impl/runtime/live/cluster/cluster.js';
import type { Violation } from '../../properties/catalogue.js';
import { epochFencing } from '../../properties/safety/sessions.js';
import { type Epoch, type LinkId, type StageId, stageKindOf } from '../../spec/types/ids.js';
import type { AppliedEvent, InstalledEpoch, Observation } from '../../spec/types/observation.js';

export class FencingJudge implements LiveRecorder {
  private readonly installed: Partial<Record<LinkId, InstalledEpoch>> = {};
  readonly violations: Violation[] = [];
  /** Admissions judged, so that a run can show the judge was exercised. */
  admissions = 0;

  reply(link: LinkId, epoch: Epoch, incarnation: number): void {
    this.installed[link] = { epoch, serverIncarnation: incarnation };
  }

  handshake(): void {}

  applied(stage: StageId, event: AppliedEvent, incarnation: number): void {
    if (event.kind !== 'admit' || !event.admitted) return;
    this.admissions += 1;
    const after = observationOf(stage, incarnation, { ...this.installed }, event);
    const verdict = epochFencing.check(after, after);
    if (!verdict.ok) this.violations.push({ name: epochFencing.name, message: verdict.message });
  }
}

const observationOf = (
  server: StageId,
  incarnation: number,
  installedEpochs: Partial<Record<LinkId, InstalledEpoch>>,
  event: AppliedEvent,
): Observation => ({
  step: 0,
  api: { deployments: {}, replicaSets: {}, templatePods: {}, pods: {}, nodes: {}, up: true, rv: 0 },
  stages: [
    {
      id: server,
      kind: stageKindOf(server),
      up: true,
      incarnation,
      phase: 'serving',
      dirty: [],
      informerRv: 0,
    },
  ],
  kubelets: [],
  links: [],
  desired: {},
  overshootSlack: 0,
  ghost: {
    deletedPods: new Set(),
    rsTemplates: {},
    recentDesiredMax: {},
    installedEpochs,
    handshakeEpochs: {},
    readyFloor: {},
  },
  events: [event],
});
