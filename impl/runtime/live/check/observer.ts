/**
 * The `Observation` of a live cluster, for the property catalogue: built from a consistent
 * cut (`LiveCluster.cut`: every stage's report taken while the stages hold still, then the
 * API Server and the nodes' runtimes read in the supervisor's process before they move)
 * and from what the runtime recorded, never from a stage's word about anything but itself:
 *
 * - the API objects and resourceVersion, and the sandboxes of every node, read at the cut
 *   (the API from the supervisor's own process or over HTTP: api-source.ts);
 * - each stage's report (phase, write-back cache, informer resourceVersion, links); a stage
 *   whose process is down or restarting is `down`, its incarnation the supervisor's count
 *   of its process's starts (a leased stage's, from its Lease, as in the sim);
 * - the events the stages applied since the last cut (their `applied` effects, sent by the
 *   host as the sim's runtime records them);
 * - ghost history: pods deleted from the API and every ReplicaSet's template, from what the
 *   API source saw between cuts (api-source.ts); each link's handshake epochs, from the
 *   handshakes the runtime saw leave. The sim's `recentDesiredMax` and `readyFloor` need
 *   every request and message in flight, which a live runtime cannot see: the desired count
 *   stands in for the first (at quiescence, where nothing is in flight, it is exact) and
 *   the second is left empty (`deletes-only-surplus` is not judged live; chaos.ts says so).
 *
 * Messages in flight on a link are not known either: `inFlight` is 0.
 */
import { nextHandshakeEpochs } from '../../../../spec/types/ghost.js';
import {
  type Epoch,
  type LinkId,
  linkId,
  type StageId,
  stageKindOf,
} from '../../../../spec/types/ids.js';
import type {
  AppliedEvent,
  HandshakeEpochs,
  LinkObservation,
  Observation,
  StageObservation,
} from '../../../../spec/types/observation.js';
import { toApiObjects, toReplicaSetView } from '../../../k8s/index.js';
import type { StageReport } from '../../../stages/io.js';
import { GrowingKeys } from '../../ghost-keys.js';
import type { LiveCluster, LiveRecorder } from '../cluster/cluster.js';
import type { ApiCut, ApiSource } from './api-source.js';

/** The ghost's records, written in place as the runtime learns. */
interface MutableGhost {
  readonly deletedPods: GrowingKeys;
  readonly rsTemplates: Record<string, string>;
  readonly recentDesiredMax: Record<string, number>;
  readonly handshakeEpochs: { [link in LinkId]?: HandshakeEpochs };
}

export class LiveObserver implements LiveRecorder {
  private step = 0;
  private events: AppliedEvent[] = [];
  private readonly ghost: MutableGhost = {
    deletedPods: new GrowingKeys(),
    rsTemplates: {},
    recentDesiredMax: {},
    handshakeEpochs: {},
  };

  constructor(
    private readonly cluster: LiveCluster,
    private readonly api: ApiSource,
  ) {}

  applied(_stage: StageId, event: AppliedEvent): void {
    this.events.push(event);
  }

  /** Handshake replies are the fencing judge's (checker/live/fencing.ts), not a cut's. */
  reply(): void {}

  handshake(link: LinkId, epoch: Epoch): void {
    this.ghost.handshakeEpochs[link] = nextHandshakeEpochs(this.ghost.handshakeEpochs[link], epoch);
  }

  /**
   * The cluster now, with the events applied since the last observation; null when the
   * API could not be read at the cut (its process down), the events kept for the next.
   */
  async observe(): Promise<Observation | null> {
    const { status, read } = await this.cluster.cut(async () => {
      const api = await this.api.read();
      if (!api) return null;
      this.noteGhost(api);
      return {
        api: {
          ...toApiObjects(api.stored),
          up: api.up,
          rv: api.resourceVersion,
        },
        kubelets: this.cluster
          .sandboxes()
          .map(({ node, sandboxes }) => ({ node, nodeAlive: true, sandboxes })),
        events: this.events.splice(0),
      };
    });
    if (!read) return null;
    const { reports } = status;
    this.step += 1;
    const desired = this.cluster.loads();
    for (const rs of Object.values(read.api.replicaSets)) {
      const deployment = Object.values(read.api.deployments).find((d) => d.uid === rs.ownerUid);
      const current = deployment?.templateHash === rs.templateHash;
      this.ghost.recentDesiredMax[rs.key] =
        current && deployment ? (desired[deployment.key] ?? 0) : 0;
    }
    return {
      step: this.step,
      api: read.api,
      stages: this.stageIds().map((id) => this.stageObservation(id, reports.get(id))),
      kubelets: read.kubelets,
      links: this.links(reports),
      desired,
      overshootSlack: 0,
      ghost: {
        deletedPods: this.ghost.deletedPods.now(),
        rsTemplates: { ...this.ghost.rsTemplates },
        recentDesiredMax: { ...this.ghost.recentDesiredMax },
        installedEpochs: {},
        handshakeEpochs: { ...this.ghost.handshakeEpochs },
        readyFloor: {},
      },
      events: read.events,
    };
  }

  close(): void {
    this.api.close();
  }

  private stageIds(): StageId[] {
    return Object.keys(this.cluster.book) as StageId[];
  }

  private stageObservation(id: StageId, report: StageReport | undefined): StageObservation {
    return {
      id,
      kind: stageKindOf(id),
      up: report !== undefined,
      incarnation: report?.incarnation ?? this.cluster.startsOf(id),
      phase: report?.phase ?? 'down',
      dirty: report?.dirty ?? [],
      informerRv: report?.informerRv ?? 0,
    };
  }

  private links(reports: ReadonlyMap<StageId, StageReport>): LinkObservation[] {
    return this.stageIds().flatMap((client) =>
      this.cluster.downstreamOf(client).map((server): LinkObservation => {
        const end = reports.get(client)?.clients.find((c) => c.server === server);
        return {
          id: linkId(client, server),
          client,
          server,
          clientPhase: end?.phase ?? 'disconnected',
          clientEpoch: end?.epoch ?? null,
          serverEpoch: reports.get(server)?.serverEpochs[client] ?? null,
          inFlight: 0,
        };
      }),
    );
  }

  private noteGhost(api: ApiCut): void {
    for (const object of api.replicaSets) {
      const rs = toReplicaSetView(object);
      this.ghost.rsTemplates[rs.uid] = rs.templateHash;
    }
    for (const key of api.deletedPods) this.ghost.deletedPods.add(key);
  }
}
