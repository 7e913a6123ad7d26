/**
 * The runtime's light entry: where an instance lives and what its state file says, without
 * spawning anything or loading the contract compiler, the supervisor, leases or compose. For the
 * commands benchmarked against `node -e 0` (`status`, `urls`, `logs`; docs/performance.md).
 * ./index.ts re-exports all of it; import from here only on such a hot path.
 */
export {
  locateInstance,
  instanceDir,
  instanceFiles,
  machineStateDir,
  isValidWorktreeId,
  MAX_WORKTREE_ID,
  worktreeIdFor,
  type LocateOptions,
} from './paths.js';
export { readInstanceStatus, readStateFile, statusFromState, type InstanceStatus } from './status-read.js';
export { followLogs, logServices, tailLogs, type LogLine } from './logs.js';
export {
  DEFAULT_ROUTER_PORT,
  readRouter,
  registerRouter,
  projectOf,
  stableHost,
  stableUrl,
  type RouterState,
} from './router-state.js';
export type { ServiceStatus, ServiceState, Health, CheckResult, InstancePhase } from './state.js';
