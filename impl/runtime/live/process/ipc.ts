/**
 * What a stage process and its supervisor say to each other over Node's IPC channel (the
 * one `fork` opens). Not the protocol's messages, which travel stage to stage over the
 * transport: the load the autoscaler reads (an environment input in the sim too), the
 * simulated nodes' container runtime (which lives in the supervisor, so that sandboxes
 * survive a kubelet's crash as they do on a real node), and what the supervisor records.
 */
import type {
  Epoch,
  LinkId,
  NodeName,
  ObjectKey,
  PodKey,
  StageId,
} from '../../../../spec/types/ids.js';
import type { AppliedEvent } from '../../../../spec/types/observation.js';
import type { StageReport } from '../../../stages/io.js';
import type { SandboxEvent, SandboxSpec } from '../host/index.js';
import type { Address, CountersSnapshot } from '../transport/index.js';

/** From a stage process to its supervisor. */
export type ToSupervisor =
  /** Every stage of the process listens and has started. */
  | { readonly type: 'ready'; readonly stages: readonly { id: StageId; address: Address }[] }
  | {
      readonly type: 'sandbox.start';
      readonly node: NodeName;
      readonly pod: PodKey;
      readonly spec: SandboxSpec;
    }
  | { readonly type: 'sandbox.stop'; readonly node: NodeName; readonly pod: PodKey }
  | { readonly type: 'sandbox.list'; readonly node: NodeName; readonly ask: number }
  /** An event a stage applied, with the stage's incarnation as an observation shows it. */
  | {
      readonly type: 'applied';
      readonly stage: StageId;
      readonly event: AppliedEvent;
      readonly incarnation: number;
    }
  /** A handshake a stage sent, as the runtime saw it leave (the ghost's handshake epochs). */
  | { readonly type: 'handshake'; readonly link: LinkId; readonly epoch: Epoch }
  /** A handshake reply a server sent: the epoch it installed for the link (the ghost's). */
  | {
      readonly type: 'reply';
      readonly link: LinkId;
      readonly epoch: Epoch;
      readonly incarnation: number;
    }
  | {
      readonly type: 'reports';
      readonly ask: number;
      readonly reports: Readonly<Partial<Record<StageId, StageReport>>>;
      /** Each stage's transport counters (refusals by reason, failed sends). */
      readonly transports: Readonly<Partial<Record<StageId, CountersSnapshot>>>;
    }
  /** A fault of a host (an effect it could not execute); the process exits after it. */
  | { readonly type: 'fault'; readonly stage: StageId; readonly message: string };

/** From the supervisor to a stage process. */
export type ToStage =
  | { readonly type: 'load'; readonly deployment: ObjectKey; readonly load: number }
  | { readonly type: 'sandbox.event'; readonly node: NodeName; readonly event: SandboxEvent }
  | { readonly type: 'sandbox.listed'; readonly ask: number; readonly pods: readonly PodKey[] }
  /**
   * Each stage's report; with `freeze`, the stages then take no input until `thaw`, so
   * that the supervisor reads the API and the nodes while no stage moves (a consistent cut).
   */
  | { readonly type: 'reports'; readonly ask: number; readonly freeze: boolean }
  | { readonly type: 'thaw' };
