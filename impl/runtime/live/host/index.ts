/** The stage host of the live runtime (docs/live.md, "The stage host"). */
export { type HostPorts, StageHost } from './host.js';
export { FakeSandbox, InProcessApi } from './in-process.js';
export type {
  ApiDone,
  ApiEffect,
  ApiPort,
  AppliedRecorder,
  MessagePort,
  SandboxEvent,
  SandboxPort,
  SandboxSpec,
  TimerPort,
} from './ports.js';
export { REAL_TIMERS } from './ports.js';
export { downstreamOf } from './topology.js';
