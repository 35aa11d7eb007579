export { Supervisor } from './daemon/supervisor.js';
export type { SupervisorLogger, SupervisorOptions } from './daemon/supervisor.js';
export { transition, initialStatus } from './lifecycle/model-state.js';
export type {
  ModelStatus,
  LifecycleEvent,
  Effect,
  LifecycleSettings,
} from './lifecycle/model-state.js';
