/**
 * The five stage machines as a runtime plugs them in: one module (machine + report) per
 * stage kind. The sim runtime takes this registry; its tests use small fake stages instead.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import * as autoscaler from './autoscaler/machine.js';
import * as deployment from './deployment/machine.js';
import type { StageModule, StageRegistry, StageReport } from './io.js';
import * as kubelet from './kubelet/machine.js';
import * as replicaset from './replicaset/machine.js';
import * as scheduler from './scheduler/machine.js';

const moduleOf = (machine: AnyStateMachine, report: (s: never) => StageReport): StageModule => ({
  machine,
  report: report as (snapshot: AnyMachineSnapshot) => StageReport,
});

export const STAGES: StageRegistry = {
  autoscaler: moduleOf(autoscaler.autoscalerMachine, autoscaler.report),
  deployment: moduleOf(deployment.deploymentMachine, deployment.report),
  replicaset: moduleOf(replicaset.replicaSetMachine, replicaset.report),
  scheduler: moduleOf(scheduler.schedulerMachine, scheduler.report),
  kubelet: moduleOf(kubelet.kubeletMachine, kubelet.report),
};
