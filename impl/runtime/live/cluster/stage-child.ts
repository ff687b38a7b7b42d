/** One stage process as its supervisor sees it: its plan, in its environment. */
import { fileURLToPath } from 'node:url';
import type { ToStage, ToSupervisor } from '../process/ipc.js';
import { PLAN_VARIABLE, type ProcessPlan, START_VARIABLE } from '../process/plan.js';
import { type ChildEvents, ForkedChild } from './forked-child.js';

const MAIN = fileURLToPath(new URL('../process/main.ts', import.meta.url));

export class StageChild extends ForkedChild<ToSupervisor, ToStage> {
  constructor(
    name: string,
    readonly plan: ProcessPlan,
    events: ChildEvents<ToSupervisor>,
  ) {
    super(
      name,
      MAIN,
      (starts) => ({ [PLAN_VARIABLE]: JSON.stringify(plan), [START_VARIABLE]: String(starts) }),
      events,
    );
  }
}
