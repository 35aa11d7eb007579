export { Supervisor } from './daemon/supervisor.js';
export type { SupervisorLogger, SupervisorOptions } from './daemon/supervisor.js';
export { transition, initialStatus } from './lifecycle/model-state.js';
/** For the process fixtures of the integration tests: the lifeline as the supervisor runs it. */
export { Lifeline } from './process/lifeline.js';
export type { LifelineOptions } from './process/lifeline.js';
export type {
  ModelStatus,
  LifecycleEvent,
  Effect,
  LifecycleSettings,
} from './lifecycle/model-state.js';
