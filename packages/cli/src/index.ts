export { ensureSupervisor, pingSupervisor, stopSupervisor } from './supervisor-process.js';
